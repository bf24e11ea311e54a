"""The diffusion parameterisation, in one place.

Discrete noise levels k = 0 .. K-1 (K = 1000). The forward process at level k is

    x_k = sqrt(abar_k) * x_0 + sqrt(1 - abar_k) * eps,        eps ~ N(0, I)

with abar = cumprod(1 - beta) and betas from the sigmoid schedule of the public
Minecraft world model (start -3, end 3, tau 1; see OASIS.md), so one sampler serves our
models and that checkpoint. Level 0 is (almost) clean: the sampler treats "level 0" of a
frame as the clean latent itself. The network predicts v (Salimans & Ho, 2022):

    v = sqrt(abar_k) * eps - sqrt(1 - abar_k) * x_0
    x_0 = sqrt(abar_k) * x_k - sqrt(1 - abar_k) * v
    eps = sqrt(1 - abar_k) * x_k + sqrt(abar_k) * v

Per-frame levels have shape (B, T): every frame of a window carries its own level
(diffusion forcing; PA-VDM's progressive levels), which is what the samplers need.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

LEVELS = 1000


@dataclass(frozen=True)
class NoiseSchedule:
    kind: str = "sigmoid"
    levels: int = LEVELS
    start: float = -3.0
    end: float = 3.0
    tau: float = 1.0


def sigmoid_betas(levels: int, start: float = -3.0, end: float = 3.0, tau: float = 1.0,
                  clamp_min: float = 0.0) -> torch.Tensor:
    """Betas whose abar follows a shifted sigmoid (as in the public Minecraft model)."""
    steps = levels + 1
    t = torch.linspace(0, levels, steps, dtype=torch.float64) / levels
    v_start = torch.tensor(start / tau, dtype=torch.float64).sigmoid()
    v_end = torch.tensor(end / tau, dtype=torch.float64).sigmoid()
    abar = (-((t * (end - start) + start) / tau).sigmoid() + v_end) / (v_end - v_start)
    abar = abar / abar[0]
    betas = 1 - (abar[1:] / abar[:-1])
    return betas.clamp(clamp_min, 0.999)


def alphas_cumprod(schedule: NoiseSchedule = NoiseSchedule()) -> torch.Tensor:
    """abar_k for k = 0 .. levels - 1, float64 (levels,)."""
    if schedule.kind != "sigmoid":
        raise ValueError(f"unknown noise schedule {schedule.kind!r}")
    betas = sigmoid_betas(schedule.levels, schedule.start, schedule.end, schedule.tau)
    return torch.cumprod(1 - betas, 0)


def _coef(abar: torch.Tensor, levels: torch.Tensor, like: torch.Tensor):
    """sqrt(abar), sqrt(1 - abar) at integer `levels` (B, T), shaped to broadcast with
    latents `like` (B, T, C, H, W)."""
    a = abar.to(like.device)[levels.long()].to(like.dtype)
    a = a.reshape(*levels.shape, *([1] * (like.ndim - levels.ndim)))
    return a.sqrt(), (1 - a).sqrt()


def add_noise(abar, x0, levels, eps):
    sa, sb = _coef(abar, levels, x0)
    return sa * x0 + sb * eps


def v_target(abar, x0, levels, eps):
    sa, sb = _coef(abar, levels, x0)
    return sa * eps - sb * x0


def x0_from_v(abar, x_t, levels, v):
    sa, sb = _coef(abar, levels, x_t)
    return sa * x_t - sb * v


def eps_from_v(abar, x_t, levels, v):
    sa, sb = _coef(abar, levels, x_t)
    return sb * x_t + sa * v


def ddim_step(abar, x_t, v, levels, next_levels):
    """Deterministic DDIM (eta 0) from `levels` to `next_levels` given the v-prediction;
    frames that reach level 0 become the predicted x0 itself. Levels (B, T) or (1, T),
    as in add_noise."""
    x0 = x0_from_v(abar, x_t, levels, v)
    out = add_noise(abar, x0, next_levels, eps_from_v(abar, x_t, levels, v))
    clean = (next_levels == 0).reshape(*next_levels.shape, *([1] * (x_t.ndim - next_levels.ndim)))
    return torch.where(clean, x0, out)
