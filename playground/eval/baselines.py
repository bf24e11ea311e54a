"""Trivial predictors scored like the dream, to read its PSNR against: PSNR rewards blur,
so a flat picture already scores ~12-13 dB on these worlds, and holding the start frame
still scores well whenever the view barely moves (it is exact for "still").

Each is a World-like object (reset(seed) -> frame, step(action) -> frame) that sees only
the start frame the dream also starts from."""
from __future__ import annotations

import numpy as np

from playground.voxel import VoxelWorld


class HeldStart:
    """The start frame, shown forever: a model that predicts no change."""
    name = "start frame held"

    def __init__(self):
        self.truth = VoxelWorld()

    def reset(self, seed: int) -> np.ndarray:
        self.frame = self.truth.reset(seed)
        return self.frame

    def step(self, action) -> np.ndarray:
        return self.frame


class MeanColour(HeldStart):
    """The start frame's mean colour everywhere: a maximally blurred guess."""
    name = "its mean colour"

    def reset(self, seed: int) -> np.ndarray:
        first = super().reset(seed)
        self.frame = np.broadcast_to(first.reshape(-1, 3).mean(0).round().astype(np.uint8), first.shape).copy()
        return first


BASELINES = (HeldStart, MeanColour)
