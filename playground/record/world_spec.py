"""What a recording must know to rebuild its world: describe(world) -> dict -> build(dict)."""
from __future__ import annotations

from dataclasses import asdict

from playground.record.layout import RecordingError


def describe(world) -> dict:
    """A JSON-able description of a World's configuration (voxel or dream)."""
    if world.name == "voxel":
        return {"world": "voxel", "voxel_config": asdict(world.config)}
    if world.name == "dream":
        cfg = world.config
        return {"world": "dream", "checkpoint": world.ckpt["path"], "checkpoint_sha256": world.ckpt["sha256"],
                "schedule": world.schedule.name, "schedule_preset": cfg.schedule,
                "schedule_params": dict(cfg.schedule_params), "options": asdict(cfg.options),
                "device": cfg.device, "context": cfg.context,
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
        from playground.dream.session import SessionOptions
        from playground.dream.world import DreamConfig, DreamWorld
        options = dict(spec.get("options", {}))
        recorded_fov = options.pop("fov_degrees", None)   # older recordings kept the camera's view here
        cfg = DreamConfig(checkpoint=checkpoint or spec["checkpoint"], schedule=spec["schedule_preset"],
                          schedule_params=spec.get("schedule_params", {}), device="cpu",
                          context=spec.get("context"),
                          # recorded before the turn warp or the panorama existed: those ran without them
                          options=build_cfg(SessionOptions, {"turn_warp_level": 0, "panorama_views": 0, **options},
                                            "recording options"))
        world = DreamWorld(cfg)
        recorded = spec.get("camera", {} if recorded_fov is None else {"fov_degrees": recorded_fov})
        if recorded and build_cfg(CameraModel, recorded, "recording camera") != world.camera:
            raise RecordingError(f"the recording's camera {recorded} is not the checkpoint's {asdict(world.camera)}")
        if world.ckpt["sha256"] != spec.get("checkpoint_sha256"):
            raise RecordingError(f"checkpoint {cfg.checkpoint} (sha256 {world.ckpt['sha256'][:12]}) is not the one "
                                 f"recorded ({str(spec.get('checkpoint_sha256'))[:12]}); pass --checkpoint with that file")
        return world
    raise RecordingError(f"cannot rebuild a {kind!r} world")
