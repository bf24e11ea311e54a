"""`playground/VoxelWorld-v0`: the ground-truth voxel world as a gymnasium Env."""
from __future__ import annotations

from typing import Any, Callable

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from playground.camera import FOV_DEGREES
from playground.envs.spaces import action_space, keys_to_action, to_schema
from playground.world import TICK_RATE, World

RewardFn = Callable[[np.ndarray, np.ndarray, dict], float]


class WorldEnv(gym.Env):
    """Any World as an Env. Observation: uint8 (H, W, 3). Reward: 0 unless `reward_fn`
    (obs, schema_action, info) -> float is given. Episodes end by `max_episode_steps`
    (the TimeLimit wrapper that gymnasium.make adds)."""

    metadata = {"render_modes": ["rgb_array", "human"], "render_fps": TICK_RATE}

    def __init__(self, world: World, action_mode: str = "vector", render_mode: str | None = None,
                 reward_fn: RewardFn | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.world, self.action_mode, self.render_mode = world, action_mode, render_mode
        self.reward_fn = reward_fn
        self.observation_space = spaces.Box(0, 255, world.frame_shape, np.uint8)
        self.action_space = action_space(action_mode)
        self._frame: np.ndarray | None = None
        self._window = None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        world_seed = int(self.np_random.integers(0, 2**31 - 1)) if seed is None else int(seed)
        self._frame = self.world.reset(world_seed)
        if self.render_mode == "human":
            self._show()
        return self._frame.copy(), self.world.info()

    def step(self, action):
        a = to_schema(action, self.action_mode)
        self._frame = self.world.step(a)
        info = self.world.info()
        reward = float(self.reward_fn(self._frame, a, info)) if self.reward_fn else 0.0
        if self.render_mode == "human":
            self._show()
        return self._frame.copy(), reward, False, False, info

    def render(self):
        if self.render_mode == "rgb_array":
            return None if self._frame is None else self._frame.copy()
        if self.render_mode == "human":
            self._show()
        return None

    def _show(self):
        import pygame  # only for render_mode="human"
        if self._frame is None:
            return
        h, w, _ = self._frame.shape
        if self._window is None:
            pygame.display.init()
            self._window = pygame.display.set_mode((w * 8, h * 8))
            pygame.display.set_caption("playground env")
        from playground.game.display import frame_surface
        self._window.blit(frame_surface(self._frame, self._window.get_size()), (0, 0))
        pygame.event.pump()
        pygame.display.flip()

    def get_keys_to_action(self) -> dict:
        return keys_to_action(self.action_mode)

    def close(self):
        if self._window is not None:
            import pygame
            pygame.display.quit()
            self._window = None
        self.world.close()


class VoxelWorldEnv(WorldEnv):
    def __init__(self, action_mode: str = "vector", render_mode: str | None = None,
                 width: int = 64, height: int = 64, fov: float = FOV_DEGREES,
                 reward_fn: RewardFn | None = None):
        from playground.voxel import VoxelConfig, VoxelWorld
        super().__init__(VoxelWorld(VoxelConfig.make(width, height, fov)), action_mode,
                         render_mode, reward_fn)
