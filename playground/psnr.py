"""PSNR, the one definition: evaluation's tables and the game's side-by-side view use it."""
from __future__ import annotations

import numpy as np


def psnr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """PSNR in dB per frame (over the last three axes); identical frames give ~148 dB
    (the error is floored at 1e-10), see psnr_text."""
    mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean(axis=(-3, -2, -1))
    return 10 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-10))


def psnr_text(db: float, unit: str = "") -> str:
    """A PSNR for tables: "exact" for identical frames (psnr() floors the error, ~148 dB)."""
    return "exact" if db >= 99 else f"{db:.1f}{unit}"
