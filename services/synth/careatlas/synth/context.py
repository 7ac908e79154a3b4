"""What every column builder of one batch shares: the draws, the vocabulary and who is who."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from careatlas.synth.draw import Choices, Draw
from careatlas.synth.model import Vocab

if TYPE_CHECKING:
    from careatlas.synth.supply import Supply

Columns = dict[str, pl.Series]


@dataclass
class Batch:
    draw: Draw
    vocab: Vocab
    individual: np.ndarray  # entity type 1, active
    organisation: np.ndarray  # entity type 2, active
    # with a county supply (synth.supply): each row's practice ZIP (index into vocab.places) and kind
    supply: Supply | None = None
    home: np.ndarray | None = None
    kinds: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.draw.n

    def word(self, name: str, mask: np.ndarray | None = None) -> pl.Series:
        return self.draw.pick(self.vocab.words[name], mask)

    def pick(self, choices: Choices, mask: np.ndarray | None = None) -> pl.Series:
        return self.draw.pick(choices, mask)
