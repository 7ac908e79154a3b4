"""What the generator draws from, as types: places, taxonomy codes and the whole vocabulary.

``vocab.py`` builds them from the built-in vocabularies, ``reference.py`` from the real reference
files; both import these types from here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from careatlas.synth import geo_builtin, taxonomy_builtin
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


def state_weights(states: list[str]) -> np.ndarray:
    """Population of each place's state spread evenly over that state's places."""
    counts: dict[str, int] = {}
    for state in states:
        counts[state] = counts.get(state, 0) + 1
    # territories missing from the table still get a few providers
    return np.array([geo_builtin.STATE_POPULATION_K.get(s, 50) / counts[s] for s in states])
