"""How well the shipped depth network (model/depth.py) knows the distance of what a frame
shows: its relative error within the fog distance on the voxel world's frames of held-out
seeds, against the world's exact depth (`VoxelWorld.depth`)."""
from __future__ import annotations

from playground.model.depth import DepthNet
from playground.train.depth import dataset, heldout_error


def depth_error(net: DepthNet, seeds: list[int], ticks: int = 120, every: int = 3, progress: bool = True) -> dict:
    """Median and mean relative error and the far/near confusions (train.depth.heldout_error)
    on every `every`-th frame of `ticks` of exploring play from each seed."""
    frames, depths = dataset(seeds, ticks, every, workers=2, progress=progress)
    return {**heldout_error(net, frames, depths), "seeds": len(seeds)}
