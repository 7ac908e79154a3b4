"""Everything the generator draws from: places, taxonomy codes, credentials and words.

Built from the real reference files when a reference folder is given (``reference.py``),
otherwise from the small built-in vocabularies."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import polars as pl

from careatlas.nppes.schema import US_STATES
from careatlas.synth import geo_builtin, names_builtin, reference, taxonomy_builtin
from careatlas.synth.draw import Choices
from careatlas.synth.model import Places, Taxonomy, Vocab, state_weights


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
    return build_vocab(reference.load_places(reference_dir), reference.load_taxonomy(reference_dir))
