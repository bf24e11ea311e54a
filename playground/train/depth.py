"""Train the depth network (model/depth.py) on the voxel world's frames and exact depth.

    playground train-depth --out checkpoints/depth.safetensors

Data: frames of exploring episodes (walking, turning, hopping, looking around) from world
seeds at DEPTH_SEED_BASE and up, inside the training range (below EVAL_SEED_BASE) and
apart from the dream's own training episodes. Half the training frames are blurred or
noised a little, since the dream's frames are softer than the world's. The error is
measured on held-out frames of evaluation seeds (`heldout_error`).
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
from playground.model.autoencoder import frames_to_tensor
from playground.model.depth import DepthConfig, DepthNet, predict, relative_error
from playground.train.augment import degrade
from playground.train.fit import fit
from playground.train.datagen import EVAL_SEED_BASE

DEPTH_SEED_BASE = 900_000
# Inside the evaluation range, above every seed `playground eval` uses (eval_seeds): held out.
HELDOUT_SEED_BASE = EVAL_SEED_BASE + 4000


@dataclass(frozen=True)
class DepthTrainConfig:
    episodes: int = 480
    ticks: int = 120            # frames per episode; every `every`-th is kept
    every: int = 3
    steps: int = 8000
    batch_size: int = 32
    lr: float = 2e-3
    seed: int = DEPTH_SEED_BASE
    workers: int = 2


def episode(seed: int, ticks: int, every: int) -> tuple[np.ndarray, np.ndarray]:
    """Frames (n, H, W, 3) uint8 and their depth (n, H, W) float32 (inf: sky) of one
    exploring episode of the voxel world."""
    from playground.policies import script
    from playground.voxel import VoxelWorld
    world = VoxelWorld()
    frames, depths = [world.reset(seed)], [world.depth()]
    for t, a in enumerate(script("explore", np.random.default_rng(seed), ticks), 1):
        frame = world.step(a)
        if t % every == 0:
            frames.append(frame)
            depths.append(world.depth())
    return np.stack(frames), np.stack(depths).astype(np.float32)


def dataset(seeds: list[int], ticks: int, every: int, workers: int, progress: bool = True):
    """(frames (N, H, W, 3), depths (N, H, W)) of the episodes of `seeds`."""
    with ProcessPoolExecutor(workers) as pool:
        eps = list(tqdm(pool.map(episode, seeds, [ticks] * len(seeds), [every] * len(seeds)),
                        total=len(seeds), desc="depth data", disable=not progress))
    return np.concatenate([f for f, _ in eps]), np.concatenate([d for _, d in eps])


def loss(net: DepthNet, frames: torch.Tensor, depth: torch.Tensor) -> torch.Tensor:
    """Cross-entropy on far (sky or fogged out) plus L1 on the log distance of the rest."""
    log_d, far_logit = net(frames)
    far = depth >= net.cfg.far
    near_log = torch.log(torch.where(far, torch.ones_like(depth), depth.clamp(min=0.05)))
    l1 = ((log_d - near_log).abs() * ~far).sum() / (~far).sum().clamp(min=1)
    return F.binary_cross_entropy_with_logits(far_logit, far.float()) + l1


def heldout_error(net: DepthNet, frames: np.ndarray, depths: np.ndarray) -> dict:
    """Median and mean relative error within the fog distance, and how often the net
    calls a near pixel far or a far one near."""
    pred = predict(net, frames)
    rel = relative_error(pred, depths, net.cfg.far)
    near = depths < net.cfg.far
    return {"median_relative_error": float(np.median(rel)), "mean_relative_error": float(rel.mean()),
            "near_called_far": float(np.isinf(pred[near]).mean()),
            "far_called_near": float(np.isfinite(pred[~near]).mean()), "frames": int(len(frames))}


def train(out: str | Path, cfg: DepthTrainConfig = DepthTrainConfig(), progress: bool = True) -> dict:
    """Train, write the fp16 file `out` with its recipe and held-out error; returns that."""
    from playground.dream.load import save_depth
    if Path(out).suffix != ".safetensors":
        raise ConfigError(f"the depth network is written as a .safetensors file: name it so (got {out})")
    t0 = time.time()
    torch.manual_seed(cfg.seed)
    frames, depths = dataset([cfg.seed + i for i in range(cfg.episodes)], cfg.ticks, cfg.every, cfg.workers, progress)
    held_seeds = [HELDOUT_SEED_BASE + i for i in range(max(2, cfg.episodes // 10))]
    held_frames, held_depths = dataset(held_seeds, cfg.ticks, cfg.every, cfg.workers, progress)
    net = DepthNet(DepthConfig())

    def batch_loss(rng, gen):
        i = rng.integers(0, len(frames), cfg.batch_size)
        x, d = frames_to_tensor(frames[i]), torch.from_numpy(depths[i])
        if rng.random() < 0.5:
            x = degrade(x, gen)
        return loss(net, x, d)
    fit(net, batch_loss, cfg.steps, cfg.lr, 0.01, cfg.seed, "depth train", progress)
    result = {"heldout": heldout_error(net, held_frames, held_depths), "config": asdict(cfg),
              "minutes": round((time.time() - t0) / 60, 1)}
    save_depth(net, out, extra=result)
    return result
