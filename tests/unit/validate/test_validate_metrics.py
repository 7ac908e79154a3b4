"""The agreement figures on values whose answers are worked out by hand."""

from __future__ import annotations

import math

import polars as pl
import pytest

from careatlas.validate import metrics


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        ([1, 2, 3, 4], [1, 2, 3, 4], 1.0),
        ([1, 2, 3, 4], [4, 3, 2, 1], -1.0),
        # one swapped pair: 1 - 6 * (1 + 1) / (4 * 15) = 0.8
        ([1, 2, 3, 4], [10, 30, 20, 40], 0.8),
        # a tie on the reference side: average ranks (1, 3.5, 2, 3.5) against (1, 2, 3, 4): 3 / sqrt(22.5)
        ([1000, 1500, 2000, 3000], [1250, 3000, 2000, 3000], 3 / math.sqrt(22.5)),
        ([1, 2], [1, 2], None),  # fewer than 3 pairs
        ([1, 2, 3], [5, 5, 5], None),  # a constant side has no rank order
    ],
)
def test_spearman(x: list[float], y: list[float], expected: float | None) -> None:
    got = metrics.spearman(x, y)
    assert got == expected if expected is None else got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "labels", "expected"),
    [
        ([0.1, 0.4, 0.35, 0.8], [False, False, True, True], 0.75),  # 3 of 4 pairs ordered
        ([1, 2, 3], [False, False, True], 1.0),
        ([3, 2, 1], [False, False, True], 0.0),
        ([5, 5, 5, 5], [True, False, True, False], 0.5),  # all ties count half
        ([1, 2], [True, True], None),  # one class only
    ],
)
def test_auc_is_the_mann_whitney_statistic(scores: list[float], labels: list[bool], expected: float | None) -> None:
    got = metrics.auc(scores, labels)
    assert got == expected if expected is None else got == pytest.approx(expected)


def test_confusion_matrix_sensitivity_and_specificity() -> None:
    predicted = [True, True, False, False, False, True, False]
    actual = [True, True, True, True, True, False, False]
    assert metrics.confusion(predicted, actual) == {
        "true_positives": 2, "false_positives": 1, "false_negatives": 3, "true_negatives": 1,
        "sensitivity": 0.4, "specificity": 0.5,
    }
    assert metrics.confusion([False], [False])["sensitivity"] is None


def test_agreement_leaves_out_unknown_values_and_counts_only_more_than_20pct() -> None:
    frame = pl.DataFrame({
        "ours": [1000.0, 1500.0, 2000.0, 3000.0, None, 50.0],
        "ref": [1250.0, 3000.0, 2000.0, 3000.0, 10.0, None],
    })
    # % differences -20 (exactly 20: not more), -50, 0, 0 -> median of |d| = 10, one over 20%
    assert metrics.agreement(frame, "ours", "ref") == {
        "counties_compared": 4, "spearman": pytest.approx(3 / math.sqrt(22.5)),
        "median_abs_pct_diff": pytest.approx(10.0), "counties_over_20pct": 1,
    }
