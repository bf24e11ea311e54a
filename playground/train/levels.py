"""Per-frame noise levels for DiT training: a mixture that puts every sampler preset in
distribution.

- independent: every frame its own uniform level (diffusion forcing).
- progressive: clean (or barely noised) context, then a staircase of increasing levels
  with a random phase (PA-VDM's window as the sampler sees it at any sub-step).
- frame: context at a small stabilisation level, the newest 1-2 frames at one uniform
  level (the public Minecraft models' sampling, and pyramid/chunked boundaries).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.model.diffusion import LEVELS


@dataclass(frozen=True)
class LevelMix:
    independent: float = 0.25
    progressive: float = 0.40
    frame: float = 0.35
    max_context_level: int = 20     # stabilisation levels for clean context frames
    # The frame sampler only ever asks for a few levels (frame-2: 999, then 500). With
    # probability focus_prob a generated frame of the "frame" kind (and of dreamed-context
    # batches) takes one of focus_levels instead of a uniform level, spending more of a small
    # model's training on the predictions players see; the rest stay uniform, so every
    # preset stays in distribution.
    focus_levels: tuple[int, ...] = ()
    focus_prob: float = 0.0


def _new_frame_level(rng: np.random.Generator, mix: LevelMix) -> int:
    """The level of a generated frame: uniform, or one of focus_levels (see LevelMix)."""
    if mix.focus_levels and rng.random() < mix.focus_prob:
        return int(rng.choice(mix.focus_levels))
    return int(rng.integers(0, LEVELS))


def sample_levels(rng: np.random.Generator, batch: int, frames: int, mix: LevelMix = LevelMix()):
    """Integer levels (batch, frames) and a loss mask (batch, frames): frames that are
    context (meant to be given, not generated) carry no loss."""
    levels = np.zeros((batch, frames), np.int64)
    mask = np.ones((batch, frames), np.float32)
    p = np.array([mix.independent, mix.progressive, mix.frame])
    kinds = rng.choice(3, size=batch, p=p / p.sum())
    for b, kind in enumerate(kinds):
        if kind == 0:
            levels[b] = rng.integers(0, LEVELS, frames)
            continue
        ctx_level = int(rng.integers(0, mix.max_context_level + 1))
        if kind == 1:
            window = int(rng.integers(2, frames + 1))
            phase = rng.random()
            stair = ((np.arange(window) + phase) / window * LEVELS).astype(np.int64)
            levels[b, frames - window:] = np.clip(stair, 0, LEVELS - 1)
            levels[b, :frames - window] = ctx_level
            mask[b, :frames - window] = 0
        else:
            new = 1 if rng.random() < 0.8 else 2
            levels[b, :frames - new] = ctx_level
            levels[b, frames - new:] = _new_frame_level(rng, mix)
            mask[b, :frames - new] = 0
    return levels, mask


def newest_frame_levels(rng, B: int, L: int, max_context_level: int, newest):
    """Levels and loss mask for clips of clean context and one new frame, as the frame
    sampler makes it: context at a stabilisation level of 0..max_context_level per clip,
    the newest frame (the only one with a loss) at the levels `newest()` draws, (B,)."""
    levels = np.repeat(rng.integers(0, max_context_level + 1, (B, 1)), L, axis=1)
    levels[:, -1] = newest()
    mask = np.zeros((B, L), np.float32)
    mask[:, -1] = 1
    return levels.astype(np.int64), mask


def dream_levels(rng, B: int, L: int, mix: LevelMix = LevelMix()):
    """Levels and loss mask for a batch with dreamed context (newest_frame_levels), the new
    frame at a uniform level (or one of focus_levels)."""
    def newest():
        if mix.focus_levels:
            return [_new_frame_level(rng, mix) for _ in range(B)]
        return rng.integers(0, LEVELS, B)   # one draw, as before focus_levels existed (same runs)
    return newest_frame_levels(rng, B, L, mix.max_context_level, newest)
