"""Agreement figures, pure (no I/O): rank correlation, percent differences, ROC AUC, confusion.

Ties get average ranks everywhere (Spearman's rho with ties is the Pearson correlation of the
average ranks; the Mann-Whitney AUC counts a tied pair as half), so a figure does not depend on
row order. Rows where either value is null are left out and counted as not compared.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import cast

import numpy as np
import polars as pl

OVER_PCT = 20.0  # "counties more than 20% apart" (issue 13)


def _ranks(values: np.ndarray) -> np.ndarray:
    return pl.Series(values).rank("average").to_numpy().astype(float)


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho of paired values; None with fewer than 3 pairs or a constant side."""
    a, b = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if a.size < 3:
        return None
    ra, rb = _ranks(a), _ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    scale = math.sqrt(float((ra**2).sum() * (rb**2).sum()))
    return None if scale == 0 else float((ra * rb).sum() / scale)


def pct_diff(ours: pl.Expr, reference: pl.Expr) -> pl.Expr:
    """Percent difference of ours from the reference, (ours - reference) / reference x 100."""
    return pl.when(reference != 0).then(100.0 * (ours - reference) / reference)


def agreement(frame: pl.DataFrame, ours: str, reference: str) -> dict[str, float | int | None]:
    """Spearman, median absolute % difference and counties more than 20% apart, over the rows
    where both values are known (a reference of 0 has no % difference)."""
    both = frame.filter(pl.col(ours).is_not_null() & pl.col(reference).is_not_null()
                        & pl.col(ours).is_finite() & pl.col(reference).is_finite())
    diffs = both.select(pct_diff(pl.col(ours), pl.col(reference)).abs().alias("d"))["d"].drop_nulls()
    return {
        "counties_compared": both.height,
        "spearman": spearman(both[ours].to_list(), both[reference].to_list()),
        "median_abs_pct_diff": float(cast(float, diffs.median())) if diffs.len() else None,  # of Float64
        "counties_over_20pct": int((diffs > OVER_PCT).sum()),
    }


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """ROC AUC by the Mann-Whitney U statistic: the chance that a random positive scores above a
    random negative (ties count half); None without both classes."""
    s, y = np.asarray(scores, dtype=float), np.asarray(labels, dtype=bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if positives == 0 or negatives == 0:
        return None
    rank_sum = float(_ranks(s)[y].sum())
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def confusion(predicted: Sequence[bool], actual: Sequence[bool]) -> dict[str, float | int | None]:
    """True/false positives and negatives, sensitivity (TP / (TP + FN)) and specificity
    (TN / (TN + FP)); a rate is None when its denominator is 0."""
    p, a = np.asarray(predicted, dtype=bool), np.asarray(actual, dtype=bool)
    tp, fp = int((p & a).sum()), int((p & ~a).sum())
    fn, tn = int((~p & a).sum()), int((~p & ~a).sum())
    return {
        "true_positives": tp, "false_positives": fp, "false_negatives": fn, "true_negatives": tn,
        "sensitivity": tp / (tp + fn) if tp + fn else None,
        "specificity": tn / (tn + fp) if tn + fp else None,
    }
