"""Degraded frames for networks that read the dream's frames but learn on the voxel
world's: the dream is softer than the world, so training sees a little blur and noise."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def degrade(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A random box blur of 1-3 px (one for the whole batch) and noise on (N, 3, H, W) in [-1, 1]."""
    k = int(torch.randint(1, 4, (1,), generator=gen))
    if k > 1:
        x = F.avg_pool2d(F.pad(x, (k // 2, (k - 1) // 2) * 2, mode="replicate"), k, stride=1)
    return x + 0.03 * torch.randn(x.shape, generator=gen)
