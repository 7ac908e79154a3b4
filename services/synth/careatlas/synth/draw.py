"""Vectorised random draws for one batch: every call returns a whole column at once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl


@dataclass(frozen=True)
class Choices:
    """Values to draw from, with cumulative weights (``None``: uniform)."""

    values: pl.Series
    cumulative: np.ndarray | None = None

    @classmethod
    def of(cls, values: list[str], weights: list[float] | np.ndarray | None = None) -> Choices:
        series = pl.Series(values, dtype=pl.String)
        if weights is None:
            return cls(series)
        cumulative = np.cumsum(np.asarray(weights, dtype=np.float64))
        return cls(series, cumulative / cumulative[-1])

    def __len__(self) -> int:
        return len(self.values)


class Draw:
    """Random columns of length ``n`` from one seeded generator."""

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.rng, self.n = rng, n

    def flag(self, probability: float | np.ndarray) -> np.ndarray:
        return self.rng.random(self.n) < probability

    def index(self, choices: Choices) -> np.ndarray:
        if choices.cumulative is None:
            return self.rng.integers(0, len(choices), self.n)
        found = np.searchsorted(choices.cumulative, self.rng.random(self.n), side="right")
        return np.minimum(found, len(choices) - 1)

    def pick(self, choices: Choices, mask: np.ndarray | None = None) -> pl.Series:
        return take(choices.values, self.index(choices), mask)

    def integers(self, low: int, high: int) -> np.ndarray:
        return self.rng.integers(low, high, self.n)

    def digits(self, width: int, mask: np.ndarray | None = None, low: int = 0) -> pl.Series:
        """Zero-padded ``width``-digit numbers as text (phones, ZIP+4, identifiers)."""
        text = pl.Series(self.integers(low, 10**width), dtype=pl.Int64).cast(pl.String)
        return nulls_where(text.str.zfill(width), mask)


def take(values: pl.Series, index: np.ndarray, mask: np.ndarray | None = None) -> pl.Series:
    """``values[index]``, null where ``mask`` is False."""
    if mask is None:
        return values.gather(index)
    padded = values.extend_constant(None, 1)
    return padded.gather(np.where(mask, index, len(values)))


def nulls_where(series: pl.Series, mask: np.ndarray | None) -> pl.Series:
    """Keep ``series`` where ``mask`` is True, null elsewhere."""
    if mask is None:
        return series
    return series.zip_with(pl.Series(mask, dtype=pl.Boolean), null_column(len(series), series.dtype))


@lru_cache(maxsize=16)
def null_column(length: int, dtype: pl.DataType | type[pl.DataType] = pl.String) -> pl.Series:
    """All-null column; cached because every batch needs hundreds of them."""
    return pl.repeat(None, length, dtype=dtype, eager=True)


def choose(mask: np.ndarray, when_true: pl.Series, when_false: pl.Series) -> pl.Series:
    return when_true.zip_with(pl.Series(mask, dtype=pl.Boolean), when_false)


def constant(value: str, mask: np.ndarray) -> pl.Series:
    """``value`` where ``mask`` is True, null elsewhere."""
    return take(pl.Series([value], dtype=pl.String), np.zeros(len(mask), dtype=np.int64), mask)
