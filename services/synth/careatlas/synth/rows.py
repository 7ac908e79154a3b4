"""One batch of main-file rows, built column by column: a 330-column frame of text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from careatlas.nppes.schema import MAIN_COLUMNS
from careatlas.synth import dates
from careatlas.synth.context import Batch, Columns
from careatlas.synth.draw import Draw, null_column
from careatlas.synth.model import Vocab
from careatlas.synth.people import individual_columns, organisation_columns
from careatlas.synth.places import PRACTICE, address_columns
from careatlas.synth.slots import draw_codes, identifier_columns, primary_codes, taxonomy_columns
from careatlas.synth.supply import Supply

DEACTIVATED_SHARE = 0.035
INDIVIDUAL_SHARE = 0.775  # of active rows: ~75% / ~22% of all rows, as in the real file
REACTIVATED_SHARE = 0.005
DEACTIVATED, INDIVIDUAL, ORGANISATION = 0, 1, 2
_KEEP_WHEN_DEACTIVATED = {"NPI", "NPI Deactivation Date"}


@dataclass
class Rows:
    frame: pl.DataFrame  # MAIN_COLUMNS, all text
    entity: np.ndarray  # DEACTIVATED / INDIVIDUAL / ORGANISATION
    deactivation_days: np.ndarray  # -1 where active and never deactivated


def draw_entities(draw: Draw) -> np.ndarray:
    kind = np.where(draw.flag(INDIVIDUAL_SHARE), INDIVIDUAL, ORGANISATION)
    return np.where(draw.flag(DEACTIVATED_SHARE), DEACTIVATED, kind)


def make_rows(vocab: Vocab, rng: np.random.Generator, npis: np.ndarray, release: date,
              entity: np.ndarray | None = None, supply: Supply | None = None) -> Rows:
    """Rows for ``npis``; ``entity`` forces the entity kinds (weekly updates keep theirs);
    ``supply`` places each row in a county and picks its kind of provider from that county's mix."""
    draw = Draw(rng, len(npis))
    entity = draw_entities(draw) if entity is None else entity
    batch = Batch(draw, vocab, entity == INDIVIDUAL, entity == ORGANISATION)
    if supply is not None:
        county = supply.draw_counties(rng, len(npis))
        batch.supply, batch.home, batch.kinds = supply, supply.draw_zips(rng, county), supply.draw_kinds(rng, county)
    active = entity != DEACTIVATED
    drawn_dates = dates.draw_dates(draw, release, ~active, active & draw.flag(REACTIVATED_SHARE))
    if active.any():  # the newest update of a release is the release day itself
        drawn_dates.last_update[np.argmax(active)] = dates.day_number(release)
    codes = draw_codes(batch)
    primary = primary_codes(codes)
    columns = address_columns(batch)
    state = columns[PRACTICE[3]]
    columns |= individual_columns(batch, primary) | organisation_columns(batch, primary)
    columns |= taxonomy_columns(batch, state, codes) | identifier_columns(batch, state)
    columns |= _date_columns(drawn_dates, release)
    columns["NPI"] = pl.Series(npis, dtype=pl.Int64).cast(pl.String)
    columns["Entity Type Code"] = pl.Series(entity, dtype=pl.Int64).cast(pl.String)
    frame = assemble(columns, active)
    return Rows(frame, entity, drawn_dates.deactivation)


def _date_columns(drawn: dates.Dates, release: date) -> Columns:
    text = dates.as_text
    return {
        "Provider Enumeration Date": text(drawn.enumeration, release),
        "Last Update Date": text(drawn.last_update, release),
        "NPI Deactivation Date": text(drawn.deactivation, release),
        "NPI Reactivation Date": text(drawn.reactivation, release),
        "Certification Date": text(drawn.certification, release),
    }


def assemble(columns: Columns, active: np.ndarray) -> pl.DataFrame:
    """All 330 columns in file order; deactivated rows keep only NPI and deactivation date."""
    empty = null_column(len(active))
    frame = pl.DataFrame([columns.get(name, empty).alias(name) for name in MAIN_COLUMNS])
    keep = pl.lit(pl.Series(active, dtype=pl.Boolean))
    # one query for all columns: far cheaper than masking column by column
    return frame.select(
        pl.col(name) if name in _KEEP_WHEN_DEACTIVATED or name not in columns
        else pl.when(keep).then(pl.col(name)).alias(name)
        for name in MAIN_COLUMNS
    )
