"""Dreamed context for DiT training: the model's own samples in place of the last real
context frames, so it learns from the frames it will really be given.

Teacher forcing shows the model only real context, but a rollout feeds it its own frames,
each with a little blur and drift that the next frame copies and adds to (exposure bias;
the cure in Self Forcing, Huang et al. 2025, and scheduled sampling before it, is to train
on the model's own outputs). Standing still, the shipped model drifts from 28 to 21 dB
over 64 ticks although nothing in the world changes. Here, a share of the batches has
its last context frames re-made by the model, exactly as the `frame` sampler makes them
(context shown at its stabilisation level, the new frame from pure noise by deterministic
DDIM steps), and the loss asks for the real next frame after them: to correct the
errors of its own context instead of copying them. With `guidance` the dreamed frames get
the sampler's action guidance too, so the drift to correct is the drift of the frames
players see (guidance.guided_forward, as the session calls it).
"""
from __future__ import annotations

import torch

from playground.dream.schedule import frame
from playground.dream.guidance import guided_forward
from playground.model.diffusion import add_noise, ddim_step

SAMPLER_LEVELS = tuple(int(k) for k in frame(steps=2).levels[:, -1])   # the interactive default: 999, 500, 0


@torch.no_grad()
def dream_context(model, abar: torch.Tensor, x0: torch.Tensor, levels: torch.Tensor, actions: torch.Tensor,
                  dreamed: int, memory=None, generator: torch.Generator | None = None,
                  sampler_levels=SAMPLER_LEVELS, guidance: float = 0.0, guidance_on: str = "keys") -> torch.Tensor:
    """x0 (B, T, C, H, W) with frames T-1-dreamed .. T-2 replaced by the model's samples.

    Frames before them stay real. Each dreamed frame is sampled from the frames before it,
    shown at their levels `levels` (B, T) (the context's stabilisation levels: noised with
    fresh noise, as the sampler noises its context), with its own action from `actions`
    (B, T, 25) and the memory tokens `memory` (B, M, D) or None. Like the streaming
    session, the context's keys and values are computed once and each finished frame joins
    them in the next call. The last frame (the target) is left as it is. guidance > 0: each
    dreamed frame's prediction is guided away from its reference action (guidance_on, as
    SamplerSettings), in the same model call."""
    B, T = x0.shape[:2]
    first = T - 1 - dreamed
    assert 1 <= first and dreamed >= 1, f"need 1 <= dreamed <= T - 2, got {dreamed} for T = {T}"
    noise = lambda shape: torch.randn(shape, generator=generator, device=x0.device)  # noqa: E731
    shown = add_noise(abar, x0[:, :first], levels[:, :first], noise(x0[:, :first].shape))
    _, past = model(shown, levels[:, :first], actions[:, :first], positions=_arange(0, first, x0), memory=memory)
    out = x0.clone()
    pending = None                                   # the last finished frame, shown at its level
    for j in range(first, T - 1):
        z = noise(x0[:, j:j + 1].shape)              # (B, 1, C, H, W)
        for a, b in zip(sampler_levels[:-1], sampler_levels[1:]):
            lv, lv_next = (torch.full((B, 1), k, dtype=levels.dtype, device=x0.device) for k in (a, b))
            x, lvs, acts, start = z, lv, actions[:, j:j + 1], j
            if pending is not None:
                x, lvs = torch.cat([pending, z], 1), torch.cat([levels[:, j - 1:j], lv], 1)
                acts, start = actions[:, j - 1:j + 1], j - 1
            v, kv = guided_forward(model, x, lvs, acts, _arange(start, j + 1, x0), memory, past,
                                   guide_from=x.shape[1] - 1, weight=guidance, guidance_on=guidance_on)
            if pending is not None:                  # its k/v join the cache, as in the session
                past = [(torch.cat([pk, k[:, :, :1]], 2), torch.cat([pv, vv[:, :, :1]], 2))
                        for (pk, pv), (k, vv) in zip(past, kv)]
                pending = None
            z = ddim_step(abar, z, v[:, -1:], lv, lv_next)
        out[:, j] = z[:, 0]
        pending = add_noise(abar, z, levels[:, j:j + 1], noise(z.shape))
    return out


def _arange(lo: int, hi: int, like: torch.Tensor) -> torch.Tensor:
    return torch.arange(lo, hi, device=like.device)

