"""Turning in place redraws the turned picture (camera-warped composite).

The frame sampler (`frame-k`) draws each new frame from pure noise, so on a turning tick
the model must redraw the whole picture shifted by about a latent cell (5 degrees a tick
in a 70-degree view): a small model redraws it blurred, and the blur compounds tick after
tick. But a turn in place is a pure rotation of the camera, which has no parallax: the
frame just shown, re-projected to the turned camera (`voxel.reproject`), is the new view
wherever the old one saw it, whatever the depth. So on such a tick the sampler runs its
calls as usual up to the last one; then the newest frame becomes the re-projection where
the old view saw it (from the oldest view shown since the camera last moved that saw each
pixel: panorama.py) and the model's own guess (its x0 prediction from the call before)
where it did not, noised to `turn_warp_level`, and the last call redraws it from there.
The geometry says where the seen things go; the model imagines the new strip and repairs
the seams. This is warped-noise camera control (Chang et al. 2024, "How I Warped Your
Noise"; Burgert et al. 2025, "Go-with-the-Flow") with the camera's own geometry as flow.

Only turning *in place* is exact: moving adds parallax, which needs depth the dream does
not have, so a tick with a movement key or jump held draws from noise as usual. The
rotation is about the world's vertical, so the re-projection needs the camera's pitch:
the session starts from the pitch of the view its context was rendered at (0, a level
camera, when unknown) and follows the actions' pitch from there.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from playground import actions as A

MOVES = tuple(A.INDEX[k] for k in ("forward", "back", "left", "right", "jump"))


def turns_in_place(actions: np.ndarray) -> np.ndarray:
    """(B, 25) -> (B,) bool: which rows turn the camera this tick without moving."""
    camera = (actions[:, A.YAW] != 0) | (actions[:, A.PITCH] != 0)
    return camera & ~(actions[:, list(MOVES)] > 0.5).any(1)


def composite(warped: torch.Tensor, seen: np.ndarray, guess: torch.Tensor) -> torch.Tensor:
    """Latents (n, C, h, w): `warped` where the turned view saw the latent cell, the model's
    `guess` where it did not, blended by the share of the cell's pixels seen (n, H, W)."""
    n, _, h, w = warped.shape
    share = torch.as_tensor(seen, dtype=warped.dtype, device=warped.device)[:, None]
    share = F.adaptive_avg_pool2d(share, (h, w))                      # (n, 1, h, w)
    return share * warped + (1 - share) * guess
