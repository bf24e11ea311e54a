"""How far each pixel of a frame is: a small U-Net on one frame (the dream knows the depth
of every frame it shows, and so can lift it into the world; docs/design.md, world memory).

It is trained on the voxel world's frames and exact depth (`VoxelWorld.depth`, distance
along each pixel's ray): `train/depth.py`. The world's fog hides everything beyond the
camera's `far` distance, and the sky is infinitely far, so the network says two things
per pixel: whether it is *far* (sky, or fully fogged: nothing to keep in a memory) and,
where it is not, the log of its distance.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from playground.model.autoencoder import frames_to_tensor

FAMILY = "depth"   # its name in a checkpoint (dream/load.py)


@dataclass(frozen=True)
class DepthConfig:
    image_size: tuple[int, int] = (64, 64)
    width: int = 16            # channels at half resolution; each of the 2 further halvings doubles them
    far: float = 28.0          # blocks: what lies beyond is fogged out (voxel Camera.far)


def _block(cin: int, cout: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.GroupNorm(8, cout), nn.SiLU(),
                         nn.Conv2d(cout, cout, 3, padding=1), nn.GroupNorm(8, cout), nn.SiLU())


class DepthNet(nn.Module):
    """frame (N, 3, H, W) in [-1, 1] -> (log distance (N, H, W), far logit (N, H, W))."""

    def __init__(self, cfg: DepthConfig = DepthConfig()):
        super().__init__()
        self.cfg = cfg
        w = cfg.width
        chans = (w, 2 * w, 4 * w)
        # Depth varies smoothly but for block edges: the net works at half resolution and its
        # answer is upsampled (4x less work than a full-resolution stem).
        self.stem = nn.Sequential(nn.Conv2d(3, w, 4, stride=2, padding=1), nn.GroupNorm(8, w), nn.SiLU(), _block(w, w))
        self.down = nn.ModuleList(_block(a, b) for a, b in zip(chans, chans[1:]))
        # At 1/8 of the frame: dilated convolutions see most of the frame (the horizon, the sky).
        self.context = nn.Sequential(*(nn.Sequential(nn.Conv2d(chans[-1], chans[-1], 3, padding=d, dilation=d),
                                                     nn.GroupNorm(8, chans[-1]), nn.SiLU()) for d in (2, 4)))
        self.up = nn.ModuleList(_block(b + a, a) for a, b in zip(chans[:-1][::-1], chans[1:][::-1]))
        self.head = nn.Conv2d(chans[0], 2, 1)

    def forward(self, frame: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        skips, x = [], self.stem(frame)                      # (N, w, H/2, W/2)
        for block in self.down:
            skips.append(x)
            x = block(F.avg_pool2d(x, 2))                    # halves H, W
        x = x + self.context(x)                              # (N, 4w, H/8, W/8)
        for block, skip in zip(self.up, skips[::-1]):
            x = block(torch.cat([F.interpolate(x, scale_factor=2.0, mode="nearest"), skip], 1))
        out = F.interpolate(self.head(x), scale_factor=2.0, mode="bilinear")   # (N, 2, H, W)
        return out[:, 0], out[:, 1]


@torch.no_grad()
def predict(net: DepthNet, frames: np.ndarray, batch: int = 256, bf16: bool = False) -> np.ndarray:
    """Distances along each pixel's ray of uint8 frames (N, H, W, 3): float32 (N, H, W),
    inf where the net calls the pixel far (sky or fogged out). Channels-last, and with
    `bf16` under autocast: on the CPU the convolutions are up to 2x faster that way."""
    out, device = [], next(net.parameters()).device
    for i in range(0, len(frames), batch):
        x = frames_to_tensor(frames[i:i + batch]).to(device).contiguous(memory_format=torch.channels_last)
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=bf16):
            log_d, far = (t.float() for t in net(x))
        d = log_d.exp().clamp(max=net.cfg.far)
        out.append(torch.where(far > 0, torch.full_like(d, float("inf")), d).cpu().numpy())
    return np.concatenate(out).astype(np.float32)


def relative_error(predicted: np.ndarray, truth: np.ndarray, far: float) -> np.ndarray:
    """|predicted - truth| / truth on the pixels the truth places within `far` (a pixel the
    net calls far counts as `far` away): the figures of the depth acceptance."""
    near = truth < far
    p = np.minimum(np.where(np.isfinite(predicted), predicted, far), far)[near]
    return np.abs(p - truth[near]) / truth[near]
