"""Enumeration, update, certification, deactivation and reactivation dates as day numbers
from the first NPPES enumeration (05/23/2005), turned into MM/DD/YYYY text by lookup."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import polars as pl

from careatlas.synth.draw import Draw, take

EPOCH = date(2005, 5, 23)  # first NPIs were enumerated on this day
EARLIEST_RELEASE = date(2008, 1, 1)


def day_number(value: date) -> int:
    return (value - EPOCH).days


@lru_cache(maxsize=8)
def calendar(release: date) -> pl.Series:
    """MM/DD/YYYY text of every day from EPOCH to ``release``: dates are gathered, not formatted."""
    days = [EPOCH + timedelta(days=i) for i in range(day_number(release) + 1)]
    return pl.Series([d.strftime("%m/%d/%Y") for d in days], dtype=pl.String)


@dataclass
class Dates:
    enumeration: np.ndarray
    last_update: np.ndarray
    certification: np.ndarray  # -1 where none
    deactivation: np.ndarray  # -1 where none
    reactivation: np.ndarray  # -1 where none


def draw_dates(draw: Draw, release: date, deactivated: np.ndarray, reactivated: np.ndarray) -> Dates:
    last_day = day_number(release)
    early_end = day_number(date(2007, 12, 31))
    # the first two years enumerated the existing workforce; after that a steady stream
    enumeration = np.where(draw.flag(0.25), draw.integers(0, early_end + 1),
                           draw.integers(early_end + 1, last_day + 1))
    span = last_day - enumeration
    last_update = enumeration + (span * draw.rng.random(draw.n) ** 0.6).astype(np.int64)
    cert_start = np.maximum(enumeration, day_number(date(2012, 1, 1)))
    certification = np.where(draw.flag(0.27) & (cert_start <= last_day),
                             _between(draw, cert_start, last_day), -1)
    deactivation = np.where(deactivated, draw.integers(30, last_day + 1), -1)
    return _reactivate(draw, Dates(enumeration, last_update, certification, deactivation,
                                   np.full(draw.n, -1)), reactivated & (span > 60), last_day)


def _between(draw: Draw, low: np.ndarray, high: np.ndarray | int) -> np.ndarray:
    between: np.ndarray = low + (draw.rng.random(draw.n) * (np.asarray(high) - low + 1)).astype(np.int64)
    return between


def _reactivate(draw: Draw, dates: Dates, rows: np.ndarray, last_day: int) -> Dates:
    """Deactivated once, reactivated later: both dates shown, the row otherwise active."""
    off = _between(draw, dates.enumeration, last_day - 31)
    back = off + 1 + (draw.rng.random(draw.n) * np.minimum(365, last_day - off - 1)).astype(np.int64)
    dates.deactivation = np.where(rows, off, dates.deactivation)
    dates.reactivation = np.where(rows, back, -1)
    dates.last_update = np.where(rows, np.maximum(dates.last_update, back), dates.last_update)
    return dates


def as_text(days: np.ndarray, release: date) -> pl.Series:
    """Day numbers -> MM/DD/YYYY, null where negative."""
    return take(calendar(release), np.maximum(days, 0), days >= 0)
