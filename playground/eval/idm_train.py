"""Train the inverse-dynamics model (idm.py) on the voxel world.

    playground train-idm --out checkpoints/idm.safetensors

Data: episodes of held action segments (segments.random, held 4-16 ticks) from world
seeds at IDM_SEED_BASE and up, which no training data (< 1,000,000) and no evaluation
(1,000,000 to 1,010,000) uses. The last tenth of the episodes is held out; the file
records the IDM's accuracy on them. The frames are lightly blurred and noised at random in
training so that the IDM reads the motion and not the sharpness of a picture (a dream is
softer than the world).
"""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from playground.config import ConfigError
from playground.eval import idm as I
from playground.eval import segments as G

IDM_SEED_BASE = 7_000_000


@dataclass(frozen=True)
class IDMTrainConfig:
    episodes: int = 400
    ticks: int = 160            # actions per episode
    steps: int = 4000
    batch_size: int = 128
    lr: float = 2e-3
    seed: int = IDM_SEED_BASE
    workers: int = 2


def episode(seed: int, ticks: int) -> tuple[np.ndarray, np.ndarray]:
    """Frames (ticks + 1, H, W, 3) of the voxel world and the actions (ticks, 25) between them."""
    from playground.voxel import VoxelWorld
    rng = np.random.default_rng(seed)
    acts = G.actions(G.random(rng, ticks // 4 + 1, ticks=(4, 16)))[:ticks]
    world = VoxelWorld()
    frames = [world.reset(seed)] + [world.step(a) for a in acts]
    return np.stack(frames), acts


def dataset(cfg: IDMTrainConfig, progress: bool = True):
    """(frames (E, T+1, H, W, 3), keyboard labels (E, T), camera labels (E, T))."""
    seeds = [cfg.seed + i for i in range(cfg.episodes)]
    with ProcessPoolExecutor(cfg.workers) as pool:
        eps = list(tqdm(pool.map(episode, seeds, [cfg.ticks] * len(seeds)), total=len(seeds),
                        desc="IDM data", disable=not progress))
    frames = np.stack([f for f, _ in eps])
    labels = [G.labels(a) for _, a in eps]
    return frames, np.stack([k for k, _ in labels]), np.stack([c for _, c in labels])


def _degrade(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """A random blur (box of 1-3 px, as pairs share it) and noise on (N, 3, H, W) in [-1, 1]."""
    k = int(torch.randint(1, 4, (1,), generator=gen))
    if k > 1:
        x = F.avg_pool2d(F.pad(x, (k // 2, (k - 1) // 2) * 2, mode="replicate"), k, stride=1)
    return x + 0.03 * torch.randn(x.shape, generator=gen)


def _batch(frames, keys, cams, episodes, rng, gen, n):
    e = episodes[rng.integers(0, len(episodes), n)]
    t = rng.integers(1, frames.shape[1], n)
    pair = torch.cat([I.to_input(frames[e, t - 1]), I.to_input(frames[e, t])])
    if rng.random() < 0.5:
        pair = _degrade(pair, gen)
    return pair[:n], pair[n:], torch.from_numpy(keys[e, t - 1]), torch.from_numpy(cams[e, t - 1])


@torch.no_grad()
def accuracy(idm: I.IDM, frames, keys, cams) -> dict:
    """Per-step accuracy of each head on episodes (E, T+1, ...)."""
    k, c = I.log_probs(idm, frames)
    return {"keyboard": float((k.argmax(-1) == keys).mean()), "camera": float((c.argmax(-1) == cams).mean()),
            "steps": int(keys.size)}


def train(out: str | Path, cfg: IDMTrainConfig = IDMTrainConfig(), progress: bool = True) -> dict:
    """Train, write the fp16 file `out` with its recipe and held-out accuracy; returns that."""
    if Path(out).suffix != ".safetensors":
        raise ConfigError(f"the IDM is written as a .safetensors file: name it so (got {out})")
    t0 = time.time()
    torch.manual_seed(cfg.seed)
    frames, keys, cams = dataset(cfg, progress)
    held = max(1, cfg.episodes // 10)
    train_eps = np.arange(cfg.episodes - held)
    idm = I.IDM()
    opt = torch.optim.AdamW(idm.parameters(), lr=cfg.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, cfg.lr, total_steps=cfg.steps, pct_start=0.1)
    rng, gen = np.random.default_rng(cfg.seed), torch.Generator().manual_seed(cfg.seed)
    bar = tqdm(range(cfg.steps), desc="IDM train", disable=not progress)
    for _ in bar:
        before, after, k, c = _batch(frames, keys, cams, train_eps, rng, gen, cfg.batch_size)
        lk, lc = idm(before, after)
        loss = F.cross_entropy(lk, k) + F.cross_entropy(lc, c)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        bar.set_postfix(loss=f"{loss.item():.3f}")
    idm.eval()
    s = slice(cfg.episodes - held, None)
    result = {"heldout": accuracy(idm, frames[s], keys[s], cams[s]), "config": asdict(cfg),
              "minutes": round((time.time() - t0) / 60, 1)}
    I.save(idm, out, extra=result)
    return result
