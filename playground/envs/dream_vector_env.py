"""Natively batched WorldModel-v0: one model, batch = number of envs.

`gymnasium.make_vec("playground/WorldModel-v0", num_envs=N)` builds this (the
registration's vector_entry_point). Each env has its own seed and voxel world for its
start; one DreamWorld (the single env's, with N rows) steps all N together. Episodes end by `max_episode_steps`
(truncation); autoreset happens on the next step (AutoresetMode.NEXT_STEP), and
`reset(options={"reset_mask": mask})` restarts only some envs.
"""
from __future__ import annotations

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from playground.dream import schedule as S
from playground.dream.settings import SamplerSettings
from playground.dream.world import DreamConfig, DreamWorld
from playground.envs.spaces import action_space, to_schema


class WorldModelVectorEnv(VectorEnv):
    metadata = {"render_modes": ["rgb_array"], "autoreset_mode": AutoresetMode.NEXT_STEP, "render_fps": 20}

    def __init__(self, num_envs: int = 1, action_mode: str = "vector", render_mode: str | None = None,
                 max_episode_steps: int | None = 1000, reward_fn=None, sampler: SamplerSettings | dict | None = None,
                 checkpoint: str | None = None, device: str = "auto"):
        """As WorldModelEnv; sampler's bf16 None (the default) is the precision that is
        faster for this batch on this device (device.fast_bf16)."""
        cfg = DreamConfig(checkpoint=checkpoint, sampler=SamplerSettings.build(sampler), device=device)
        if cfg.sampler.context_frames is not None:   # its one cache holds every row's full history
            raise S.ScheduleError("the vector env starts every env from a full context; leave `context_frames` "
                                  "unset (it works with gymnasium.make)")
        self.world = DreamWorld(cfg, batch=num_envs)
        if self.world.schedule.shift != 1:
            raise S.ScheduleError("the vector env needs a shift-1 schedule (frame, progressive, pyramid)")
        self.num_envs, self.action_mode, self.render_mode = num_envs, action_mode, render_mode
        self.reward_fn, self.max_episode_steps = reward_fn, max_episode_steps
        h, w = self.world.frame_shape[:2]
        self.single_observation_space = spaces.Box(0, 255, (h, w, 3), np.uint8)
        self.single_action_space = action_space(action_mode)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)
        self.elapsed = np.zeros(num_envs, np.int64)
        self.seeds = np.zeros(num_envs, np.int64)
        self._autoreset = np.zeros(num_envs, bool)
        self._obs = None

    @property
    def settings(self) -> SamplerSettings:
        """The sampler's settings as they run (the checkpoint's defaults filled in)."""
        return self.world.settings

    def _views(self, seeds) -> tuple[np.ndarray, list[float]]:
        views = [self.world.view(int(seed)) for seed in seeds]
        return np.stack([f for f, _ in views]), [p for _, p in views]

    def _seeds(self, seed):
        if seed is None:
            return self.np_random.integers(0, 2**31 - 1, self.num_envs)
        if isinstance(seed, int):
            return np.arange(seed, seed + self.num_envs)
        return np.asarray(seed, np.int64)

    def reset(self, *, seed=None, options=None):
        if seed is not None:
            self._np_random, _ = seeding.np_random(int(seed if isinstance(seed, int) else seed[0]))
        mask = None if not options or "reset_mask" not in options else np.asarray(options["reset_mask"], bool)
        seeds = self._seeds(seed)
        if mask is None or self.world.session is None:
            mask = np.ones(self.num_envs, bool)
            firsts, pitches = self._views(seeds)
            self.world.begin(firsts, pitches, int(seeds[0]))
            self._obs = firsts
        else:
            self._reset_rows(mask, seeds)
        self.seeds[mask] = seeds[mask]
        self.elapsed[mask] = 0
        self._autoreset[mask] = False
        return self._obs.copy(), self._infos()

    def _reset_rows(self, mask, seeds):
        firsts, pitches = self._views(seeds[mask])
        self.world.restart_rows(mask, firsts, pitches)
        self._obs[mask] = firsts

    def step(self, actions):
        acts = np.stack([to_schema(a, self.action_mode) for a in actions])
        frames = self.world.step_rows(acts)
        self.elapsed += 1
        rewards = np.zeros(self.num_envs, np.float64)
        if self.reward_fn:
            infos = self._infos()
            rewards = np.array([self.reward_fn(frames[i], acts[i], {k: v[i] for k, v in infos.items()})
                                for i in range(self.num_envs)], np.float64)
        self._obs = frames.copy()
        was_reset = self._autoreset.copy()
        if was_reset.any():   # NEXT_STEP autoreset: these envs ended last step
            new = self.np_random.integers(0, 2**31 - 1, self.num_envs)
            self._reset_rows(was_reset, new)
            self.seeds[was_reset], self.elapsed[was_reset] = new[was_reset], 0
            rewards[was_reset] = 0.0
        truncated = np.zeros(self.num_envs, bool)
        if self.max_episode_steps:
            truncated = (self.elapsed >= self.max_episode_steps) & ~was_reset
        terminated = np.zeros(self.num_envs, bool)
        self._autoreset = truncated | terminated
        return self._obs.copy(), rewards, terminated, truncated, self._infos()

    def _infos(self) -> dict:
        return {"seed": self.seeds.copy(), "tick": self.elapsed.copy()}

    def render(self):
        return None if self._obs is None else self._obs.copy()

    def close_extras(self, **kwargs):
        self.world.close()
