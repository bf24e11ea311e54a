"""Image metrics on uint8 frames (..., H, W, 3)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def psnr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """PSNR in dB per frame (over the last three axes)."""
    mse = ((a.astype(np.float64) - b.astype(np.float64)) ** 2).mean(axis=(-3, -2, -1))
    return 10 * np.log10(255.0 ** 2 / np.maximum(mse, 1e-10))


def psnr_text(db: float, unit: str = "") -> str:
    """A PSNR for tables: "exact" for identical frames (psnr() floors the error, ~148 dB)."""
    return "exact" if db >= 99 else f"{db:.1f}{unit}"


def ssim(a: np.ndarray, b: np.ndarray, sigma: float = 1.5, size: int = 7) -> np.ndarray:
    """SSIM per frame (Wang et al., 2004): Gaussian window, on luma, constants K1=.01, K2=.03."""
    def luma(x):
        x = torch.tensor(np.asarray(x), dtype=torch.float64)
        return (x[..., 0] * 0.299 + x[..., 1] * 0.587 + x[..., 2] * 0.114).reshape(-1, 1, *x.shape[-3:-1])
    shape = np.broadcast_shapes(np.shape(a)[:-3], np.shape(b)[:-3])
    x, y = luma(np.broadcast_to(a, (*shape, *np.shape(a)[-3:]))), luma(np.broadcast_to(b, (*shape, *np.shape(b)[-3:])))
    g = torch.exp(-((torch.arange(size, dtype=torch.float64) - size // 2) ** 2) / (2 * sigma ** 2))
    w = (g[:, None] * g[None, :] / g.sum() ** 2)[None, None]
    blur = lambda t: F.conv2d(t, w)  # noqa: E731  (valid windows only)
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx ** 2, blur(y * y) - my ** 2, blur(x * y) - mx * my
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx ** 2 + my ** 2 + c1) * (vx + vy + c2))
    return s.mean(dim=(1, 2, 3)).numpy().reshape(shape)


def mean_ci(x, z: float = 1.96) -> tuple[float, float]:
    """Mean and the half-width of its normal-approximation 95% confidence interval."""
    x = np.asarray(x, dtype=np.float64).ravel()
    if len(x) < 2:
        return float(x.mean()) if len(x) else float("nan"), float("nan")
    return float(x.mean()), float(z * x.std(ddof=1) / np.sqrt(len(x)))
