"""Few-step self-distillation: the sampler's coarse calls learn where the model's own finer
chain ends.

The interactive sampler makes a frame in two calls (999, then 500). Trained only on the
denoising loss, a call at such a level predicts the mean of every frame its noisy input
could become, and the mean of many frames is a blur. A finer chain of the same model
(here `teacher_steps` deterministic DDIM steps from the call's level to 0) commits to one
frame step by step and ends sharper. Progressive distillation (Salimans & Ho, 2022) and
shortcut models (Frans et al., 2024; Dreamer 4's shortcut forcing) train the coarse step
towards that end point, with the model itself as the teacher (no gradient through it):
here a share of the batches puts the newest frame at one of the sampler's levels, after
clean context as the frame sampler shows it, and asks the clean-frame prediction (x0, as
Dreamer 4 predicts it) for the chain's end point instead of the data's frame. The other
batches keep the denoising loss at every level, so every preset stays in distribution.
The chain can run on the training weights themselves or on their EMA copy (`teacher: ema`),
a target that moves slower than the student, as consistency models' target network does
(Song et al., 2023).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from playground.config import ConfigError
from playground.model.diffusion import LEVELS, ddim_step, x0_from_v
from playground.train.levels import newest_frame_levels


TEACHERS = ("online", "ema")


@dataclass(frozen=True)
class FewStepConfig:
    prob: float = 0.0                       # share of batches (0: off)
    levels: tuple[int, ...] = (999, 500)    # the sampler's call levels (frame-2) the coarse step is trained at
    teacher_steps: int = 8                  # DDIM steps of the model's own chain from that level to 0
    teacher: str = "online"                 # weights that run the chain: "online" (the ones trained) or "ema"
    data_where_covered: bool = False        # the target is the data's frame where the memory's picture covers it

    def __post_init__(self):
        if not 0 <= self.prob <= 1:
            raise ConfigError(f"fewstep.prob is a probability in [0, 1], got {self.prob}")
        if not self.levels or not all(0 < k < LEVELS for k in self.levels):
            raise ConfigError(f"fewstep.levels must be noise levels in 1..{LEVELS - 1}, got {list(self.levels)}")
        if self.teacher_steps < 2:
            raise ConfigError(f"fewstep.teacher_steps must be at least 2 (finer than one call), "
                              f"got {self.teacher_steps}")
        if self.teacher not in TEACHERS:
            raise ConfigError(f"fewstep.teacher must be one of {', '.join(TEACHERS)}, got {self.teacher!r}")


def fewstep_levels(rng: np.random.Generator, B: int, L: int, cfg: FewStepConfig, max_context_level: int):
    """Levels (B, L) and loss mask (B, L) of levels.newest_frame_levels, the newest frame at
    one of the sampler's levels."""
    return newest_frame_levels(rng, B, L, max_context_level, lambda: rng.choice(np.asarray(cfg.levels), B))


@torch.no_grad()
def chain_end(predict_v: Callable, abar: torch.Tensor, x_t: torch.Tensor, levels: torch.Tensor,
              steps: int) -> torch.Tensor:
    """The newest frame of x_t (B, T, C, h, w) taken from its level (levels (B, T)) to 0
    by `steps` DDIM steps at evenly spaced levels, the context as given: (B, C, h, w).
    predict_v(x, levels) -> v (B, T, C, h, w) is the model on the whole window."""
    k0 = levels[:, -1:]                                                   # (B, 1)
    z, k = x_t[:, -1:], k0
    for i in range(1, steps + 1):
        nxt = k0 * (steps - i) // steps
        v = predict_v(torch.cat([x_t[:, :-1], z], 1), torch.cat([levels[:, :-1], k], 1))[:, -1:]
        z = ddim_step(abar, z, v.float(), k, nxt)
        k = nxt
    return z[:, 0]


def fewstep_loss(predict_v: Callable, abar: torch.Tensor, x_t: torch.Tensor, levels: torch.Tensor,
                 v: torch.Tensor, steps: int, data: torch.Tensor | None = None,
                 covered: torch.Tensor | None = None) -> torch.Tensor:
    """Mean squared error of the newest frame's clean-frame prediction from v (B, T, C, h, w)
    against the `steps`-step chain of predict_v from the same input (no gradient).

    With the data's newest frame `data` (B, C, h, w) and the share of each latent cell the
    memory's picture covers, `covered` (B, h, w) in [0, 1], the target is the data's frame
    by that share and the chain's end by the rest. Where the picture covers the view the
    answer is known and copying it is what the picture is for; the chain, eight calls of a
    small network, is noisy there as much as anywhere (docs/experiments.md), so it teaches
    only what is new."""
    target = chain_end(predict_v, abar, x_t, levels, steps).float()
    if covered is not None:
        assert data is not None and covered.shape == (data.shape[0], *data.shape[2:]), (covered.shape, data.shape)
        target = target + covered[:, None].float() * (data.float() - target)
    x0 = x0_from_v(abar, x_t[:, -1], levels[:, -1], v[:, -1].float())
    return ((x0 - target) ** 2).mean()
