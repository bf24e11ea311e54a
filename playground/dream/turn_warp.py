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

import time

import numpy as np
import torch
import torch.nn.functional as F

from playground import actions as A
from playground.camera import CameraModel
from playground.dream import panorama
from playground.dream.hooks import SamplerHook
from playground.model.autoencoder import frames_to_tensor
from playground.model.diffusion import x0_from_v

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


class TurnWarp(SamplerHook):
    """The turn warp as a sampler hook: on ticks that turn in place, the last call starts
    from the turned picture (the panorama's views re-projected, the model's guess from the
    call before where none saw), noised to `level`."""

    def __init__(self, level: int, camera: CameraModel, max_views: int = panorama.MAX_VIEWS):
        self.level, self.camera, self.max_views = level, camera, max_views
        self.panorama: panorama.Panorama | None = None
        self.turned = self.guess = None
        self.timings = {}

    @staticmethod
    def applies(schedule) -> bool:
        """Only schedules with one noisy slot, one frame a tick and at least two calls have
        the frame just shown and a guess to compose (frame-k, k >= 2)."""
        return schedule.window - schedule.context == 1 and schedule.shift == 1 and schedule.calls >= 2

    def reset(self, session, frames, pitch):
        self.panorama = panorama.Panorama(frames, pitch, self.camera, self.max_views)

    def reset_rows(self, session, rows, frames, pitch):
        self.panorama.restart(rows, frames, pitch)

    def begin_tick(self, session, actions):
        """The rows that turn in place: (host rows (n,), the same on the device, latents
        (n, C, h, w) of their turned views, seen (n, H, W)), or None when no row does."""
        t0 = time.perf_counter()
        self.turned = self.guess = None
        rows = turns_in_place(actions)
        if rows.any():
            idx = np.flatnonzero(rows)
            views, seen = self.panorama.turned(idx, actions[rows])
            z = session.ae.encode(frames_to_tensor(views).to(session.device))
            self.turned = idx, torch.as_tensor(idx, device=session.device), z, seen
        self.timings = {"warp_ms": (time.perf_counter() - t0) * 1000}

    def after_call(self, session, r, x, v, levels):
        if self.turned is not None and r == session.schedule.calls - 2:   # the guess the last call needs
            self.guess = x0_from_v(session.abar, x, levels, v)[:, -1]

    def before_call(self, session, r, levels):
        """Before the last call: the turned rows' newest slot becomes the re-projection
        completed by the guess, noised to `level` (at most the slot's level now)."""
        if self.turned is None or r != session.schedule.calls - 1:
            return levels
        host_rows, rows, z, seen = self.turned
        level = min(int(self.level), int(levels[0, -1]))
        x0 = composite(z, seen, self.guess[rows])
        ab = session.abar[level]
        noisy = session.s.noisy
        noisy[rows, -1] = ab.sqrt() * x0 + (1 - ab).sqrt() * session.noise(x0.shape)
        out = np.repeat(levels, noisy.shape[0], 0)
        out[host_rows, -1] = level
        return out

    def end_tick(self, session, actions, frames):
        self.panorama.advance(actions, frames)   # copies them: the caller may draw on what it is given
