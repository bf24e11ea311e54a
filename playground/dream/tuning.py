"""Sampler settings a checkpoint recommends, stored in its metadata (extra["sampler"]).

They were chosen on held-out seeds when the checkpoint was exported (the model card says
how); a user's explicit choice always wins (SamplerSettings.resolved, which returns the
settings that run, so recordings and reports name them).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from playground.config import ConfigError, build
from playground.dream.schedule import TOP

GUIDANCE_ON = ("all", "keys")   # SamplerSettings.guidance_on


@dataclass(frozen=True)
class SamplerDefaults:
    context_label: int = 0          # noise level clean context is shown at (Schedule.context_label)
    action_guidance: float = 0.0    # SamplerSettings.action_guidance
    guidance_min_level: int = 0     # SamplerSettings.guidance_min_level
    guidance_on: str = "all"        # SamplerSettings.guidance_on

    def __post_init__(self):
        check_settings(self)


# The settings SamplerDefaults recommends and SamplerSettings carries under the same names.
OPTION_NAMES = ("action_guidance", "guidance_min_level", "guidance_on")
# What checkpoints exported before the world memory recommended and no sampler reads now:
# the turn warp's level (the world memory replaced the turn warp for every motion).
RETIRED = ("turn_warp_level",)


def check_settings(s) -> None:
    """Check the OPTION_NAMES attributes of a SamplerDefaults or a resolved SamplerSettings."""
    check_guidance(s.action_guidance)
    check_guidance_on(s.guidance_on)
    check_level("guidance_min_level", s.guidance_min_level, "every call")


def check_guidance(value) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ConfigError(f"action_guidance must be a finite number (0 = off), got {value!r}")


def check_guidance_on(value) -> None:
    if value not in GUIDANCE_ON:
        raise ConfigError(f"guidance_on must be one of {', '.join(GUIDANCE_ON)}, got {value!r}")


def check_level(name: str, value, zero_means: str) -> None:
    if not (isinstance(value, int) and 0 <= value <= TOP):
        raise ConfigError(f"{name} must be a noise level in 0..{TOP} (0 = {zero_means}), got {value!r}")


def from_checkpoint(info: dict) -> SamplerDefaults:
    """The defaults in a loaded checkpoint's metadata (none: plain sampling); RETIRED
    recommendations are left out."""
    stored = {k: v for k, v in info.get("extra", {}).get("sampler", {}).items() if k not in RETIRED}
    return build(SamplerDefaults, stored, f"{info.get('path')} sampler defaults")


def with_label(schedule_params: dict, defaults: SamplerDefaults) -> dict:
    """Schedule parameters with the recommended context_label unless the user chose one."""
    return {"context_label": defaults.context_label, **schedule_params}
