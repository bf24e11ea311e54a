"""Image metrics on uint8 frames (..., H, W, 3), and the intervals the report gives them.

SSIM is the standard one (Wang et al., 2004) as scikit-image computes it with
`gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255,
channel_axis=-1`: an 11x11 Gaussian window (truncated at 3.5 sigma), each colour channel
on its own, averaged over the windows that fit inside the frame and over the channels.
tests/test_eval_measures.py holds it to scikit-image within 1e-3.
"""
from __future__ import annotations

import math

import numpy as np
import torch

from playground.psnr import psnr, psnr_text  # noqa: F401  (evaluation names them from here too)

SSIM_SIGMA = 1.5
SSIM_RADIUS = int(3.5 * SSIM_SIGMA + 0.5)   # scipy's gaussian_filter truncation (truncate=3.5)


def _window_matrix(n: int) -> torch.Tensor:
    """(n, n - 10): column j holds the 1-D Gaussian at rows j..j+10, so that `x @ M` is the
    window's mean along an axis of length n over every valid position. The window is
    separable, and two small matrix products run several times faster on a CPU than the
    same sums as a convolution."""
    x = torch.arange(-SSIM_RADIUS, SSIM_RADIUS + 1, dtype=torch.float64)
    g = torch.exp(-x ** 2 / (2 * SSIM_SIGMA ** 2))
    g = g / g.sum()
    m = torch.zeros(n, n - 2 * SSIM_RADIUS, dtype=torch.float64)
    for j in range(m.shape[1]):
        m[j:j + len(g), j] = g
    return m


def ssim(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """SSIM per frame of uint8 RGB frames (..., H, W, 3), broadcasting the leading axes."""
    shape = np.broadcast_shapes(np.shape(a)[:-3], np.shape(b)[:-3])
    hw3 = np.shape(a)[-3:]

    def planes(x):   # (N, 3, H, W) float64
        x = torch.from_numpy(np.ascontiguousarray(np.broadcast_to(x, (*shape, *hw3)), dtype=np.float64))
        return x.reshape(-1, *hw3).permute(0, 3, 1, 2)

    x, y = planes(a), planes(b)
    down, across = _window_matrix(hw3[0]).T, _window_matrix(hw3[1])
    blur = lambda t: down @ t @ across  # noqa: E731  (valid windows only, as scikit-image crops)
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return s.mean(dim=(1, 2, 3)).numpy().reshape(shape)


def gradient_energy(frames: np.ndarray) -> np.ndarray:
    """Sharpness per frame: the mean squared difference of neighbouring pixels' luma,
    across and down (..., H, W, 3) -> (...). A smear scores near 0, a flat colour 0."""
    f = np.asarray(frames, np.float32)
    luma = f[..., 0] * 0.299 + f[..., 1] * 0.587 + f[..., 2] * 0.114
    dx = np.diff(luma, axis=-1) ** 2
    dy = np.diff(luma, axis=-2) ** 2
    return dx.mean(axis=(-2, -1)) + dy.mean(axis=(-2, -1))


def mean_ci(x, z: float = 1.96) -> tuple[float, float]:
    """Mean and the half-width of its normal-approximation 95% confidence interval."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if len(x) < 2:
        return float(x.mean()) if len(x) else float("nan"), float("nan")
    return float(x.mean()), float(z * x.std(ddof=1) / np.sqrt(len(x)))


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float, float]:
    """A rate and its Wilson score 95% interval (rate, low, high); right also at 0 and 1
    and for few trials, where the normal approximation is not. No trials: all NaN."""
    if trials == 0:
        return float("nan"), float("nan"), float("nan")
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials ** 2)) / (1 + z * z / trials)
    return p, max(0.0, centre - half), min(1.0, centre + half)
