"""Taxonomy slots (1-4 filled, exactly one primary ``Y``, not always slot 1) and the
Other Provider Identifier groups."""

from __future__ import annotations

import numpy as np
import polars as pl

from careatlas.synth.context import Batch, Columns
from careatlas.synth.draw import Choices, choose, constant, nulls_where, take

FILLED_SLOTS = 4
_SLOT_COUNT = np.cumsum([0.72, 0.21, 0.05, 0.02])  # P(1..4 slots filled)
# share of active rows with at least k = 0, 1, 2... Other Provider Identifiers (CMS sample)
_ID_AT_LEAST = [1, 0.708, 0.379, 0.233, 0.157, 0.119, 0.093, 0.076, 0.062, 0.053, 0.041, 0.033, 0.026,
                0.022, 0.017, 0.014, 0.007, 0.007, 0.005, 0.0]
_ID_COUNT = np.cumsum(-np.diff(_ID_AT_LEAST))  # P(exactly 0), P(0 or 1), ...
_LICENSE_PREFIX = Choices.of(["", "", "", "MD", "ME", "A", "G", "RN", "LPC", "DN"])
_GROUPS = Choices.of(["193200000X MULTI-SPECIALTY GROUP", "193400000X SINGLE SPECIALTY  GROUP"])
Drawn = tuple[np.ndarray, np.ndarray, np.ndarray]  # draw_codes: slots filled, primary slot, codes per slot


def _count(batch: Batch, cumulative: np.ndarray) -> np.ndarray:
    return 1 + np.searchsorted(cumulative / cumulative[-1], batch.draw.rng.random(batch.n), side="right")


def _individual_codes(batch: Batch) -> np.ndarray:
    """Codes for individuals: the national mix, or with a county supply each row's own kind."""
    if batch.supply is None:
        return batch.draw.index(batch.vocab.taxonomy.individual)
    assert batch.kinds is not None  # drawn with the supply (rows.make_rows)
    return batch.supply.draw_codes(batch.draw.rng, batch.kinds)


def draw_codes(batch: Batch) -> Drawn:
    """Per row: number of slots filled, primary slot, and the code index of every slot."""
    draw, taxonomy = batch.draw, batch.vocab.taxonomy
    filled = np.minimum(_count(batch, _SLOT_COUNT), FILLED_SLOTS)
    primary_slot = np.where(draw.flag(0.75), 0, draw.rng.integers(0, filled))
    codes = np.stack([
        np.where(batch.organisation, draw.index(taxonomy.organisation), _individual_codes(batch))
        for _ in range(FILLED_SLOTS)
    ])
    return filled, primary_slot, codes


def taxonomy_columns(batch: Batch, practice_state: pl.Series, drawn: Drawn) -> Columns:
    draw, taxonomy = batch.draw, batch.vocab.taxonomy
    filled, primary_slot, codes = drawn
    active = batch.individual | batch.organisation
    in_us = practice_state.is_in(batch.vocab.license_states.values.implode()).fill_null(False).to_numpy()
    home = draw.flag(0.9) & in_us  # most licences are from the state they practise in
    columns: Columns = {}
    for slot in range(FILLED_SLOTS):
        n = slot + 1
        used = active & (slot < filled)
        licensed = used & draw.flag(np.where(batch.individual, 0.9, 0.35))
        switch = choose(draw.flag(0.05), constant("X", used), constant("N", used))
        columns |= {
            f"Healthcare Provider Taxonomy Code_{n}": take(taxonomy.codes, codes[slot], used),
            f"Provider License Number_{n}": nulls_where(
                batch.pick(_LICENSE_PREFIX) + draw.digits(4 + slot % 3, low=1), licensed),
            f"Provider License Number State Code_{n}": nulls_where(
                choose(home, practice_state, batch.pick(batch.vocab.license_states)), licensed),
            f"Healthcare Provider Primary Taxonomy Switch_{n}": choose(
                used & (primary_slot == slot), constant("Y", used), switch),
        }
    columns["Healthcare Provider Taxonomy Group_1"] = batch.pick(_GROUPS, batch.organisation & draw.flag(0.2))
    return columns


def primary_codes(drawn: Drawn) -> np.ndarray:
    _, primary_slot, codes = drawn
    primary: np.ndarray = codes[primary_slot, np.arange(codes.shape[1])]
    return primary


def identifier_columns(batch: Batch, practice_state: pl.Series) -> Columns:
    draw = batch.draw
    active = batch.individual | batch.organisation
    count = _count(batch, _ID_COUNT) - 1
    columns: Columns = {}
    for slot in range(len(_ID_COUNT) - 1):
        n = slot + 1
        used = active & (slot < count)
        if not used.any():  # later slots are empty too: leave them to assemble()
            break
        kind = batch.word("other_id_type", used)
        other = (kind == "01").fill_null(False).to_numpy()
        columns |= {
            f"Other Provider Identifier_{n}": nulls_where(draw.digits(5 + slot % 5, low=1), used),
            f"Other Provider Identifier Type Code_{n}": kind,
            f"Other Provider Identifier State_{n}": nulls_where(practice_state, used & draw.flag(0.9)),
            f"Other Provider Identifier Issuer_{n}": batch.word("issuer", other & draw.flag(0.8)),
        }
    return columns
