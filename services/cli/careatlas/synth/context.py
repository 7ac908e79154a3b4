"""What every column builder of one batch shares: the draws, the vocabulary and who is who."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from careatlas.synth.draw import Choices, Draw
from careatlas.synth.vocab import Vocab

Columns = dict[str, pl.Series]


@dataclass
class Batch:
    draw: Draw
    vocab: Vocab
    individual: np.ndarray  # entity type 1, active
    organisation: np.ndarray  # entity type 2, active

    @property
    def n(self) -> int:
        return self.draw.n

    def word(self, name: str, mask: np.ndarray | None = None) -> pl.Series:
        return self.draw.pick(self.vocab.words[name], mask)

    def pick(self, choices: Choices, mask: np.ndarray | None = None) -> pl.Series:
        return self.draw.pick(choices, mask)
