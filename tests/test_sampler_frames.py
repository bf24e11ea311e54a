"""The sampler's frames, pinned: every named preset with the shipped checkpoint and its
recommended settings, plain sampling, and the batched vector env, over a fixed action script.

A change to how the sampler is organised must not change a single pixel: the frames'
sha256 is pinned, exact on the CPU kind that wrote it. Another CPU's vector units may round
a few sums apart, so there the frames, averaged over 4x4 pixel blocks (kept too, small),
must agree to within a level or two instead.

Rewrite the pinned frames (only when a change to the pictures is intended, and say so):
    python tests/test_sampler_frames.py --write
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from playground import actions as A

GOLDEN = Path(__file__).parent / "golden" / "sampler_frames.npz"
SEED = 11


def script() -> np.ndarray:
    """(16, 25): walk, turn right in place, jump forward, turn left looking down, stand."""
    def act(**keys):
        a = A.zero()
        for k, v in keys.items():
            a[A.YAW if k == "yaw" else A.PITCH if k == "pitch" else A.INDEX[k]] = v
        return a
    return np.stack([act(forward=1)] * 4 + [act(yaw=1)] * 4 + [act(forward=1, jump=1)] * 2
                    + [act(yaw=-1, pitch=0.5)] * 3 + [A.zero()] * 3)


def dream_frames(preset: str, **options) -> np.ndarray:
    from playground.dream import schedule as S
    from playground.dream.settings import SamplerSettings
    from playground.dream.world import DreamConfig, DreamWorld
    name, params = S.NAMED[preset]
    world = DreamWorld(DreamConfig(sampler=SamplerSettings.named(name, params, **options), device="cpu"))
    frames = [world.reset(SEED)]
    frames += [world.step(a) for a in script()]
    return np.stack(frames)


def vector_frames() -> np.ndarray:
    import gymnasium as gym
    import playground.envs  # noqa: F401  (registers the envs)
    env = gym.make_vec("playground/WorldModel-v0", num_envs=2, device="cpu")
    obs, _ = env.reset(seed=SEED)
    frames = [obs]
    for a in script()[:8]:
        obs, *_ = env.step(np.stack([a, np.roll(a, 1)]))
        frames.append(obs)
    env.close()
    return np.stack(frames)


def cases() -> dict:
    from playground.dream import schedule as S
    out = {f"shipped/{p}": (lambda p=p: dream_frames(p)) for p in S.NAMED}
    out["plain/frame-2"] = lambda: dream_frames("frame-2", action_guidance=0.0, world_memory=False,
                                                use_memory=False)
    out["vector/frame-2"] = vector_frames
    return out


def digest(frames: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(frames).tobytes()).hexdigest()


def blocks(frames: np.ndarray) -> np.ndarray:
    """(..., H, W, 3) uint8 -> (..., H/4, W/4, 3) uint8: 4x4 block means."""
    *lead, H, W, C = frames.shape
    return np.rint(frames.reshape(*lead, H // 4, 4, W // 4, 4, C).mean((-4, -2))).astype(np.uint8)


def _golden():
    if not GOLDEN.exists():
        pytest.skip(f"{GOLDEN} not written")
    with np.load(GOLDEN) as z:
        return {k: z[k] for k in z.files}


@pytest.mark.parametrize("case", list(cases()))
def test_frames_match_the_pinned_ones(case):
    torch.set_num_threads(1)
    golden = _golden()
    frames = cases()[case]()
    expected = golden[f"{case}/blocks"]
    assert blocks(frames).shape == expected.shape
    if str(golden["cpu"]) == torch.backends.cpu.get_cpu_capability():
        assert digest(frames) == str(golden[f"{case}/sha256"]), f"{case}: the frames changed"
    else:
        diff = np.abs(blocks(frames).astype(int) - expected.astype(int))
        assert diff.mean() < 0.5 and np.percentile(diff, 99) <= 4, f"{case}: mean |diff| {diff.mean():.2f}"


if __name__ == "__main__" and "--write" in sys.argv:
    torch.set_num_threads(1)
    arrays = {k: make() for k, make in cases().items()}
    GOLDEN.parent.mkdir(exist_ok=True)
    pinned = {f"{k}/sha256": np.array(digest(v)) for k, v in arrays.items()}
    pinned |= {f"{k}/blocks": blocks(v) for k, v in arrays.items()}
    np.savez_compressed(GOLDEN, cpu=np.array(torch.backends.cpu.get_cpu_capability()), **pinned)
    print(f"wrote {GOLDEN}: {', '.join(f'{k} {v.shape}' for k, v in arrays.items())}")
