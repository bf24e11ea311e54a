"""Stable-Baselines3 over the natively batched dream: one model steps every env.

    from playground.envs.sb3 import dream_vec_env
    venv = dream_vec_env(num_envs=8, action_mode="discrete", reward_fn=SkyReward())
    PPO("CnnPolicy", venv).learn(10_000)

SB3 resets an env in the step that ends it and hands back the last observation in
`infos[i]["terminal_observation"]`; the gymnasium vector env resets on the next step
instead (AutoresetMode.NEXT_STEP), so the adapter resets the ended rows at once with
`reset_mask`. Needs Stable-Baselines3 (`pip install -e '.[agents]'`).
"""
from __future__ import annotations

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv

from playground.envs.dream_vector_env import WorldModelVectorEnv


class DreamVecEnv(VecEnv):
    """An SB3 VecEnv of a gymnasium vector env that takes `reset(options={"reset_mask": m})`."""

    def __init__(self, vector_env: WorldModelVectorEnv):
        self.venv = vector_env
        super().__init__(vector_env.num_envs, vector_env.single_observation_space, vector_env.single_action_space)
        self._actions = None
        self._seed = None

    def reset(self) -> np.ndarray:
        obs, _ = self.venv.reset(seed=self._seed)
        self._seed = None
        return obs

    def seed(self, seed: int | None = None):
        self._seed = seed
        return [None if seed is None else seed + i for i in range(self.num_envs)]

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self):
        obs, rewards, terminated, truncated, info = self.venv.step(self._actions)
        dones = terminated | truncated
        infos = [{k: v[i] for k, v in info.items()} for i in range(self.num_envs)]
        for i in np.flatnonzero(dones):
            infos[i]["terminal_observation"] = obs[i].copy()
            infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
        if dones.any():
            obs, _ = self.venv.reset(options={"reset_mask": dones})
        return obs, rewards.astype(np.float32), dones, infos

    def close(self) -> None:
        self.venv.close()

    def get_attr(self, attr_name, indices=None):
        return [getattr(self.venv, attr_name)] * len(self._indices(indices))

    def set_attr(self, attr_name, value, indices=None) -> None:
        setattr(self.venv, attr_name, value)

    def env_method(self, method_name, *args, indices=None, **kwargs):
        return [getattr(self.venv, method_name)(*args, **kwargs)] * len(self._indices(indices))

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False] * len(self._indices(indices))

    def get_images(self):
        return list(self.venv.render())

    def _indices(self, indices):
        if indices is None:
            return range(self.num_envs)
        return [indices] if isinstance(indices, int) else indices


def dream_vec_env(num_envs: int = 8, **kwargs) -> DreamVecEnv:
    """SB3's view of `gymnasium.make_vec("playground/WorldModel-v0", num_envs, **kwargs)`."""
    return DreamVecEnv(WorldModelVectorEnv(num_envs=num_envs, **kwargs))
