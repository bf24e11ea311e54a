"""Reference sources for loop trials that depart from the world's own frame (loops.plan
with lead False): dreams whose behaviour is known by construction, so that the loop
figures of a real dream can be read against what they give them.

- "another world": the frames of another voxel world under the same actions. As sharp as
  the world, and moving as the world moves, but it keeps nothing of what it was shown.
- "kept + another world": what a perfect memory of the first frame shows at each tick (the
  world memory learned from the world's first frame with the world's exact depth, rendered
  at the world's exact pose), and another world's frame wherever that render covers
  nothing. A dream that keeps everything it was shown and draws new ground as sharply as a
  world does, but cannot know the ground it has not seen.

Neither is a baseline to beat: they bound what "moved away" can say. A dream that cannot
know unseen ground is closer to its own departure frame than to the world on many ticks
of a trip that turns away from what it was shown, however good it is.
"""
from __future__ import annotations

import numpy as np

from playground.dream.world_memory import WorldMemory

ANOTHER_WORLD = "another world"
KEPT = "kept + another world"
REFERENCES = (ANOTHER_WORLD, KEPT)
OTHER_SEED = 7919          # another world: the trial's seed plus this (a prime, far from the seed blocks)


def _walk(seed: int, actions: np.ndarray) -> list[tuple]:
    """(frame, depth, eye, yaw, pitch) of every tick of the voxel world from reset(seed)."""
    from playground.voxel import VoxelWorld
    world = VoxelWorld()

    def now(frame):
        p = world.player
        return frame, world.depth(), p.eye().copy(), float(p.yaw), float(p.pitch)
    first = now(world.reset(int(seed)))
    return [first] + [now(world.step(a)) for a in actions]


def reference_frames(trial: dict) -> dict[str, np.ndarray]:
    """Each reference source's frames (T+1, H, W, 3) uint8 for one trial (loops.plan's,
    departing at tick 0)."""
    assert trial["depart"] == 0, "references keep the world's first frame: trials without a lead-in"
    real = _walk(trial["seed"], trial["actions"])
    other = _walk(trial["seed"] + OTHER_SEED, trial["actions"])
    hw = real[0][0].shape[:2]
    memory = WorldMemory(1)
    memory.add(0, *real[0], 0)
    kept = [real[0][0]]
    for (_, _, eye, yaw, pitch), (imagined, *_) in zip(real[1:], other[1:]):
        view, covered, _ = memory.render(0, eye, yaw, pitch, hw)
        kept.append(np.where(covered[..., None], view, imagined))
    return {ANOTHER_WORLD: np.stack([real[0][0]] + [o[0] for o in other[1:]]), KEPT: np.stack(kept)}
