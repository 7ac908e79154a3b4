"""Everything the generator draws from: places, taxonomy codes, credentials and words.

Built from the real reference files when a reference folder is given (``reference.py``),
otherwise from the small built-in vocabularies."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import polars as pl

from careatlas.shared.nppes_schema import US_STATES
from careatlas.synth import geo_builtin, names_builtin, taxonomy_builtin
from careatlas.synth.draw import Choices


@dataclass(frozen=True)
class Places:
    """ZIPs with their USPS city and state, drawn together so state and ZIP always agree."""

    zip5: Choices  # weighted by where people live
    city: pl.Series
    state: pl.Series

    @classmethod
    def of(cls, rows: list[tuple[str, str, str]], weights: np.ndarray | None = None) -> Places:
        zips, cities, states = zip(*rows, strict=True)
        return cls(Choices.of(list(zips), weights), pl.Series(cities), pl.Series(states))


@dataclass(frozen=True)
class Taxonomy:
    codes: pl.Series
    labels: pl.Series  # upper-case classification, used in organisation names
    credential_group: np.ndarray  # index into Vocab.credential_groups, one per code
    individual: Choices  # code indices weighted for type 1
    organisation: Choices  # code indices weighted for type 2

    @classmethod
    def of(cls, rows: list[tuple[str, float, float, str, str]]) -> Taxonomy:
        codes, ind, org, groups, labels = zip(*rows, strict=True)
        positions = [str(i) for i in range(len(codes))]
        group_index = {name: i for i, name in enumerate(taxonomy_builtin.CREDENTIALS)}
        return cls(
            codes=pl.Series(codes),
            labels=pl.Series(labels),
            credential_group=np.array([group_index[g] for g in groups]),
            individual=Choices.of(positions, list(ind)),
            organisation=Choices.of(positions, list(org)),
        )


@dataclass(frozen=True)
class Vocab:
    places: Places
    military: Places
    foreign: pl.DataFrame  # postal, city, province, country
    taxonomy: Taxonomy
    credential_groups: list[Choices]
    license_states: Choices
    words: dict[str, Choices]


def _weighted(values: list[str], weights: list[float]) -> Choices:
    return Choices.of(values, weights)


def _words() -> dict[str, Choices]:
    n = names_builtin
    uniform = {
        "last": n.LAST_NAMES, "female": n.FEMALE_FIRST, "male": n.MALE_FIRST,
        "initial": n.MIDDLE_INITIALS, "title": n.OFFICIAL_TITLES,
        "official_prefix": n.OFFICIAL_PREFIXES, "official_credential": n.OFFICIAL_CREDENTIALS,
        "org_place": n.ORG_PLACES, "org_noun": n.ORG_NOUNS, "org_suffix": n.ORG_SUFFIXES,
        "street": n.STREET_NAMES, "street_type": n.STREET_TYPES, "direction": n.STREET_DIRECTIONS,
        "second_line": n.SECOND_LINE, "issuer": n.OTHER_ID_ISSUERS,
    }
    words = {name: Choices.of(values) for name, values in uniform.items()}
    words["suffix"] = _weighted(n.NAME_SUFFIXES, n.NAME_SUFFIX_WEIGHTS)
    words["prefix"] = _weighted(n.PREFIXES, n.PREFIX_WEIGHTS)
    words["other_id_type"] = _weighted(n.OTHER_ID_TYPES, n.OTHER_ID_TYPE_WEIGHTS)
    return words


def state_weights(states: list[str]) -> np.ndarray:
    """Population of each place's state spread evenly over that state's places."""
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    # territories missing from the table still get a few providers
    return np.array([geo_builtin.STATE_POPULATION_K.get(s, 50) / counts[s] for s in states])


def _credential_groups() -> list[Choices]:
    return [Choices.of(values, weights) for values, weights in taxonomy_builtin.CREDENTIALS.values()]


def _license_states() -> Choices:
    states = sorted(US_STATES)
    return Choices.of(states, [geo_builtin.STATE_POPULATION_K[s] for s in states])


def _foreign() -> pl.DataFrame:
    return pl.DataFrame(geo_builtin.FOREIGN, schema=["postal", "city", "province", "country"],
                        orient="row")


def build_vocab(places: Places, taxonomy: Taxonomy) -> Vocab:
    return Vocab(
        places=places,
        military=Places.of(geo_builtin.MILITARY),
        foreign=_foreign(),
        taxonomy=taxonomy,
        credential_groups=_credential_groups(),
        license_states=_license_states(),
        words=_words(),
    )


@lru_cache(maxsize=4)
def load_vocab(reference_dir: Path | None = None) -> Vocab:
    """The vocabulary for a run: real ZIPs and NUCC codes from ``reference_dir`` if given."""
    if reference_dir is None:
        rows = geo_builtin.builtin_zips()
        places = Places.of(rows, state_weights([state for _, _, state in rows]))
        return build_vocab(places, Taxonomy.of(taxonomy_builtin.TAXONOMIES))
    from careatlas.synth import reference

    return build_vocab(reference.load_places(reference_dir), reference.load_taxonomy(reference_dir))
