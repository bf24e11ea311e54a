"""`playground/WorldModel-v0`: the dream as a gymnasium Env, with the same observation and
action spaces as VoxelWorld-v0 and reset(seed) from the same place.

Deterministic on the CPU (the session's noise comes from a generator seeded by the reset
seed), so gymnasium's check_env determinism checks apply. On CUDA, kernels may reorder
floating-point sums between runs; the env is then registered-equivalent but not bitwise
deterministic (see the README).
"""
from __future__ import annotations

from playground.dream.settings import SamplerSettings
from playground.dream.world import DreamConfig, DreamWorld
from playground.envs.voxel_env import RewardFn, WorldEnv


class WorldModelEnv(WorldEnv):
    """The dream as a gymnasium Env.

    Args:
        action_mode: "vector" (the 25-dim action in [-1, 1]) or "dict" (keys and camera).
        render_mode: None or "rgb_array".
        checkpoint: a dream checkpoint (default: the shipped one).
        sampler: the sampler's settings: a `SamplerSettings`, a dict of its fields
            (e.g. `{"schedule_params": {"steps": 4}, "action_guidance": 0.0}`), or None
            (frame-2 with the checkpoint's recommended tuning).
        device: "auto" (CUDA, then MPS, then the CPU), "cpu", "cuda", "mps".
        reward_fn: reward(frame, action, info) -> float (default 0: the tasks add theirs).
        vae: with the public Minecraft DiT file, its ViT VAE file.
        prompt_image: start from this PNG instead of the voxel world's view of the seed.

    Version history:
        v0 (2026-12-04): every frame is drawn from the world memory's picture of the new pose
            by default (`sampler={"world_memory": False}` for the network alone); the turn
            warp and its `turn_warp_level` / `panorama_views` settings are gone.
        v0 (2026-12-03): the sampler's settings are one `sampler` argument (an object or a
            dict) instead of one keyword per setting; the camera's geometry comes from the
            checkpoint.
        v0 (first release): the dream with the voxel world's spaces and seeds.
    """

    def __init__(self, action_mode: str = "vector", render_mode: str | None = None, checkpoint: str | None = None,
                 sampler: SamplerSettings | dict | None = None, device: str = "auto",
                 reward_fn: RewardFn | None = None, vae: str | None = None, prompt_image: str | None = None):
        cfg = DreamConfig(checkpoint=checkpoint, sampler=SamplerSettings.build(sampler), device=device, vae=vae,
                          prompt_image=prompt_image)
        super().__init__(DreamWorld(cfg), action_mode, render_mode, reward_fn)
