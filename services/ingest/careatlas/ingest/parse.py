"""Parse one block of NPPES CSV bytes into typed rows and quarantined rows. Pure: no I/O.

Every record read ends in exactly one of the two outputs, so counts reconcile:
``rows_read == valid.height + quarantine.height``. Quarantined rows keep their reason, their
position in the chunk and the raw record, so nothing is lost.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import polars as pl

from careatlas.ingest.planner import count_records, record_texts
from careatlas.shared import nppes_schema
from careatlas.shared.nppes_schema import FileSchema

EXTRA = "__extra_field"  # catches rows with more fields than the header
STATE = "_state"  # partition key: a USPS code, FOREIGN (non-US address) or NONE
QUARANTINE_SCHEMA = pl.Schema(
    {"_chunk": pl.Int32, "_chunk_row": pl.Int64, "reason": pl.String, "npi": pl.String, "raw_record": pl.String}
)
_PRACTICE_STATE = "provider_business_practice_location_address_state_name"
_PRACTICE_COUNTRY = "provider_business_practice_location_address_country_code_if_outside_u_s"


@dataclass
class Block:
    valid: pl.DataFrame
    quarantine: pl.DataFrame
    rows_read: int
    encoding_repaired: int


def parse_block(data: bytes, schema: FileSchema, *, chunk: int, first_row: int) -> Block:
    """``first_row`` is the 1-based position in the chunk of the block's first record."""
    data, repaired = ensure_utf8(data)
    try:
        raw = read_raw(data, schema)
        structural = _empty_quarantine()
        if raw.height != count_records(data):  # bad quoting can merge records without an error
            raise pl.exceptions.ComputeError("record count differs from record boundaries")
    except pl.exceptions.PolarsError:
        raw, structural = _read_record_by_record(data, schema, chunk=chunk, first_row=first_row)
    raw = raw.with_columns(
        pl.lit(chunk, pl.Int32).alias("_chunk"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_row).alias("_chunk_row"),
    )
    if "__row" in raw.columns:  # the slow path numbered its survivors itself
        raw = raw.with_columns(pl.col("__row").alias("_chunk_row")).drop("__row")
    valid, rejected = validate(raw, schema, quoted=data[:1] == b'"')
    quarantine = pl.concat([structural, rejected]).sort("_chunk_row")
    return Block(valid, quarantine, valid.height + quarantine.height, repaired)


def ensure_utf8(data: bytes) -> tuple[bytes, int]:
    """NPPES files carry occasional non-UTF-8 bytes (Latin-1 accents): decode those records
    as cp1252 instead of dropping the provider, and count them."""
    try:
        data.decode("utf-8")
        return data, 0
    except UnicodeDecodeError:
        pass
    repaired, fixed = [], 0
    for record in record_texts(data):
        try:
            record.decode("utf-8")
        except UnicodeDecodeError:
            record = record.decode("cp1252", errors="replace").encode("utf-8")
            fixed += 1
        repaired.append(record)
    return b"".join(repaired), fixed


def read_raw(data: bytes, schema: FileSchema) -> pl.DataFrame:
    """All fields as text, one extra column to catch surplus fields."""
    text_schema = {name: pl.String for name in (*schema.columns, EXTRA)}
    return pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        schema=text_schema,
        quote_char='"',
        truncate_ragged_lines=True,
        missing_columns="insert",  # the catch-all column is absent when no row has surplus fields
    )


def _read_record_by_record(
    data: bytes, schema: FileSchema, *, chunk: int, first_row: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Slow path for a block Polars refuses (bad quoting): each record alone with ``csv``."""
    good: list[list[str | None]] = []
    bad: list[dict] = []
    width = len(schema.columns)
    for offset, record in enumerate(record_texts(data, loose=True)):
        row = first_row + offset
        text = record.decode("utf-8").rstrip("\r\n")
        try:
            fields = next(csv.reader([text], strict=True))
            problem = None if len(fields) == width else f"row has {len(fields)} fields, expected {width}"
        except csv.Error as error:
            fields, problem = [], f"malformed CSV quoting: {error}"
        if problem:
            bad.append({"_chunk": chunk, "_chunk_row": row, "reason": problem,
                        "npi": text[1:11] if text[:1] == '"' else text[:10], "raw_record": text})
        else:
            good.append([*fields, None, row])
    columns = [*schema.columns, EXTRA, "__row"]
    raw = pl.DataFrame(good, schema={c: pl.String for c in columns[:-1]} | {"__row": pl.Int64}, orient="row")
    return raw, pl.DataFrame(bad, schema=QUARANTINE_SCHEMA)


def _empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


# ---------------------------------------------------------------- validation and typing
def validate(raw: pl.DataFrame, schema: FileSchema, *, quoted: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Trim, null the empties, check and type. Only columns holding a value in this block are
    processed: most of the 330 are empty in most rows, and skipping them is 9x faster."""
    present = present_columns(raw, schema)
    cleaned = raw.select(pl.col(present).str.strip_chars().replace("", None), "_chunk", "_chunk_row")
    reasons = _reasons(raw, schema, present, quoted=quoted)
    reason = pl.concat_str(reasons, separator="; ", ignore_nulls=True) if reasons else pl.lit(None, pl.String)
    checked = cleaned.with_columns(pl.when(reason != "").then(reason).alias("reason"))
    if checked["reason"].null_count() == checked.height:  # the common case: no gather needed
        return _typed(checked.drop("reason"), schema), _empty_quarantine()
    bad = checked.filter(pl.col("reason").is_not_null())
    good = checked.filter(pl.col("reason").is_null()).drop("reason")
    return _typed(good, schema), _quarantine_rows(bad, raw, list(schema.columns))


def present_columns(raw: pl.DataFrame, schema: FileSchema) -> list[str]:
    longest = raw.select(pl.col(list(schema.columns)).str.len_bytes().max()).row(0)
    return [name for name, size in zip(schema.columns, longest, strict=True) if size]


def _reasons(raw: pl.DataFrame, schema: FileSchema, present: list[str], *, quoted: bool) -> list[pl.Expr]:
    width = len(schema.columns)
    reasons = []
    if raw[EXTRA].null_count() < raw.height:
        reasons.append(pl.when(raw[EXTRA].is_not_null()).then(pl.lit(f"row has more than {width} fields")))
    if quoted and raw[schema.columns[-1]].null_count():  # in all-quoted files missing is null, empty is ""
        reasons.append(pl.when(raw[schema.columns[-1]].is_null()).then(pl.lit(f"row has fewer than {width} fields")))
    reasons.append(_npi_reason("npi", required=True) if "npi" in present else pl.lit("npi is empty"))
    if "replacement_npi" in present:
        reasons.append(_npi_reason("replacement_npi", required=False))
    for column in (c for c in schema.date_columns if c in present):
        parsed = pl.col(column).str.to_date("%m/%d/%Y", strict=False)
        reasons.append(
            pl.when(pl.col(column).is_not_null() & parsed.is_null())
            .then(pl.format(f"{column}: not a MM/DD/YYYY date: {{}}", pl.col(column)))
        )
    if "entity_type_code" in schema.columns:
        reasons.append(_entity_reason(present))
    if _PRACTICE_STATE in present:
        reasons.append(_state_reason(present))
    return reasons


def _npi_reason(column: str, *, required: bool) -> pl.Expr:
    value = pl.col(column)
    digits = [value.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(10)]
    doubled = [pl.when(d < 5).then(d * 2).otherwise(d * 2 - 9) for d in digits[0:9:2]]
    total = pl.sum_horizontal([*doubled, *digits[1:9:2]]) + 24  # 24: Luhn sum of the 80840 prefix
    check = (10 - total % 10) % 10
    missing = pl.lit(f"{column} is empty") if required else None
    return (
        pl.when(value.is_null()).then(missing)
        .when(~value.str.contains(r"^\d{10}$")).then(pl.format(f"{column}: not 10 digits: {{}}", value))
        .when(check != digits[9]).then(pl.format(f"{column}: check digit fails: {{}}", value))
    )


def _column(name: str, present: list[str]) -> pl.Expr:
    return pl.col(name) if name in present else pl.lit(None, pl.String)


def _entity_reason(present: list[str]) -> pl.Expr:
    code = _column("entity_type_code", present)
    deactivated = _column("npi_deactivation_date", present).is_not_null()
    return (
        pl.when(code.is_null() & ~deactivated)
        .then(pl.lit("entity_type_code is empty on an active NPI"))
        .when(code.is_not_null() & ~code.is_in(["1", "2"]))
        .then(pl.format("entity_type_code: expected 1 or 2, got {}", code))
    )


def _state_reason(present: list[str]) -> pl.Expr:
    state, country = pl.col(_PRACTICE_STATE), _column(_PRACTICE_COUNTRY, present)
    us = country.is_null() | (country == "US")
    known = state.str.to_uppercase().is_in(sorted(nppes_schema.POSTAL_STATE_CODES))
    return pl.when(us & state.is_not_null() & ~known).then(
        pl.format(f"{_PRACTICE_STATE}: not a US state code: {{}}", state)
    )


def _typed(good: pl.DataFrame, schema: FileSchema) -> pl.DataFrame:
    """Cast what is present and add the partition key. Columns absent from the block stay
    absent (``complete`` adds them as typed nulls at write time) and the frame is shrunk, so
    it no longer pins the block's raw CSV buffers in memory."""
    casts = [pl.col(c).str.to_date("%m/%d/%Y") for c in schema.date_columns if c in good.columns]
    casts += [pl.col(c).cast(pl.Int64) for c in schema.npi_columns if c in good.columns]
    state = pl.col(_PRACTICE_STATE).str.to_uppercase() if _PRACTICE_STATE in good.columns else pl.lit(None)
    country = pl.col(_PRACTICE_COUNTRY) if _PRACTICE_COUNTRY in good.columns else pl.lit(None, pl.String)
    partition = (
        pl.when(country.is_not_null() & (country != "US")).then(pl.lit("FOREIGN"))
        .when(state.is_not_null()).then(state)
        .otherwise(pl.lit("NONE"))
        .alias(STATE)
    )
    return good.with_columns(*casts, partition).shrink_to_fit()


# chunk files hold only the columns with a value; readers insert the rest from this schema
STAGING_SCHEMA = pl.Schema({**nppes_schema.MAIN.polars_schema, "_chunk": pl.Int32(), "_chunk_row": pl.Int64()})


def complete(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column of the current main schema, in order, typed (nulls where absent)."""
    missing = [pl.lit(None, t).alias(c) for c, t in STAGING_SCHEMA.items() if c not in frame.columns]
    return frame.with_columns(missing).select(list(STAGING_SCHEMA))


def _quarantine_rows(bad: pl.DataFrame, raw: pl.DataFrame, text_cols: list[str]) -> pl.DataFrame:
    if bad.height == 0:
        return _empty_quarantine()
    originals = raw.join(bad.select("_chunk_row", "reason"), on="_chunk_row", how="inner")
    record = pl.concat_str([pl.format('"{}"', pl.col(c).fill_null("")) for c in text_cols], separator=",")
    return originals.select(
        "_chunk", "_chunk_row", "reason", pl.col("npi").alias("npi"), record.alias("raw_record")
    )
