"""Does the model use its actions? The DiT's training loss on held-out clips with their
true actions, and with the actions of another clip of the batch: the ratio of the second
to the first. Near 1 means the actions are ignored; the further above 1, the more the
model's prediction depends on them. Same clips, noise and noise levels for both.
"""
from __future__ import annotations

import numpy as np
import torch

from playground.eval.rollouts import eval_seeds
from playground.model.autoencoder import frames_to_tensor
from playground.model.diffusion import add_noise, alphas_cumprod, v_target
from playground.train.datagen import episode
from playground.train.levels import sample_levels
from playground.voxel import VoxelWorld

CLIP = 12
POLICIES = ("steady", "explore")


@torch.no_grad()
def _latents(ae, frames: np.ndarray, batch: int = 256) -> torch.Tensor:
    return torch.cat([ae.encode(frames_to_tensor(frames[i:i + batch])) for i in range(0, len(frames), batch)])


@torch.no_grad()
def _losses(dit, abar, x0, acts, rng) -> tuple[float, float]:
    """Mean per-frame v-loss of clips x0 (B, L, C, h, w) with true and with rolled actions."""
    levels, mask = sample_levels(rng, x0.shape[0], x0.shape[1])
    levels, mask = torch.from_numpy(levels), torch.from_numpy(mask)
    eps = torch.from_numpy(rng.standard_normal(x0.shape, dtype=np.float32))
    x_t, target = add_noise(abar, x0, levels, eps), v_target(abar, x0, levels, eps)
    out = []
    for a in (acts, acts.roll(1, dims=0)):
        v, _ = dit(x_t, levels, a)
        err = ((v.float() - target) ** 2).flatten(2).mean(-1)                      # (B, L)
        out.append(float((err * mask).sum() / mask.sum().clamp_min(1e-6)))
    return out[0], out[1]


def action_use(models, episodes: int = 8, ticks: int = 96, batches: int = 8, batch_size: int = 16) -> dict:
    """The shuffled-action loss ratio of a (dit, ae, info) checkpoint on held-out clips."""
    dit, ae, _ = models
    dit.eval()
    world = VoxelWorld()
    seeds = eval_seeds(episodes, 4000)
    eps = [episode(world, s, POLICIES[i % len(POLICIES)], ticks) for i, s in enumerate(seeds)]
    lat = torch.stack([_latents(ae, f) for f, _ in eps])                                 # (E, T, C, h, w)
    acts = torch.from_numpy(np.stack([a for _, a in eps]))                              # (E, T, 25)
    abar = alphas_cumprod(dit.cfg.schedule).float()
    rng = np.random.default_rng(0)
    clip = min(CLIP, dit.cfg.max_frames)
    true, shuffled = [], []
    for _ in range(batches):
        e = rng.integers(0, len(eps), batch_size)
        s = rng.integers(0, ticks - clip + 1, batch_size)
        idx = torch.from_numpy(s[:, None] + np.arange(clip)[None])
        t, f = _losses(dit, abar, lat[e[:, None], idx], acts[e[:, None], idx], rng)
        true.append(t), shuffled.append(f)
    return {"loss_true": float(np.mean(true)), "loss_shuffled": float(np.mean(shuffled)),
            "ratio": float(np.mean(shuffled) / np.mean(true)), "clips": batches * batch_size, "frames": clip}
