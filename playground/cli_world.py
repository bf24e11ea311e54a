"""`playground play`'s world options: declared, checked against the chosen world, and built
into that world."""
from __future__ import annotations

import argparse
import dataclasses

from playground.camera import FOV_DEGREES
from playground.cli_types import COUNT, NATURAL, given_flags, positive
from playground.config import ConfigError
from playground.dream.settings import SamplerSettings


def add_world_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--world", choices=["dream", "voxel"], default="dream",
                   help="dream: the world model (default); voxel: the ground-truth voxel world")
    p.add_argument("--seed", type=NATURAL, default=None, help="world seed (random if omitted)")
    p.add_argument("--checkpoint", default=None, help="dream checkpoint (default: checkpoints/tiny.safetensors)")
    p.add_argument("--schedule", default=None,
                   help="sampler preset: frame, progressive, pyramid, chunked (default: frame)")
    p.add_argument("--steps", type=COUNT, default=None, help="denoising steps (frame/chunked presets)")
    p.add_argument("--vae", default=None, help="with the public Minecraft DiT file: its ViT VAE file")
    p.add_argument("--prompt-image", default=None, help="start the dream from this PNG (e.g. a screenshot)")
    p.add_argument("--device", default="auto", help="torch device for the dream: auto (CUDA, then MPS, then the CPU; the default), cpu, cuda, mps")
    SamplerSettings.add_cli_args(p)
    p.add_argument("--context-label", type=int, default=None, metavar="LEVEL",
                   help="noise level the context frames are shown at (default: the checkpoint's)")
    p.add_argument("--width", type=COUNT, default=None, help="frame width in pixels (voxel world; default 64)")
    p.add_argument("--height", type=COUNT, default=None, help="frame height in pixels (voxel world; default 64)")
    p.add_argument("--fov", type=positive, default=None,
                   help=f"vertical field of view in degrees (voxel world; default {FOV_DEGREES:g})")


# What only one of the worlds takes: given to the other, it would be ignored without a word.
VOXEL_ONLY = ("width", "height", "fov")
SETTING_FLAGS = {f.name: f.metadata["flag"] for f in dataclasses.fields(SamplerSettings) if "flag" in f.metadata}
DREAM_ONLY = ("checkpoint", "schedule", "steps", "vae", "prompt_image", "context_label", *SETTING_FLAGS)


def check_world_args(args) -> None:
    """ConfigError for an option the chosen world does not take."""
    if args.world == "voxel":
        given = given_flags(args, DREAM_ONLY + ("device",), {"device": "auto", **dict.fromkeys(SETTING_FLAGS)},
                            SETTING_FLAGS)
    else:
        given = given_flags(args, VOXEL_ONLY)
    if given:
        other = "dream" if args.world == "voxel" else "voxel"
        why = ("the dream draws at its checkpoint's frame size" if other == "voxel"
               else "the voxel world renders on the CPU with no model")
        verb, it = ("applies", "it") if len(given) == 1 else ("apply", "them")
        raise ConfigError(f"{', '.join(given)} only {verb} to --world {other} ({why}); drop {it} or pick that world")


def make_world(args):
    check_world_args(args)
    if args.world == "voxel":
        from playground.voxel import VoxelConfig, VoxelWorld
        return VoxelWorld(VoxelConfig.make(**{k: getattr(args, k) for k in VOXEL_ONLY if getattr(args, k) is not None}))
    from playground.dream.world import DreamConfig, DreamWorld
    sampler = SamplerSettings.from_cli(args, args.schedule, args.steps, args.context_label)
    return DreamWorld(DreamConfig(checkpoint=args.checkpoint, vae=args.vae, prompt_image=args.prompt_image,
                                  sampler=sampler, device=args.device))
