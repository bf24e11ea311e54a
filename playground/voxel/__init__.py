"""The ground-truth voxel world."""
from playground.voxel.world import VoxelConfig, VoxelWorld

__all__ = ["VoxelConfig", "VoxelWorld"]
