"""What a recording must know to rebuild its world: describe(world) -> dict -> build(dict)."""
from __future__ import annotations

from dataclasses import asdict

from playground.record.layout import RecordingError


def describe(world) -> dict:
    """A JSON-able description of a World's configuration (voxel or dream)."""
    if world.name == "voxel":
        return {"world": "voxel", "voxel_config": asdict(world.config)}
    if world.name == "dream":
        return {"world": "dream", "checkpoint": world.ckpt["path"], "checkpoint_sha256": world.ckpt["sha256"],
                "schedule": world.schedule.name, "sampler": asdict(world.settings), "device": world.config.device,
                "model_config": asdict(world.dit.cfg), "ae_config": asdict(world.ae.cfg),
                "camera": asdict(world.camera)}
    return {"world": world.name}


def build(spec: dict, checkpoint: str | None = None):
    """The World a description came from. A dream's checkpoint must have the recorded
    sha256 (pass `checkpoint` if the file has moved)."""
    kind = spec.get("world")
    if kind == "voxel":
        from playground.config import build as build_cfg
        from playground.voxel import VoxelConfig, VoxelWorld
        return VoxelWorld(build_cfg(VoxelConfig, spec.get("voxel_config", {}), "recording voxel_config"))
    if kind == "dream":
        from playground.camera import CameraModel
        from playground.config import build as build_cfg
        from playground.dream.settings import SamplerSettings
        from playground.dream.world import DreamConfig, DreamWorld
        sampler, recorded_fov = _sampler(spec)
        world = DreamWorld(DreamConfig(checkpoint=checkpoint or spec["checkpoint"], device="cpu",
                                       sampler=SamplerSettings.build(sampler, "recording sampler")))
        if world.ckpt["sha256"] != spec.get("checkpoint_sha256"):
            raise RecordingError(f"checkpoint {world.config.checkpoint} (sha256 {world.ckpt['sha256'][:12]}) is not "
                                 f"the one recorded ({str(spec.get('checkpoint_sha256'))[:12]}); pass --checkpoint "
                                 "with that file")
        recorded = spec.get("camera", {} if recorded_fov is None else {"fov_degrees": recorded_fov})
        if recorded and build_cfg(CameraModel, recorded, "recording camera") != world.camera:
            raise RecordingError(f"the recording's camera {recorded} is not the checkpoint's {asdict(world.camera)}")
        return world
    raise RecordingError(f"cannot rebuild a {kind!r} world")


def _sampler(spec: dict) -> tuple[dict, float | None]:
    """The recorded sampler settings, and the field of view older recordings kept among
    them. Older recordings kept the schedule, its parameters, the session's options and the
    context apart; those made before the world memory existed ran without it. A recording
    made with the turn warp (which the world memory replaced) cannot be re-simulated."""
    if "sampler" in spec:
        sampler, fov = dict(spec["sampler"]), None
    else:
        options = dict(spec.get("options", {}))
        fov = options.pop("fov_degrees", None)
        sampler = {**options, "schedule": spec["schedule_preset"],
                   "schedule_params": spec.get("schedule_params", {}), "context_frames": spec.get("context")}
    sampler.setdefault("world_memory", False)
    sampler.setdefault("memory_pose", "actions")     # the one tracker before the option existed
    warp = sampler.pop("turn_warp_level", None)
    sampler.pop("panorama_views", None)
    if warp and not sampler["world_memory"]:
        raise RecordingError(f"this recording was drawn with the turn warp (level {warp}), which the world memory "
                             "replaced; re-simulate it with the playground version that made it (commit ae15420 "
                             "or earlier)")
    return sampler, fov
