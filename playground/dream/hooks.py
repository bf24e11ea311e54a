"""Hook points of the sampler's loop (DreamSession): per-tick behaviours plug in here.

The schedule's loop stays general: each tick it runs the schedule's calls and DDIM steps.
A hook is an object the session was given; the loop calls its methods at fixed points
and, with no hooks, none of their work runs. This is k-diffusion's callback, with the
few points a per-tick behaviour needs (today the world memory, memory_warp.py):

    reset / reset_rows          the session (or some batch rows) starts from context frames
    begin_tick(actions)         before a tick's first model call (ticks that generate)
    before_call(r, levels)      before call r: may change the noisy slots and the levels
    frame_inputs(n_pending)     before each call: further per-frame inputs of the model
    after_call(r, x, v, levels) after call r, with its inputs and v-prediction
    end_tick(actions, frames)   after each tick, with the frames shown

A hook records the milliseconds it spent in `timings` (the session's timings show them).
"""
from __future__ import annotations

import numpy as np
import torch


class SamplerHook:
    """A no-op at every point; subclasses override what they need."""
    timings: dict[str, float] = {}

    def reset(self, session, frames: np.ndarray, pitch: np.ndarray) -> None:
        """frames (B, H, W, 3): the last context frame of each row, seen at pitch (B,) degrees."""

    def reset_rows(self, session, rows: np.ndarray, frames: np.ndarray, pitch: np.ndarray) -> None:
        """Rows `rows` (n,) restart from frames (n, H, W, 3) at pitch (n,)."""

    def begin_tick(self, session, actions: np.ndarray) -> None:
        """actions (B, 25) on the host, before the tick's first call."""

    def before_call(self, session, r: int, levels: np.ndarray) -> np.ndarray:
        """Call r's levels of the noisy slots, (1, S) or (B, S); returns them (changed or not)."""
        return levels

    def frame_inputs(self, session, n_pending: int) -> dict[str, torch.Tensor]:
        """Model inputs name -> (B, n_pending + S, ...) for this call's frames: the frames
        finished last tick (fed once more as context), then the noisy slots."""
        return {}

    def after_call(self, session, r: int, x: torch.Tensor, v: torch.Tensor, levels: torch.Tensor) -> None:
        """The noisy slots x (B, S, C, h, w) at `levels` as call r saw them, and its v (B, S, C, h, w)."""

    def end_tick(self, session, actions: np.ndarray, frames: np.ndarray) -> None:
        """actions (B, 25) and the frames (B, H, W, 3) shown for them."""

    def state_size(self) -> dict[str, int]:
        """Sizes of what it keeps that must stay bounded over a long session."""
        return {}
