"""Names of individual providers and of organisations with their authorised officials."""

from __future__ import annotations

import numpy as np
import polars as pl

from careatlas.synth.context import Batch, Columns
from careatlas.synth.draw import Choices, choose, constant, nulls_where, take

_SEX = pl.Series(["M", "F"])
_SOLE_PROPRIETOR = Choices.of(["N", "Y", "X"], [0.77, 0.14, 0.09])
_SUBPART = Choices.of(["N", "Y"], [0.94, 0.06])


def _first_names(batch: Batch, female: np.ndarray) -> pl.Series:
    return choose(female, batch.word("female"), batch.word("male"))


def individual_columns(batch: Batch, primary: np.ndarray) -> Columns:
    """``primary``: taxonomy index of each row's primary code (drives the credential)."""
    draw, ind = batch.draw, batch.individual
    female = draw.flag(0.49)
    first = _first_names(batch, female)
    middle = choose(draw.flag(0.6), batch.word("initial"), _first_names(batch, female))
    renamed = ind & draw.flag(0.04)  # a former (maiden) name
    return {
        "Provider Last Name (Legal Name)": batch.word("last", ind),
        "Provider First Name": nulls_where(first, ind),
        "Provider Middle Name": nulls_where(middle, ind & draw.flag(0.79)),
        "Provider Name Prefix Text": batch.word("prefix", ind & draw.flag(0.55)),
        "Provider Name Suffix Text": batch.word("suffix", ind & draw.flag(0.03)),
        "Provider Credential Text": credentials(batch, primary, ind),
        "Provider Other Last Name": batch.word("last", renamed),
        "Provider Other First Name": nulls_where(first, renamed),
        "Provider Other Last Name Type Code": constant("1", renamed),
        "Provider Sex Code": take(_SEX, female.astype(np.int64), ind),
        "Is Sole Proprietor": batch.pick(_SOLE_PROPRIETOR, ind),
    }


def credentials(batch: Batch, primary: np.ndarray, mask: np.ndarray) -> pl.Series:
    """A credential that fits each row's primary taxonomy ("" drawn = left blank)."""
    groups = batch.vocab.credential_groups
    row_group = batch.vocab.taxonomy.credential_group[primary]
    offsets = np.cumsum([0] + [len(g) for g in groups])
    index = np.zeros(batch.n, dtype=np.int64)
    uniform = batch.draw.rng.random(batch.n)
    for number in np.unique(row_group[mask]):
        rows = mask & (row_group == number)
        found = np.searchsorted(groups[number].cumulative, uniform[rows], side="right")
        index[rows] = offsets[number] + np.minimum(found, len(groups[number]) - 1)
    values = pl.concat([g.values for g in groups])
    text = take(values, index, mask)
    return nulls_where(text, (text != "").fill_null(False).to_numpy())


def _org_name(batch: Batch, primary: np.ndarray) -> pl.Series:
    label = take(batch.vocab.taxonomy.labels, primary)
    by_place = batch.word("org_place") + " " + batch.word("org_noun")
    by_family = batch.word("last") + " " + label
    return choose(batch.draw.flag(0.5), by_place, by_family) + batch.word("org_suffix")


def organisation_columns(batch: Batch, primary: np.ndarray) -> Columns:
    draw, org = batch.draw, batch.organisation
    subpart = batch.pick(_SUBPART, org)
    is_subpart = (subpart == "Y").fill_null(False).to_numpy()
    dba = org & draw.flag(0.35)
    unavailable = constant("<UNAVAIL>", org)
    return {
        "Employer Identification Number (EIN)": unavailable,
        "Provider Organization Name (Legal Business Name)": nulls_where(_org_name(batch, primary), org),
        "Provider Other Organization Name": nulls_where(
            batch.word("org_place") + " " + batch.word("org_noun"), dba),
        "Provider Other Organization Name Type Code": constant("3", dba),
        "Is Organization Subpart": subpart,
        "Parent Organization LBN": nulls_where(
            batch.word("org_place") + " HEALTH SYSTEM" + batch.word("org_suffix"), is_subpart),
        "Parent Organization TIN": nulls_where(unavailable, is_subpart),
        **official_columns(batch),
    }


def official_columns(batch: Batch) -> Columns:
    draw, org = batch.draw, batch.organisation
    female = draw.flag(0.5)
    return {
        "Authorized Official Last Name": batch.word("last", org),
        "Authorized Official First Name": nulls_where(_first_names(batch, female), org),
        "Authorized Official Middle Name": nulls_where(
            choose(draw.flag(0.5), batch.word("initial"), _first_names(batch, female)),
            org & draw.flag(0.54)),
        "Authorized Official Title or Position": batch.word("title", org),
        "Authorized Official Telephone Number": phone_numbers(batch, org),
        "Authorized Official Name Prefix Text": batch.word("official_prefix", org & draw.flag(0.38)),
        "Authorized Official Name Suffix Text": batch.word("suffix", org & draw.flag(0.05)),
        "Authorized Official Credential Text": batch.word("official_credential", org & draw.flag(0.3)),
    }


def phone_numbers(batch: Batch, mask: np.ndarray) -> pl.Series:
    """10-digit NANP numbers: area code and exchange never start with 0 or 1."""
    area = batch.draw.digits(3, low=201)
    exchange = batch.draw.digits(3, low=200)
    return nulls_where(area + exchange + batch.draw.digits(4), mask)
