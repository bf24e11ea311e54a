"""Gymnasium environments, registered on `import playground`:

- `playground/VoxelWorld-v0`: the ground-truth voxel world.
- `playground/WorldModel-v0`: the dream (the shipped checkpoint by default).
"""
from gymnasium.envs.registration import register, registry

if "playground/VoxelWorld-v0" not in registry:
    register(id="playground/VoxelWorld-v0",
             entry_point="playground.envs.voxel_env:VoxelWorldEnv",
             max_episode_steps=1000)
if "playground/WorldModel-v0" not in registry:
    register(id="playground/WorldModel-v0",
             entry_point="playground.envs.dream_env:WorldModelEnv",
             vector_entry_point="playground.envs.dream_vector_env:WorldModelVectorEnv",
             max_episode_steps=1000)
