"""Gymnasium environments, registered on `import playground`:

- `playground/VoxelWorld-v0`: the ground-truth voxel world.
"""
from gymnasium.envs.registration import register, registry

if "playground/VoxelWorld-v0" not in registry:
    register(id="playground/VoxelWorld-v0",
             entry_point="playground.envs.voxel_env:VoxelWorldEnv",
             max_episode_steps=1000)
