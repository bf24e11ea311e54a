"""Train the inverse-dynamics model (idm.py) on the voxel world.

    playground train-idm --out checkpoints/idm.safetensors

Data: episodes of held action segments (segments.random, held 4-16 ticks) from world
seeds at IDM_SEED_BASE and up, which no training data (< 1,000,000) and no evaluation
(1,000,000 to 1,010,000) uses. A key is labelled only on the steps where the world shows
it (shown_key); the camera always turns. The last tenth of the episodes is held out; the file
records the IDM's accuracy on them. The frames are lightly blurred and noised at random in
training so that the IDM reads the motion and not the sharpness of a picture (a dream is
softer than the world).
"""
from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from playground.config import ConfigError
from playground.eval import idm as I
from playground.eval import segments as G
from playground.eval.action_accuracy import walk_direction
from playground.train.augment import degrade
from playground.train.fit import fit
from playground.rules.physics import WALK_SPEED

IDM_SEED_BASE = 7_000_000


@dataclass(frozen=True)
class IDMTrainConfig:
    episodes: int = 1200
    ticks: int = 160            # actions per episode
    steps: int = 8000
    batch_size: int = 128
    lr: float = 2e-3
    label_smoothing: float = 0.1   # a step whose key shows little is not learnt as a certainty
    seed: int = IDM_SEED_BASE
    workers: int = 2


def episode(seed: int, ticks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frames (ticks + 1, H, W, 3) of the voxel world, the actions (ticks, 25) between them
    and the keyboard class each step shows (ticks,): see shown_keys."""
    from playground.voxel import VoxelWorld
    rng = np.random.default_rng(seed)
    segs = G.random(rng, ticks // 4 + 1, ticks=(4, 16), lead=0)
    # Half the segments start after 0-6 idle ticks, as the measure's do (after LEAD): the
    # player standing still after a stop is shown as often as in motion.
    segs = [replace(s, lead=int(rng.integers(0, G.LEAD + 1))) if rng.random() < 0.5 else s for s in segs]
    acts = G.actions(segs)[:ticks]
    world = VoxelWorld()
    frames, shown = [world.reset(seed)], []
    for a in acts:
        before = world.player.pos.copy()
        frames.append(world.step(a))
        shown.append(shown_key(G.labels(a[None])[0][0], world.player.pos - before, world.player.yaw,
                               world.player.on_ground))
    return np.stack(frames), acts, np.array(shown, np.int64)


def shown_key(key: int, moved: np.ndarray, yaw: float, on_ground: bool) -> int:
    """The keyboard class a step shows: the key held, or "none" where the world shows no
    effect of it (a walk into a wall, a jump under a ceiling, the fall after a jump's top). Labelled by the key alone, an
    unchanged picture would be "forward" as often as "none", and the IDM could not say that
    nothing was pressed."""
    name = G.KEY_CLASSES[key]
    if name in ("forward", "back", "left", "right"):
        return key if float(moved[[0, 2]] @ walk_direction(name, yaw)) >= 0.3 * WALK_SPEED else 0
    if name == "jump":
        return key if moved[1] > 0 else 0      # rising: what two frames show of a jump
    return key


def dataset(cfg: IDMTrainConfig, progress: bool = True):
    """(frames (E, T+1, H, W, 3), keyboard classes shown (E, T), camera classes (E, T))."""
    seeds = [cfg.seed + i for i in range(cfg.episodes)]
    with ProcessPoolExecutor(cfg.workers) as pool:
        eps = list(tqdm(pool.map(episode, seeds, [cfg.ticks] * len(seeds)), total=len(seeds),
                        desc="IDM data", disable=not progress))
    frames = np.stack([f for f, _, _ in eps])
    return frames, np.stack([k for _, _, k in eps]), np.stack([G.labels(a)[1] for _, a, _ in eps])


def _batch(frames, keys, cams, episodes, rng, gen, n):
    e = episodes[rng.integers(0, len(episodes), n)]
    t = rng.integers(1, frames.shape[1], n)
    pair = torch.cat([I.to_input(frames[e, t - 1]), I.to_input(frames[e, t])])
    if rng.random() < 0.5:
        pair = degrade(pair, gen)   # pairs share one blur
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

    def batch_loss(rng, gen):
        before, after, k, c = _batch(frames, keys, cams, train_eps, rng, gen, cfg.batch_size)
        lk, lc = idm(before, after)
        return F.cross_entropy(lk, k, label_smoothing=cfg.label_smoothing) + \
            F.cross_entropy(lc, c, label_smoothing=cfg.label_smoothing)
    fit(idm, batch_loss, cfg.steps, cfg.lr, 0.05, cfg.seed, "IDM train", progress)
    s = slice(cfg.episodes - held, None)
    result = {"heldout": accuracy(idm, frames[s], keys[s], cams[s]), "config": asdict(cfg),
              "minutes": round((time.time() - t0) / 60, 1)}
    I.save(idm, out, extra=result)
    return result
