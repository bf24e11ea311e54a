"""Dreamed context for DiT training: the model's own samples in place of the last real
context frames, so it learns from the frames it will really be given.

Teacher forcing shows the model only real context, but a rollout feeds it its own frames,
each with a little blur and drift that the next frame copies and adds to (exposure bias;
the cure in Self Forcing, Huang et al. 2025, and scheduled sampling before it, is to train
on the model's own outputs). Standing still, the shipped model drifts from 28 to 21 dB
over 64 ticks although nothing in the world changes. Here, a share of the batches has
its last context frames re-made by the model, by the very sampler that plays (the
session's `frame` schedule: context shown at its stabilisation level, the new frame from
pure noise by deterministic DDIM steps, k/v cached), and the loss asks for the real next frame after them: to correct the
errors of its own context instead of copying them. With `guidance` the dreamed frames get
the sampler's action guidance too, so the drift to correct is the drift of the frames
players see (guidance.guided_forward, as the session calls it).

A render-input network (DiTConfig.render_input) dreams with each frame's memory picture
as its input, as in play: the pictures the batch carries (renders.py, made from the real
frames before it), given to the session's calls by a hook. In play the picture comes from
the dream's own frames; here it shows what the real ones did, so the network learns to
trust the picture where its own context has drifted from it.
"""
from __future__ import annotations

import torch

from playground.dream.hooks import SamplerHook
from playground.dream.session import DreamSession
from playground.dream.settings import SamplerSettings

# The interactive default on latents: the world memory needs decoded frames, which training has not.
SAMPLER = SamplerSettings(schedule="frame", schedule_params={"steps": 2}, world_memory=False)
SAMPLER_LEVELS = tuple(int(k) for k in SAMPLER.make_schedule().levels[:, -1])   # 999, 500, 0


class GivenPictures(SamplerHook):
    """Each call's render inputs from pictures known ahead, (B, T, C + 1, h, w): frame
    `at` in the noisy slot, and the frame before it when it is fed once more as context."""

    def __init__(self, render: torch.Tensor):
        self.render, self.at = render, 0

    def frame_inputs(self, session, n_pending: int) -> dict[str, torch.Tensor]:
        assert session.noisy_slots == 1 and self.at >= n_pending, "a frame schedule, one new frame a tick"
        return {"render": self.render[:, self.at - n_pending:self.at + 1]}


@torch.no_grad()
def dream_context(model, x0: torch.Tensor, levels: torch.Tensor, actions: torch.Tensor, dreamed: int,
                  bank: torch.Tensor | None = None, seed: int = 0, guidance: float = 0.0,
                  guidance_on: str = "keys", render: torch.Tensor | None = None) -> torch.Tensor:
    """x0 (B, T, C, h, w) with frames T-1-dreamed .. T-2 replaced by the model's samples.

    Frames before them stay real and are the context, shown at each row's level
    `levels[:, 0]` (levels (B, T): the context's stabilisation level, the same along a
    row). Each dreamed frame gets its own action from `actions` (B, T, 25); the memory
    starts from `bank` (B, m, K, D), earlier frames compressed by DiT.compress, or None.
    The last frame (the target) is left as it is. guidance > 0: each dreamed frame's
    prediction is guided away from its reference action (guidance_on, as SamplerSettings).
    render (B, T, C + 1, h, w): every frame's memory picture, for a render-input model.
    Noise comes from a generator seeded with `seed`; bf16 follows the caller's autocast."""
    T = x0.shape[1]
    first = T - 1 - dreamed
    assert 1 <= first and dreamed >= 1, f"need 1 <= dreamed <= T - 2, got {dreamed} for T = {T}"
    settings = SAMPLER.with_changes(action_guidance=guidance, guidance_on=guidance_on,
                                    bf16=torch.is_autocast_enabled(x0.device.type))
    session = DreamSession(model, None, settings.make_schedule(), settings, seed=seed, device=x0.device)
    assert session.cache_frames >= T - 2, "the clip is longer than the model's window"
    pictures = None
    if render is not None:
        pictures = GivenPictures(render)
        session.hooks.append(pictures)
    session.reset_latents(x0[:, :first], actions[:, :first], levels[:, 0], bank,
                          None if render is None else {"render": render[:, :first]})
    out = x0.clone()
    for j in range(first, T - 1):
        if pictures is not None:
            pictures.at = j
        out[:, j] = session.step_latent(actions[:, j])
    return out
