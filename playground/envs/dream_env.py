"""`playground/WorldModel-v0`: the dream as a gymnasium Env, with the same observation and
action spaces as VoxelWorld-v0 and reset(seed) from the same place.

Deterministic on the CPU (the session's noise comes from a generator seeded by the reset
seed), so gymnasium's check_env determinism checks apply. On CUDA, kernels may reorder
floating-point sums between runs; the env is then registered-equivalent but not bitwise
deterministic (see the README).
"""
from __future__ import annotations

from playground.dream.schedule import params_for
from playground.dream.session import SessionOptions
from playground.dream.world import DreamConfig, DreamWorld
from playground.envs.voxel_env import RewardFn, WorldEnv


def dream_config(checkpoint=None, schedule="frame", steps=None, device="auto", context=None,
                 recondition=True, memory=True, bf16=False, vae=None, prompt_image=None,
                 action_guidance=None, context_label=None, guidance_min_level=None,
                 guidance_on=None, turn_warp_level=None) -> DreamConfig:
    return DreamConfig(checkpoint=checkpoint, vae=vae, prompt_image=prompt_image, schedule=schedule,
                       schedule_params=params_for(schedule, steps, context_label), device=device,
                       context=context, options=SessionOptions(recondition=recondition, use_memory=memory,
                                                               bf16=bf16, action_guidance=action_guidance,
                                                               guidance_min_level=guidance_min_level,
                                                               guidance_on=guidance_on,
                                                               turn_warp_level=turn_warp_level))


class WorldModelEnv(WorldEnv):
    def __init__(self, action_mode: str = "vector", render_mode: str | None = None,
                 checkpoint: str | None = None, schedule: str = "frame", steps: int | None = None,
                 device: str = "auto", context: int | None = None, recondition: bool = True,
                 memory: bool = True, bf16: bool = False, vae: str | None = None,
                 prompt_image: str | None = None, reward_fn: RewardFn | None = None,
                 action_guidance: float | None = None, context_label: int | None = None,
                 guidance_min_level: int | None = None, guidance_on: str | None = None,
                 turn_warp_level: int | None = None):
        cfg = dream_config(checkpoint, schedule, steps, device, context, recondition, memory, bf16, vae,
                           prompt_image, action_guidance, context_label, guidance_min_level, guidance_on,
                           turn_warp_level)
        super().__init__(DreamWorld(cfg), action_mode, render_mode, reward_fn)
