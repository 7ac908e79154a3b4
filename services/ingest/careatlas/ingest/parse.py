"""Parse one block of NPPES CSV bytes into typed rows and quarantined rows. Pure: no I/O.

Every record read ends in exactly one of the two outputs, so counts reconcile:
``rows_read == valid.height + quarantine.height``. Quarantined rows keep their reason, their
position in the chunk and the raw record, so nothing is lost.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass

import polars as pl

from careatlas.nppes import records
from careatlas.nppes import schema as nppes_schema
from careatlas.nppes.schema import FileSchema

EXTRA = "__extra_field"  # catches rows with more fields than the header
STATE = "_state"  # partition key: a USPS code, FOREIGN (non-US address) or NONE
QUARANTINE_SCHEMA = pl.Schema(
    {"_chunk": pl.Int32, "_chunk_row": pl.Int64, "reason": pl.String, "npi": pl.String, "raw_record": pl.String}
)
_PRACTICE_STATE = "provider_business_practice_location_address_state_name"
_PRACTICE_COUNTRY = "provider_business_practice_location_address_country_code_if_outside_u_s"
_PL_STATE = "provider_secondary_practice_location_address_state_name"
_PL_COUNTRY = "provider_secondary_practice_location_address_country_code_if_outside_u_s"
# (state, country) columns that partition and check a file's rows: the main file's practice
# location, pl_pfile's secondary location; othername and endpoint rows have none (state=NONE)
LOCATION_COLUMNS = {"npidata": (_PRACTICE_STATE, _PRACTICE_COUNTRY), "pl": (_PL_STATE, _PL_COUNTRY)}
# NUL and the C0 controls other than tab, line feed and carriage return carry no meaning in NPPES
# text (they come from broken exports): they are removed, and the record counts as repaired
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])  # the same set, for translate
_EDGE_SPACE = r"^\s|\s$"  # a value strip_chars would change


def _cp1252_runs(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode only the bytes UTF-8 refused, as cp1252 (Latin-1 accents in older NPPES records)."""
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("careatlas-cp1252", _cp1252_runs)


@dataclass
class Block:
    valid: pl.DataFrame
    quarantine: pl.DataFrame
    rows_read: int
    encoding_repaired: int


def parse_block(data: bytes, schema: FileSchema, *, chunk: int, first_row: int, quoted: bool | None = None) -> Block:
    """``first_row`` is the 1-based position in the chunk of the block's first record; ``quoted``
    (an all-quoted file) defaults to what the block's first byte says.

    ``rows_read`` comes from a quote-aware CSV parse (Polars, or ``csv`` over the whole block),
    never from the boundary rule, which only cross-checks Polars."""
    quoted = data[:1] == b'"' if quoted is None else quoted
    data, repaired = repair_text(data, quoted=quoted)
    try:
        raw = read_raw(data, schema)
        structural = _empty_quarantine()
        # bad quoting can merge records without an error, and an unquoted short row reads as nulls
        if raw.height != records.count_records(data, quoted=quoted) or not _widths_known(data, raw, schema, quoted):
            raise pl.exceptions.ComputeError("the fast path cannot vouch for this block")
    except pl.exceptions.PolarsError:
        raw, structural = _read_record_by_record(data, schema, chunk=chunk, first_row=first_row, quoted=quoted)
    raw = raw.with_columns(
        pl.lit(chunk, pl.Int32).alias("_chunk"),
        (pl.int_range(pl.len(), dtype=pl.Int64) + first_row).alias("_chunk_row"),
    )
    if "__row" in raw.columns:  # the slow path numbered its survivors itself
        raw = raw.with_columns(pl.col("__row").alias("_chunk_row")).drop("__row")
    valid, rejected = validate(raw, schema, quoted=quoted)
    quarantine = pl.concat([structural, rejected]).sort("_chunk_row")
    return Block(valid, quarantine, valid.height + quarantine.height, repaired)


def repair_text(data: bytes, *, quoted: bool) -> tuple[bytes, int]:
    """NPPES files carry occasional non-UTF-8 bytes (Latin-1 accents) and, from broken exports,
    control characters. Only the bad bytes change: undecodable runs are read as cp1252, NUL and
    C0 controls (not tab, CR, LF) are removed. Returns the text and the records repaired."""
    try:
        data.decode("utf-8")
        if len(data.translate(None, _CONTROL_BYTES)) == len(data):  # ~3x faster than the regex search
            return data, 0
    except UnicodeDecodeError:
        pass
    repaired, fixed = [], 0
    for record in records.split_records(data, quoted=quoted):
        clean = _CONTROL.sub(b"", record.decode("utf-8", errors="careatlas-cp1252").encode("utf-8"))
        fixed += clean != record
        repaired.append(clean)
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


def _widths_known(data: bytes, raw: pl.DataFrame, schema: FileSchema, quoted: bool) -> bool:
    """In all-quoted files a missing field reads as null and an empty one as "", so short rows
    show (``_reasons``). Unquoted, both read as null: count the separators instead, which is exact
    when the block holds no quote; a block with quotes goes to the ``csv`` path."""
    if quoted:
        return True
    if b'"' in data:
        return False
    lines = pl.Series(data.decode("utf-8").rstrip("\r\n").split("\n"))
    return bool((lines.str.count_matches(",", literal=True) + 1 == len(schema.columns)).all())


def _read_record_by_record(
    data: bytes, schema: FileSchema, *, chunk: int, first_row: int, quoted: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Slow path for a block Polars cannot vouch for: ``csv`` over the whole block, which respects
    quotes, so a legal quoted line break never splits a record. A record that fails is cut off at
    the first line inside it that starts a record, so it cannot drag valid neighbours with it."""
    good: list[list[str | None]] = []
    bad: list[dict] = []
    width = len(schema.columns)
    for offset, (text, fields, problem) in enumerate(csv_records(data.decode("utf-8"), width, quoted=quoted)):
        row = first_row + offset
        if problem:
            bad.append({"_chunk": chunk, "_chunk_row": row, "reason": problem,
                        "npi": text[1:11] if text[:1] == '"' else text[:10], "raw_record": text})
        else:
            good.append([*fields, None, row])
    columns = [*schema.columns, EXTRA, "__row"]
    raw = pl.DataFrame(good, schema={c: pl.String for c in columns[:-1]} | {"__row": pl.Int64}, orient="row")
    return raw, pl.DataFrame(bad, schema=QUARANTINE_SCHEMA)


def csv_records(text: str, width: int, *, quoted: bool):
    """(record text, fields, problem or None) for every record of ``text``, quote-aware."""
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    position = 0
    while position < len(lines):
        if not lines[position].strip():
            position += 1
            continue
        feed = _Lines(lines, position)
        try:
            fields = next(csv.reader(feed, strict=True))
            problem = None if len(fields) == width else f"row has {len(fields)} fields, expected {width}"
        except csv.Error as error:
            fields, problem = [], f"malformed CSV quoting: {error}"
        end = max(feed.position, position + 1)
        if problem:
            end = next((k for k in range(position + 1, end) if records.starts_record(lines[k], quoted=quoted)), end)
        yield "".join(lines[position:end]).rstrip("\r\n"), fields, problem
        position = end


class _Lines:
    """The lines ``csv.reader`` consumes, so each record's own lines are known."""

    def __init__(self, lines: list[str], position: int) -> None:
        self.lines, self.position = lines, position

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.position >= len(self.lines):
            raise StopIteration
        self.position += 1
        return self.lines[self.position - 1]


def _empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


# ---------------------------------------------------------------- validation and typing
def validate(raw: pl.DataFrame, schema: FileSchema, *, quoted: bool) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Trim, null the empties, check and type. Only columns holding a value in this block are
    processed: most of the 330 are empty in most rows, and skipping them is 9x faster."""
    present = present_columns(raw, schema)
    cleaned = raw.select(*_trimmed(raw, present), "_chunk", "_chunk_row")
    reasons = _reasons(raw, schema, present, quoted=quoted)
    reason = pl.concat_str(reasons, separator="; ", ignore_nulls=True) if reasons else pl.lit(None, pl.String)
    checked = cleaned.with_columns(pl.when(reason != "").then(reason).alias("reason"))
    if checked["reason"].null_count() == checked.height:  # the common case: no gather needed
        return _typed(checked.drop("reason"), schema), _empty_quarantine()
    bad = checked.filter(pl.col("reason").is_not_null())
    good = checked.filter(pl.col("reason").is_null()).drop("reason")
    return _typed(good, schema), _quarantine_rows(bad, raw, list(schema.columns))


def _trimmed(raw: pl.DataFrame, present: list[str]) -> list[pl.Expr]:
    """``present`` trimmed, empty values null. Finding the columns that need trimming (rare in
    NPPES) and trimming only those costs ~60% of trimming every one."""
    if not present:
        return []
    edges = raw.select(pl.col(present).str.contains(_EDGE_SPACE).any()).row(0)
    values = [pl.col(c).str.strip_chars() if edge else pl.col(c) for c, edge in zip(present, edges, strict=True)]
    return [pl.when(v.str.len_bytes() > 0).then(v).alias(c) for c, v in zip(present, values, strict=True)]


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
    location = LOCATION_COLUMNS.get(schema.kind)
    if location and location[0] in present:
        reasons.append(_state_reason(present, *location))
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


def _state_reason(present: list[str], state_column: str, country_column: str) -> pl.Expr:
    state, country = pl.col(state_column), _column(country_column, present)
    us = country.is_null() | (country == "US")
    known = state.str.to_uppercase().is_in(sorted(nppes_schema.POSTAL_STATE_CODES))
    return pl.when(us & state.is_not_null() & ~known).then(
        pl.format(f"{state_column}: not a US state code: {{}}", state)
    )


def _typed(good: pl.DataFrame, schema: FileSchema) -> pl.DataFrame:
    """Cast what is present and add the partition key. Columns absent from the block stay
    absent (``complete`` adds them as typed nulls at write time) and the frame is shrunk, so
    it no longer pins the block's raw CSV buffers in memory."""
    casts = [pl.col(c).str.to_date("%m/%d/%Y") for c in schema.date_columns if c in good.columns]
    casts += [pl.col(c).cast(pl.Int64) for c in schema.npi_columns if c in good.columns]
    state_column, country_column = LOCATION_COLUMNS.get(schema.kind, ("", ""))
    state = pl.col(state_column).str.to_uppercase() if state_column in good.columns else pl.lit(None, pl.String)
    country = pl.col(country_column) if country_column in good.columns else pl.lit(None, pl.String)
    partition = (
        pl.when(country.is_not_null() & (country != "US")).then(pl.lit("FOREIGN"))
        .when(state.is_not_null()).then(state)
        .otherwise(pl.lit("NONE"))
        .alias(STATE)
    )
    return good.with_columns(*casts, partition).shrink_to_fit()


def staging_schema(dataset: str) -> pl.Schema:
    """Chunk files hold only the columns with a value; readers insert the rest from this schema
    (the current schema of the dataset's file, so legacy main files land in today's shape)."""
    columns = nppes_schema.schema_for(dataset).polars_schema
    return pl.Schema({**columns, "_chunk": pl.Int32(), "_chunk_row": pl.Int64()})


STAGING_SCHEMA = staging_schema("npidata")


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
