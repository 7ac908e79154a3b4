"""The CMS text format: every field double-quoted, ``""`` for empty, one newline style."""

from __future__ import annotations

import io

import polars as pl

NEWLINES = {"lf": "\n", "crlf": "\r\n"}


def header_bytes(columns: list[str], newline: str) -> bytes:
    return (",".join(f'"{name}"' for name in columns) + newline).encode()


def frame_bytes(frame: pl.DataFrame, newline: str) -> bytes:
    """Rows without header; nulls come out as ``""`` like empty strings."""
    buffer = io.BytesIO()
    frame.write_csv(buffer, include_header=False, quote_style="always", line_terminator=newline)
    return buffer.getvalue()
