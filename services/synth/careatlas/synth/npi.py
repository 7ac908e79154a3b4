"""Unique, Luhn-valid NPIs for any row index, computed in bulk.

Row ``i`` gets the 9-digit prefix ``1xxxxxxxx`` from an affine permutation of ``i`` (a
bijection modulo 10**8), so NPIs are unique within a file without a set to check against
and batches can be generated independently and in any order."""

from __future__ import annotations

import math

import numpy as np

SPACE = 10**8  # prefixes 100000000..199999999: real NPIs start with 1
_LUHN_PREFIX_SUM = 24  # "80840" contributes 24 to the Luhn sum (nppes_schema.npi_check_digit)
_DOUBLED = np.array([0, 2, 4, 6, 8, 1, 3, 5, 7, 9])  # Luhn double of each digit, minus 9


class NpiSequence:
    """The NPI of every row index for one seed."""

    def __init__(self, seed: int, stream: int = 0) -> None:
        rng = np.random.default_rng([seed, stream, 0x4E5049])
        step = int(rng.integers(SPACE // 3, SPACE))
        while math.gcd(step, SPACE) != 1:
            step += 1
        self.step, self.offset = step, int(rng.integers(0, SPACE))

    def prefixes(self, start: int, count: int) -> np.ndarray:
        if start + count > SPACE:
            raise ValueError(f"at most {SPACE:,} NPIs per file")
        index = np.arange(start, start + count, dtype=np.int64)
        return SPACE + (index * self.step + self.offset) % SPACE

    def npis(self, start: int, count: int) -> np.ndarray:
        return with_check_digit(self.prefixes(start, count))


def with_check_digit(prefixes: np.ndarray) -> np.ndarray:
    """10-digit NPIs (int64) from 9-digit prefixes."""
    total = np.full(prefixes.shape, _LUHN_PREFIX_SUM, dtype=np.int64)
    rest = prefixes.astype(np.int64)
    for position in range(9):  # from the rightmost digit, which is doubled
        digit = rest % 10
        total += _DOUBLED[digit] if position % 2 == 0 else digit
        rest //= 10
    return prefixes * 10 + (10 - total % 10) % 10
