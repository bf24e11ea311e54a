"""`playground datagen`: sharded training data from the voxel world.

A dataset is a folder of shards `shard_00000.npz` ... each holding `episodes_per_shard`
episodes: `frames` uint8 (E, T, H, W, 3), `actions` float32 (E, T, 25) (action t
produced frame t; action 0 is zero), `seeds` int64 (E,), `policies` (E,) str; and
`meta.json` with the generation config. Episode i uses world seed `seed + i` and a
policy chosen by a hash of it, so any shard can be regenerated alone: generation is
resumable (finished shards are kept) and deterministic per seed. Shards are written to
a temporary file and renamed, so an interrupted run never leaves a half shard.

Seeds: training data uses seeds below EVAL_SEED_BASE; evaluation uses seeds from it on.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from playground.camera import FOV_DEGREES
from playground import actions as A
from playground.errors import PlaygroundError
from playground.policies import script
from playground.voxel import VoxelConfig, VoxelWorld
from playground.rules.physics import WALK_SPEED
from playground.world import SEED_LIMIT

EVAL_SEED_BASE = 1_000_000


class DatasetError(PlaygroundError, ValueError):
    """A dataset folder that cannot be used."""


@dataclass(frozen=True)
class DatagenConfig:
    episodes: int = 512
    ticks: int = 128                  # frames per episode (including the first)
    episodes_per_shard: int = 16
    seed: int = 0
    revisit_fraction: float = 0.3
    steady_fraction: float = 0.0      # episodes of the `steady` policy (exact held actions)
    stroll_fraction: float = 0.0      # episodes of the `stroll` policy (long walks on plain W)
    width: int = 64
    height: int = 64
    fov: float = FOV_DEGREES


# Policies whose walks hop only when the world stops them, as a player does: a walk that
# moved less than this share of walking speed in a tick on the ground gets a hop on the
# next; after two hops that did not get it moving (a wall), it turns right while walking
# until it moves again. Open-loop hops every few ticks (steady, explore) keep plain-W runs
# short; no hops leave the player pressed against a one-block step, teaching that W may do
# nothing.
HOP_WHEN_BLOCKED = {"stroll"}
_BLOCKED_SHARE = 0.25
_HOPS_BEFORE_TURNING = 2
_FORWARD, _JUMP = A.INDEX["forward"], A.INDEX["jump"]


def _unblock(a: np.ndarray, stuck: int, on_ground: bool) -> np.ndarray:
    """The policy's action, with a hop or a turn when the last `stuck` walking ticks on the
    ground did not move the player (nothing while in the air: the hop is under way)."""
    if not stuck or not on_ground or a[_FORWARD] <= 0:
        return a
    a = a.copy()
    if stuck <= _HOPS_BEFORE_TURNING:
        a[_JUMP] = 1.0
    else:
        a[A.YAW] = 1.0
    return a


def episode(world: VoxelWorld, seed: int, policy: str, ticks: int):
    """Frames (T, H, W, 3) and actions (T, 25) of one episode."""
    frames = [world.reset(seed)]
    acts = [A.zero()]
    stuck = 0   # walking ticks on the ground in a row that did not move the player
    closed_loop = policy in HOP_WHEN_BLOCKED
    for a in script(policy, np.random.default_rng(seed + 7), ticks - 1):
        if closed_loop:
            a = _unblock(a, stuck, world.player.on_ground)
            before = world.player.pos[[0, 2]].copy()
        frames.append(world.step(a))
        acts.append(a)
        if closed_loop and world.player.on_ground:
            moved = float(np.linalg.norm(world.player.pos[[0, 2]] - before))
            walking = acts[-2][_FORWARD] > 0 and a[_FORWARD] > 0
            stuck = stuck + 1 if walking and moved < _BLOCKED_SHARE * WALK_SPEED else 0
    return np.stack(frames), np.stack(acts).astype(np.float32)


POLICY_FRACTIONS = ("revisit", "steady", "stroll")   # the rest of the episodes explore


def _policy_for(seed: int, cfg: DatagenConfig) -> str:
    r = np.random.default_rng(seed + 3).random()
    for name in POLICY_FRACTIONS:
        share = getattr(cfg, f"{name}_fraction")
        if r < share:
            return name
        r -= share
    return "explore"


def write_shard(path: Path, arrays: dict) -> None:
    """Atomic: temporary file, fsync, rename."""
    tmp = path.with_suffix(".tmp.npz")
    with open(tmp, "wb") as f:
        np.savez(f, **arrays)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def check(cfg: DatagenConfig) -> None:
    """DatasetError, before anything is written, for a config that cannot make a dataset."""
    counts = {"episodes": (cfg.episodes, 1, ""), "ticks": (cfg.ticks, 2, " (frames per episode: a clip)"),
              "episodes_per_shard": (cfg.episodes_per_shard, 1, " (--shard-size)")}
    for name, (value, least, why) in counts.items():
        if value < least:
            raise DatasetError(f"{name}{why} must be at least {least}, got {value}")
    if not 0 <= cfg.seed <= SEED_LIMIT - cfg.episodes:   # every episode's seed a world seed
        raise DatasetError(f"the first world seed must be from 0 to 2**64 - episodes, got {cfg.seed}")
    shares = {name: getattr(cfg, f"{name}_fraction") for name in POLICY_FRACTIONS}
    if min(shares.values()) < 0 or sum(shares.values()) > 1:
        raise DatasetError(f"the revisit, steady and stroll fractions must be >= 0 and sum to at most 1 "
                           f"(got {shares})")


def generate(out: str | Path, cfg: DatagenConfig, progress: bool = True) -> Path:
    check(cfg)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meta_path = out / "meta.json"
    meta = {"kind": "voxel", "config": asdict(cfg), "action_schema": A.SCHEMA_VERSION}
    if not meta_path.exists() and any(out.iterdir()):
        raise DatasetError(f"{out} holds files but no dataset (no meta.json); use a new or empty --out folder")
    if meta_path.exists():
        old = json.loads(meta_path.read_text())
        if old.get("kind") != "voxel":
            raise DatasetError(f"{out} holds a dataset of {old.get('kind')!r} episodes, not a generated one; "
                               "use another --out folder")
        # Fields added since a dataset was made take their defaults, which reproduce it.
        old_cfg = {**asdict(DatagenConfig()), **old.get("config", {})}
        if old_cfg != meta["config"]:
            raise DatasetError(f"{out} holds a dataset made with a different config "
                               f"({old.get('config')}); use another --out folder")
    else:
        meta_path.write_text(json.dumps(meta, indent=1))
    world = VoxelWorld(VoxelConfig.make(cfg.width, cfg.height, cfg.fov))
    n_shards = -(-cfg.episodes // cfg.episodes_per_shard)
    todo = [s for s in range(n_shards) if not (out / f"shard_{s:05d}.npz").exists()]
    def shard_episodes(s: int) -> range:
        first = s * cfg.episodes_per_shard
        return range(first, min(first + cfg.episodes_per_shard, cfg.episodes))

    bar = tqdm(total=cfg.episodes, disable=not progress, desc="datagen", unit="ep",
               initial=cfg.episodes - sum(len(shard_episodes(s)) for s in todo))
    for s in todo:
        eps = shard_episodes(s)
        frames, acts, seeds, pols = [], [], [], []
        for i in eps:
            seed = cfg.seed + i
            assert seed < EVAL_SEED_BASE, "training seeds must stay below the evaluation seeds"
            pol = _policy_for(seed, cfg)
            f, a = episode(world, seed, pol, cfg.ticks)
            frames.append(f), acts.append(a), seeds.append(seed), pols.append(pol)
            bar.update(1)
        write_shard(out / f"shard_{s:05d}.npz", {
            "frames": np.stack(frames), "actions": np.stack(acts),
            "seeds": np.array(seeds, np.int64), "policies": np.array(pols)})
    bar.close()
    return out


def from_recordings(sources: list[str | Path], out: str | Path, ticks: int = 128,
                    episodes_per_shard: int = 16, progress: bool = True) -> Path:
    """Shards from recorded sessions (`playground play --record`): each recording is cut
    into episodes of `ticks` consecutive recorded frames (a shorter tail is dropped);
    the first action of an episode is zeroed, as in generated data. Voxel-world recordings
    only: a dream recording is not ground truth."""
    from playground.record import load
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise DatasetError(f"{out} is not empty; use a new or empty --out folder")
    frames, acts, seeds, names = [], [], [], []
    for src in tqdm(sources, desc="recordings", disable=not progress):
        rec = load(src)
        if rec.manifest.get("world") != "voxel":
            raise DatasetError(f"{src} records the {rec.manifest.get('world')!r} world; only voxel-world "
                               "recordings are training data")
        fa = rec.frame_actions
        for s0 in range(0, len(rec.frames) - ticks + 1, ticks):
            a = fa[s0:s0 + ticks].copy()
            a[0] = 0.0
            frames.append(rec.frames[s0:s0 + ticks]), acts.append(a)
            seeds.append(int(rec.manifest.get("seed", -1))), names.append("recording")
    if not frames:
        raise DatasetError(f"no recording has {ticks} frames; record longer sessions or lower --ticks")
    out.mkdir(parents=True, exist_ok=True)   # only once there is something to write
    for i in range(0, len(frames), episodes_per_shard):
        sl = slice(i, i + episodes_per_shard)
        write_shard(out / f"shard_{i // episodes_per_shard:05d}.npz", {
            "frames": np.stack(frames[sl]), "actions": np.stack(acts[sl]),
            "seeds": np.array(seeds[sl], np.int64), "policies": np.array(names[sl])})
    (out / "meta.json").write_text(json.dumps({"kind": "recordings", "sources": [str(x) for x in sources],
                                               "ticks": ticks, "action_schema": A.SCHEMA_VERSION}, indent=1))
    return out


def load_episodes(folder: str | Path):
    """Yield (frames, actions, world seed) per episode from a dataset folder."""
    folder = Path(folder)
    shards = sorted(folder.glob("shard_*.npz"))
    if not shards:
        raise DatasetError(f"no shards in {folder}; make some with `playground datagen --out {folder}`")
    for path in shards:
        with np.load(path) as z:
            yield from zip(z["frames"], z["actions"], z["seeds"].tolist())


def load_shards(folder: str | Path):
    """Yield (frames, actions) per episode from a dataset folder."""
    for frames, actions, _ in load_episodes(folder):
        yield frames, actions
