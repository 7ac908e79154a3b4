"""Rows of the companion files for NPIs of one main-file batch: other organisation names
(``othername_pfile``), secondary practice locations (``pl_pfile``) and endpoints."""

from __future__ import annotations

import numpy as np
import polars as pl

from careatlas.nppes.schema import ENDPOINT_COLUMNS, OTHERNAME_COLUMNS, PL_COLUMNS
from careatlas.synth.draw import nulls_where
from careatlas.synth.places import PRACTICE

SECONDARY_LOCATION_SHARE = 0.12  # real 2026 NPPES: ~1.15 M pl_pfile rows for ~9.4 M NPIs
ENDPOINT_SHARE = 0.03
_OTHER_NAME = "Provider Other Organization Name"
_OTHER_NAME_TYPE = "Provider Other Organization Name Type Code"


def othername_rows(frame: pl.DataFrame) -> pl.DataFrame:
    rows = frame.filter((pl.col("Entity Type Code") == "2") & pl.col(_OTHER_NAME).is_not_null())
    return rows.select("NPI", _OTHER_NAME, _OTHER_NAME_TYPE)


def _active(frame: pl.DataFrame, rng: np.random.Generator, share: float) -> pl.DataFrame:
    active = frame.filter(pl.col("Entity Type Code").is_not_null())
    return active.filter(pl.Series(rng.random(active.height) < share))


def pl_rows(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """A second office: the practice address of another provider in the batch."""
    chosen = _active(frame, rng, SECONDARY_LOCATION_SHARE)
    donors = frame.filter(pl.col("Entity Type Code").is_not_null()).select(PRACTICE)
    if chosen.is_empty() or donors.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(PL_COLUMNS, pl.String))
    place = donors[rng.integers(0, donors.height, chosen.height)]
    extension = pl.Series(rng.integers(1, 1000, chosen.height)).cast(pl.String)
    columns = [chosen["NPI"], *[place[c] for c in PRACTICE[:7]],
               nulls_where(extension, rng.random(chosen.height) < 0.1), place[PRACTICE[7]]]
    return pl.DataFrame([c.alias(name) for c, name in zip(columns, PL_COLUMNS, strict=True)])


def _slug(column: str) -> pl.Expr:
    return pl.col(column).str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")


def endpoint_rows(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    chosen = _active(frame, rng, ENDPOINT_SHARE)
    is_org = pl.col("Entity Type Code") == "2"
    org_word = _slug("Provider Organization Name (Legal Business Name)").str.slice(0, 12)
    person = _slug("Provider First Name").str.slice(0, 1) + _slug("Provider Last Name (Legal Name)")
    endpoint = pl.when(is_org).then(pl.lit("https://fhir.") + org_word + pl.lit(".org/r4")).otherwise(
        person + pl.col("NPI").str.slice(6) + pl.lit("@direct.") + _slug(PRACTICE[2]) + pl.lit("health.org"))
    values = {
        "NPI": pl.col("NPI"),
        "Endpoint Type": pl.when(is_org).then(pl.lit("FHIR")).otherwise(pl.lit("DIRECT")),
        "Endpoint Type Description": pl.when(is_org).then(pl.lit("FHIR URL"))
        .otherwise(pl.lit("Direct Messaging Address")),
        "Endpoint": endpoint,
        "Affiliation": pl.lit("N"),
        "Use Code": pl.when(is_org).then(pl.lit("HIE")).otherwise(pl.lit("DIRECT")),
        "Use Description": pl.when(is_org).then(pl.lit("Health Information Exchange (HIE)"))
        .otherwise(pl.lit("Direct")),
        "Content Type": pl.lit("OTHER"),
        "Affiliation Address Line One": pl.col(PRACTICE[0]),
        "Affiliation Address City": pl.col(PRACTICE[2]),
        "Affiliation Address State": pl.col(PRACTICE[3]),
        "Affiliation Address Country": pl.col(PRACTICE[5]),
        "Affiliation Address Postal Code": pl.col(PRACTICE[4]),
    }
    return chosen.select([values.get(c, pl.lit(None, dtype=pl.String)).alias(c) for c in ENDPOINT_COLUMNS])


COMPANIONS = {"othername": OTHERNAME_COLUMNS, "pl": PL_COLUMNS, "endpoint": ENDPOINT_COLUMNS}


def companion_rows(frame: pl.DataFrame, rng: np.random.Generator) -> dict[str, pl.DataFrame]:
    return {
        "othername": othername_rows(frame),
        "pl": pl_rows(frame, rng),
        "endpoint": endpoint_rows(frame, rng),
    }
