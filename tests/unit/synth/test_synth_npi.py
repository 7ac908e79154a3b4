from __future__ import annotations

import numpy as np
import pytest

from careatlas.nppes.schema import npi_check_digit
from careatlas.synth.npi import SPACE, NpiSequence, with_check_digit


@pytest.mark.parametrize("prefix", [123456789, 100000000, 199999999, 167957672, 158866763])
def test_check_digit_matches_the_schema(prefix: int) -> None:
    npi = int(with_check_digit(np.array([prefix]))[0])
    assert npi // 10 == prefix
    assert npi % 10 == npi_check_digit(str(prefix))


def test_known_real_npi() -> None:
    assert int(with_check_digit(np.array([167957672]))[0]) == 1679576722  # from the CMS sample


@pytest.mark.parametrize("seed", [0, 1, 99])
def test_batches_never_collide(seed: int) -> None:
    sequence = NpiSequence(seed)
    whole = sequence.npis(0, 30_000)
    pieces = np.concatenate([sequence.npis(0, 10_000), sequence.npis(10_000, 20_000)])
    assert np.array_equal(whole, pieces)
    assert len(np.unique(whole)) == len(whole)
    assert ((whole >= 10**9) & (whole < 2 * 10**9)).all()


def test_streams_differ() -> None:
    assert not np.array_equal(NpiSequence(1).npis(0, 100), NpiSequence(1, stream=1).npis(0, 100))


def test_too_many_rows_is_an_error() -> None:
    with pytest.raises(ValueError, match="NPIs per file"):
        NpiSequence(0).npis(SPACE - 5, 10)
