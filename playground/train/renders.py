"""The world memory's pictures of a dataset's frames: what a render-input network
(DiTConfig.render_input) is trained to complete.

For each episode, the picture the world memory (dream/world_memory.py) shows at every
frame's pose, built from the frames before it the way the dream builds it in play: each
frame lifted with the shipped depth network's depth (the dream's own estimate, with its
errors) at the episode's pose, only where the memory's picture did not cover it. The poses
come from re-simulating the voxel world from the episode's seed and actions (training data
may know the truth; play never does), with a random walk of `drift` blocks a tick added to
the position: the dream's own tracker drifts, and the network must not trust the picture
blindly. Exploring and revisiting episodes (datagen's policies) give both new ground and
returns. Each picture is edge-filled where it covers nothing (as in play) and encoded with
the autoencoder; its coverage, pooled to the latent grid, is the last channel.
"""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import torch
from tqdm import tqdm

from playground import checkpoint
from playground.camera import CameraModel, fill_unseen
from playground.dream.memory_warp import render_input
from playground.dream.world_memory import MAX_DISTANCE, WorldMemory
from playground.model.autoencoder import Autoencoder, frames_to_tensor
from playground.model.depth import DepthNet, predict
from playground.train.datagen import DatasetError


# Bumped whenever the pictures change for the same weights and config (the world memory's
# rules, the fill), so a cache made by another version is not taken for this one's.
PICTURES_VERSION = 2


@dataclass(frozen=True)
class RenderConfig:
    drift: float = 0.03      # blocks per tick: the std of the random walk added to the position
    seed: int = 0            # of the drift
    relearn: bool = False    # the memory's rules for the world's own frames (WorldMemory's relearn), not play's
    max_distance: float = MAX_DISTANCE   # blocks kept as points, farther by direction (play's memory_max_distance)


def replay_episode(seed: int, actions: np.ndarray, config: dict, first: np.ndarray) -> Iterator[tuple]:
    """((eye (3,), yaw, pitch), the voxel world, the cells (x, y, z) its last step edited) at
    every frame of the generated episode `seed` with `actions` (T, 25), re-simulated in a
    voxel world of the dataset's `config` (the same world each time, stepped); DatasetError
    unless it starts with the dataset's first frame `first` (H, W, 3)."""
    from playground.voxel import VoxelConfig, VoxelWorld
    world = VoxelWorld(VoxelConfig.make(config.get("width", 64), config.get("height", 64),
                                        **({"fov": config["fov"]} if "fov" in config else {})))
    shown = world.reset(int(seed))
    if not np.array_equal(shown, first):
        raise DatasetError(f"episode seed {seed} does not re-simulate to its frames (another playground version?)")
    for t, a in enumerate(actions):
        if t:
            world.step(a)
        p, edits = world.player, list(world.store.edit_log)
        world.store.edit_log.clear()
        yield (p.eye().copy(), float(p.yaw), float(p.pitch)), world, edits


def episode_poses(seed: int, actions: np.ndarray, config: dict, first: np.ndarray) -> tuple[list, list]:
    """(eye (3,), yaw, pitch) of every frame of the generated episode, and the cells each
    frame's step edited (replay_episode)."""
    poses, edits = [], []
    for pose, _, cells in replay_episode(seed, actions, config, first):
        poses.append(pose), edits.append(cells)
    return poses, edits


def episode_pictures(frames: np.ndarray, poses: list[tuple], depth: np.ndarray, camera: CameraModel,
                     drift: float, rng: np.random.Generator, edits: list | None = None,
                     relearn: bool = False, max_distance: float = MAX_DISTANCE) -> tuple[np.ndarray, np.ndarray]:
    """The memory's pictures (T, H, W, 3) uint8, edge-filled, and their coverage (T, H, W)
    bool, of frames (T, H, W, 3) seen at `poses` with `depth` (T, H, W); the memory forgets
    the blocks `edits` (T lists of cells) says each step broke or placed, as in play, and
    follows WorldMemory's `relearn` rules and keeps points up to `max_distance` blocks."""
    T, H, W = frames.shape[:3]
    memory = WorldMemory(1, camera, relearn=relearn, max_distance=max_distance)
    pictures, covered = np.empty_like(frames), np.zeros((T, H, W), bool)
    offset, drawn = np.zeros(3), None
    for t in range(T):
        offset += rng.normal(0, drift, 3) if t else 0.0
        eye, yaw, pitch = poses[t]
        eye = eye + offset
        for cell in edits[t] if edits else ():
            memory.forget(0, cell)
        if t:
            view, covered[t], drawn = memory.render(0, eye, yaw, pitch, (H, W), t)
            pictures[t] = fill_unseen(view, covered[t], frames[t - 1], "edge")
        else:
            pictures[t] = frames[0]          # nothing covered: the share channel says so
        memory.add(0, frames[t], depth[t], eye, yaw, pitch, t, drawn)
    return pictures, covered


@torch.no_grad()
def render_latents(folder: str | Path, ae: Autoencoder, depth_net: DepthNet, cfg: RenderConfig = RenderConfig(),
                   progress: bool = True) -> np.ndarray:
    """(E, T, C + 1, h, w) float16 for every episode of a generated dataset folder."""
    from playground.train.datagen import load_episodes
    folder = Path(folder)
    meta = json.loads((folder / "meta.json").read_text()) if (folder / "meta.json").exists() else {}
    if meta.get("kind") != "voxel":
        raise DatasetError(f"{folder} is not a generated dataset (`playground datagen`): its episodes cannot be "
                           "re-simulated for their poses")
    config = meta.get("config", {})
    camera = CameraModel(fov_degrees=config.get("fov", CameraModel().fov_degrees))
    rng = np.random.default_rng(cfg.seed)
    out = []
    for frames, actions, seed in tqdm(load_episodes(folder), desc="memory pictures", unit="ep",
                                      disable=not progress):
        poses, edits = episode_poses(seed, actions, config, frames[0])
        pictures, covered = episode_pictures(frames, poses, predict(depth_net, frames), camera, cfg.drift, rng, edits,
                                             cfg.relearn, cfg.max_distance)
        z = ae.encode(frames_to_tensor(pictures))
        out.append(render_input(z, covered).numpy().astype(np.float16))
    return np.stack(out)


def load_renders(ae: Autoencoder, folders: list[Path], cfg: RenderConfig = RenderConfig(),
                 progress: bool = True) -> np.ndarray:
    """The memory's pictures (E, T, C + 1, h, w) of every episode of the folders, in order,
    each folder's cached beside its data under the autoencoder's and the depth network's
    weights and `cfg` (so `main` can make them ahead, one process per folder)."""
    from playground.dream.memory_warp import shipped_depth     # the depth play lifts frames with
    depth = shipped_depth()
    key = f"ae-{checkpoint.weights_sha256(ae)[:12]}_depth-{checkpoint.weights_sha256(depth)[:12]}" \
          f"_drift-{cfg.drift:g}_seed-{cfg.seed}{'_relearn' if cfg.relearn else ''}" \
          f"{f'_far-{cfg.max_distance:g}' if cfg.max_distance != MAX_DISTANCE else ''}_v{PICTURES_VERSION}"
    out = []
    for folder in map(Path, folders):
        cache = folder / f"renders_{key}.npy"
        if not cache.exists():
            tmp = cache.with_suffix(".tmp.npy")
            np.save(tmp, render_latents(folder, ae, depth, cfg, progress))
            tmp.replace(cache)
        out.append(np.load(cache))
    return np.concatenate(out)


def main(argv=None) -> int:
    """Make the pictures of dataset folders ahead of `playground train dit` (which makes the
    missing ones itself): run one process per folder to use every core."""
    from playground.train.dit import load_ae
    p = argparse.ArgumentParser(description=main.__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--data", nargs="+", required=True, help="dataset folders (playground datagen)")
    p.add_argument("--ae", default="checkpoints/tiny.safetensors", help="the autoencoder the DiT trains with")
    p.add_argument("--drift", type=float, default=RenderConfig.drift, help="blocks a tick of pose random walk")
    p.add_argument("--relearn", action="store_true", help="the memory's rules for the world's own frames "
                   "(as renders.relearn in the DiT's config)")
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    load_renders(load_ae(a.ae), a.data, RenderConfig(drift=a.drift, relearn=a.relearn))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
