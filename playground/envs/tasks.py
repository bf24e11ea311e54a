"""Optional tasks for agents.

Rewards computed from observations work the same in the voxel world and in the dream, so
a policy trained in one can be tested in the other:

- `SkyReward`: the fraction of sky-coloured pixels (look up, climb, leave forests).
- `MotionReward`: how much the view changed since the last tick (keep moving).

`MarkerTask` (voxel world only) places a magenta marker pillar a few blocks from the
start and rewards getting next to it ("reach a marked block"), ending the episode there.
"""
from __future__ import annotations

import gymnasium as gym
import numpy as np

from playground.rules import blocks as B


def sky_fraction(obs: np.ndarray) -> float:
    """Pixels of the sky gradient (blue and bright; not water, which is darker blue)."""
    r, g, b = (obs[..., i].astype(np.int16) for i in range(3))
    return float(((b >= 215) & (b - r >= 45) & (g >= 130)).mean())


class SkyReward:
    def __call__(self, obs, action, info) -> float:
        return sky_fraction(obs)


class MotionReward:
    def __init__(self):
        self.last = None

    def __call__(self, obs, action, info) -> float:
        prev, self.last = self.last, obs.astype(np.int16)
        return 0.0 if prev is None else float(np.abs(self.last - prev).mean() / 255.0)


class MarkerTask(gym.Wrapper):
    """Voxel world: a marker pillar 6-10 blocks away; reward 1 and termination when the
    player stands within `reach` blocks of it, minus a small cost per tick."""

    def __init__(self, env: gym.Env, reach: float = 1.8, step_cost: float = 0.01):
        super().__init__(env)
        if getattr(env.unwrapped, "world", None) is None or env.unwrapped.world.name != "voxel":
            raise ValueError("MarkerTask needs playground/VoxelWorld-v0")
        self.reach, self.step_cost, self.marker = reach, step_cost, None

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        world = self.env.unwrapped.world
        rng = np.random.default_rng(info["seed"] + 17)
        angle, dist = rng.uniform(0, 2 * np.pi), rng.uniform(6, 10)
        x = int(np.floor(world.player.pos[0] + dist * np.cos(angle)))
        z = int(np.floor(world.player.pos[2] + dist * np.sin(angle)))
        y = world.store.surface(x, z)
        for dy in range(3):
            world.store.set(x, y + dy, z, B.MARKER)
        self.marker = np.array([x + 0.5, z + 0.5])
        obs = world.render()
        self.env.unwrapped._frame = obs
        return obs.copy(), {**info, "marker": self.marker.tolist(), "marker_distance": self._distance()}

    def _distance(self) -> float:
        p = self.env.unwrapped.world.player.pos
        return float(np.hypot(p[0] - self.marker[0], p[2] - self.marker[1]))

    def step(self, action):
        obs, _, terminated, truncated, info = self.env.step(action)
        d = self._distance()
        reached = d <= self.reach
        return obs, (1.0 if reached else -self.step_cost), terminated or reached, truncated, \
            {**info, "marker_distance": d}
