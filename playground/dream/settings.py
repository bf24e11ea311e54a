"""SamplerSettings: every setting of the dream's sampler, in one place.

One object (as DIAMOND's sampler config) is filled from the command line, a dict or YAML, and
carried as is by the game, the envs, evaluation and recordings:

    SamplerSettings()                                   # the defaults: frame-2, the checkpoint's tuning
    SamplerSettings.build({"schedule": "pyramid", "schedule_params": {"steps": 8}})
    SamplerSettings.from_cli(args)                      # `playground play`'s flags (add_cli_args)
    gymnasium.make("playground/WorldModel-v0", sampler={"action_guidance": 0.0})

None means "the checkpoint's recommendation" for the tuned settings (tuning.SamplerDefaults)
and "the faster on this device" for bf16; `resolved` returns a new, complete object and
changes nothing it was given. A field's `metadata` declares its command-line flag, so adding
a setting touches its definition here, its use, and its test.
"""
from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass, field

from playground.config import ConfigError, build, is_whole
from playground.device import fast_bf16, torch_device
from playground.dream import tuning
from playground.dream.memory_warp import MEMORY_LEVEL, MEMORY_POSES, SURE_SHARE
from playground.dream.schedule import PRESETS, TOP, Schedule, params_for, preset
from playground.dream.world_memory import MAX_DISTANCE


def _blocks(value) -> bool:
    """Whether `value` is a positive, finite distance in blocks (a bool is not a number here)."""
    return not isinstance(value, bool) and isinstance(value, (int, float)) and 0.0 < value < float("inf")


def _flag(flag: str, help: str, **argparse_kwargs) -> dict:
    return {"flag": flag, "help": help, **argparse_kwargs}


@dataclass(frozen=True)
class SamplerSettings:
    schedule: str = "frame"                 # a preset of schedule.PRESETS
    # The preset's parameters; `context_label` (the level clean context is shown at) is left
    # to the checkpoint when absent. params_for() turns a user's "steps" into them.
    schedule_params: dict = field(default_factory=lambda: {"steps": 2})
    context_frames: int | None = None       # frames of context at reset (None: the cache size)
    recondition: bool = field(default=True, metadata=_flag(
        "--no-recondition", "do not re-condition noisy window frames on the newest action", action="store_false"))
    use_memory: bool = field(default=True, metadata=_flag(
        "--no-memory", "switch the memory bank off", action="store_false"))
    memory_frames: int | None = None        # bank size in frames (default and maximum: the model's)
    cache_frames: int | None = None         # clean frames kept in the k/v cache (default: window - noisy)
    bf16: bool | None = field(default=None, metadata=_flag(
        "--bf16", "run the dream's DiT in bf16 (default: where it is faster: CUDA, or a batch of 4 "
                  "or more on a CPU with native bf16)",
        action="store_const", const=True))
    compile: bool = field(default=False, metadata=_flag(
        "--compile", "torch.compile the DiT (on CUDA with CUDA graphs); slow first ticks", action="store_true"))
    kv_cache: bool = True                   # False: recompute the whole window every call (for comparison)
    # Action guidance w: v = v(a) + w * (v(a) - v(reference)) on the frames being generated
    # (guidance.py); it amplifies what the action changes, which a small model under-predicts.
    action_guidance: float | None = field(default=None, metadata=_flag(
        "--guidance", "action guidance weight (default: the checkpoint's recommendation; 0 = off)",
        type=float, metavar="W"))
    # Guidance only on frames at least this noisy (a guidance interval, Kynkaanniemi et al. 2024).
    guidance_min_level: int | None = field(default=None, metadata=_flag(
        "--guidance-min-level", "guide only frames at least this noisy (default: the checkpoint's; 0 = every call)",
        type=int, metavar="LEVEL"))
    # What guidance amplifies: "all" (the reference is no action) or "keys" (the reference
    # keeps the camera: walking, jumping... are amplified, turns stay as the model learned them).
    guidance_on: str | None = field(default=None, metadata=_flag(
        "--guidance-on", "what guidance amplifies: all of the action, or the keys only, keeping turns as the "
        "model learned them (default: the checkpoint's)", choices=tuning.GUIDANCE_ON))
    # Every tick's last call starts from the world memory's picture of the new pose
    # (memory_warp.py: depth, pose and a bounded point cloud of what was shown); False: the
    # network alone draws every frame.
    world_memory: bool = field(default=True, metadata=_flag(
        "--no-world-memory", "switch the world memory off: the network alone draws every frame from noise",
        action="store_false"))
    # The level its picture is noised to before the last call (higher: the network redraws more).
    memory_level: int = field(default=MEMORY_LEVEL, metadata=_flag(
        "--memory-level", f"noise level the world memory's picture is redrawn from (default {MEMORY_LEVEL}, "
        "chosen on tuning seeds; higher: the network redraws more of it)", type=int, metavar="LEVEL"))
    # Where the memory's picture is sure (Drawn.sure: the sky map or points no wider than a
    # pixel, so shown as they were seen: standing still, turning in place, a return to a
    # pose) over at least memory_sure_share of the view, the last call starts from this lower
    # level instead, so the network keeps what was shown instead of redrawing it blurred.
    # None: memory_level everywhere.
    memory_sure_level: int | None = field(default=None, metadata=_flag(
        "--memory-sure-level", "noise level the world memory's picture is redrawn from where it shows the "
        "view as it was seen (at least --memory-sure-share of it); default: --memory-level everywhere",
        type=int, metavar="LEVEL"))
    memory_sure_share: float = field(default=SURE_SHARE, metadata=_flag(
        "--memory-sure-share", f"share of the view the picture must show as it was seen for --memory-sure-level "
        f"(default {SURE_SHARE})", type=float, metavar="SHARE"))
    # Points the memory saw from within this many blocks of the pose drawn win their pixels
    # before nearer points seen from elsewhere: that view saw the space in front of them empty,
    # so a later point there (the dream's own frames on the way, lifted with their depth) is
    # the one in error (WorldMemory.seen_here). None: the nearest point wins.
    memory_seen_here: float | None = field(default=None, metadata=_flag(
        "--memory-seen-here", "blocks: the memory's points seen from within this distance of the pose drawn "
        "come before nearer points seen from elsewhere (default: off, the nearest wins)",
        type=float, metavar="BLOCKS"))
    # Pixels up to this many blocks away become the world memory's points; farther terrain
    # joins the sky map, kept by direction as if at infinity, so it does not grow as the
    # player walks towards it (WorldMemory.max_distance).
    memory_max_distance: float = field(default=MAX_DISTANCE, metadata=_flag(
        "--memory-max-distance", "blocks: the world memory keeps pixels up to this far as points, farther terrain "
        f"by direction only, as the sky (default {MAX_DISTANCE:g})", type=float, metavar="BLOCKS"))
    # How the world memory's tracker moves the camera (pose.py): "actions" by the movement
    # rules on level ground; "depth" also colliding with the tops of the blocks the depth of
    # each frame shown reveals (steps, walls, drops); "memory" not walking the body into the
    # memory's own points; "network" such a step undone only where the network's guess of the
    # frame agrees; "frames" each step checked against the frames shown before and after it
    # (memory_warp.py, visual_odometry.py).
    memory_pose: str = field(default="actions", metadata=_flag(
        "--memory-pose", "how the world memory tracks the camera: the actions on level ground, also colliding "
        "with the ground the depth of each shown frame reveals, not walking into what the memory shows, "
        "that only where the network's guess of the frame agrees, or each step checked against the frames shown "
        "(default actions)", choices=MEMORY_POSES))

    def __post_init__(self):
        if self.schedule not in PRESETS:
            raise ConfigError(f"unknown schedule {self.schedule!r}; presets: {', '.join(PRESETS)}")
        if not isinstance(self.schedule_params, dict):
            raise ConfigError(f"schedule_params must be a mapping, got {self.schedule_params!r}")
        for name in ("context_frames", "memory_frames", "cache_frames"):
            value = getattr(self, name)
            if value is not None and not is_whole(value, 1 if name != "memory_frames" else 0):
                raise ConfigError(f"{name} must be a whole number (or None for the model's), got {value!r}")
        if not (is_whole(self.memory_level, 1) and self.memory_level <= TOP):
            raise ConfigError(f"memory_level must be a noise level in 1..{TOP}, got {self.memory_level!r}")
        if self.memory_sure_level is not None and not (is_whole(self.memory_sure_level, 1)
                                                       and self.memory_sure_level <= TOP):
            raise ConfigError(f"memory_sure_level must be a noise level in 1..{TOP} or None, "
                              f"got {self.memory_sure_level!r}")
        if not (isinstance(self.memory_sure_share, (int, float)) and 0.0 < self.memory_sure_share <= 1.0):
            raise ConfigError(f"memory_sure_share must be a share in (0, 1], got {self.memory_sure_share!r}")
        if self.memory_seen_here is not None and not _blocks(self.memory_seen_here):
            raise ConfigError(f"memory_seen_here must be a positive number of blocks or None, "
                              f"got {self.memory_seen_here!r}")
        if not _blocks(self.memory_max_distance):
            raise ConfigError(f"memory_max_distance must be a positive number of blocks, "
                              f"got {self.memory_max_distance!r}")
        if self.memory_pose not in MEMORY_POSES:
            raise ConfigError(f"memory_pose must be one of {', '.join(MEMORY_POSES)}, got {self.memory_pose!r}")
        tuned = {n: getattr(self, n) for n in tuning.OPTION_NAMES if getattr(self, n) is not None}
        tuning.check_settings(dataclasses.replace(tuning.SamplerDefaults(), **tuned))

    # ---- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, value: "SamplerSettings | dict | None", where: str = "sampler") -> "SamplerSettings":
        """An object as is, a dict (unknown keys refused), or None (the defaults)."""
        if isinstance(value, cls):
            return value
        return build(cls, value, where)

    @classmethod
    def named(cls, name: str, params: dict | None = None, **settings) -> "SamplerSettings":
        """A preset by name with its parameters, and other settings."""
        return cls(schedule=name, schedule_params=dict(params or {}), **settings)

    @staticmethod
    def add_cli_args(p: argparse.ArgumentParser) -> None:
        """The flags of the settings that have one (their field metadata)."""
        for f in dataclasses.fields(SamplerSettings):
            if "flag" in f.metadata:
                kwargs = {k: v for k, v in f.metadata.items() if k != "flag"}
                p.add_argument(f.metadata["flag"], dest=f.name, default=None, **kwargs)

    @classmethod
    def from_cli(cls, args: argparse.Namespace, schedule: str | None = None, steps: int | None = None,
                 context_label: int | None = None) -> "SamplerSettings":
        """Settings from parsed flags (add_cli_args); a flag not given keeps the default."""
        name = schedule or cls.schedule
        given = {f.name: getattr(args, f.name) for f in dataclasses.fields(cls)
                 if "flag" in f.metadata and getattr(args, f.name, None) is not None}
        return cls(schedule=name, schedule_params=params_for(name, steps, context_label), **given)

    # ---- resolving --------------------------------------------------------------------------
    def resolved(self, defaults: tuning.SamplerDefaults, device="cpu", batch: int = 1) -> "SamplerSettings":
        """A new object with what was left open filled: the checkpoint's recommendations, the
        context label, and the precision that is faster for `batch` rows on `device`."""
        fill = {n: getattr(defaults, n) for n in tuning.OPTION_NAMES if getattr(self, n) is None}
        bf16 = fast_bf16(torch_device(device), batch) if self.bf16 is None else self.bf16
        return dataclasses.replace(self, schedule_params=tuning.with_label(self.schedule_params, defaults),
                                   bf16=bf16, **fill)

    def make_schedule(self) -> Schedule:
        return preset(self.schedule, **self.schedule_params)

    def with_changes(self, **changes) -> "SamplerSettings":
        return dataclasses.replace(self, **changes)
