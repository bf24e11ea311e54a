"""`playground play`'s world options: declared, checked against the chosen world, and built
into that world."""
from __future__ import annotations

import argparse

from playground.camera import FOV_DEGREES
from playground.cli_types import COUNT, NATURAL, given_flags, positive
from playground.config import ConfigError
from playground.dream.panorama import MAX_VIEWS
from playground.dream.tuning import GUIDANCE_ON


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
    p.add_argument("--bf16", action="store_true", help="run the dream's DiT in bf16")
    p.add_argument("--compile", action="store_true",
                   help="torch.compile the DiT (on CUDA with CUDA graphs); slow first ticks")
    p.add_argument("--no-recondition", action="store_true",
                   help="do not re-condition noisy window frames on the newest action")
    p.add_argument("--no-memory", action="store_true", help="switch the memory bank off")
    p.add_argument("--guidance", type=float, default=None, metavar="W",
                   help="action guidance weight (default: the checkpoint's recommendation; 0 = off)")
    p.add_argument("--guidance-min-level", type=int, default=None, metavar="LEVEL",
                   help="guide only frames at least this noisy (default: the checkpoint's; 0 = every call)")
    p.add_argument("--guidance-on", choices=GUIDANCE_ON, default=None,
                   help="what guidance amplifies: all of the action, or the keys only, keeping turns "
                        "as the model learned them (default: the checkpoint's)")
    p.add_argument("--turn-warp", type=int, default=None, metavar="LEVEL",
                   help="a turning tick starts from the turned picture noised to this level (frame sampler; "
                        "default: the checkpoint's; 0 = from pure noise)")
    p.add_argument("--panorama-views", type=NATURAL, default=None, metavar="N",
                   help="turning ticks are redrawn from up to N views shown since the camera last moved "
                        f"(default {MAX_VIEWS}; 0 = from the frame just shown only)")
    p.add_argument("--context-label", type=int, default=None, metavar="LEVEL",
                   help="noise level the context frames are shown at (default: the checkpoint's)")
    p.add_argument("--width", type=COUNT, default=None, help="frame width in pixels (voxel world; default 64)")
    p.add_argument("--height", type=COUNT, default=None, help="frame height in pixels (voxel world; default 64)")
    p.add_argument("--fov", type=positive, default=None,
                   help=f"vertical field of view in degrees (voxel world; default {FOV_DEGREES:g})")


# What only one of the worlds takes: given to the other, it would be ignored without a word.
VOXEL_ONLY = ("width", "height", "fov")
DREAM_ONLY = ("checkpoint", "schedule", "steps", "vae", "prompt_image", "bf16", "compile", "no_recondition",
              "no_memory", "guidance", "guidance_min_level", "guidance_on", "turn_warp", "panorama_views",
              "context_label")


def check_world_args(args) -> None:
    """ConfigError for an option the chosen world does not take."""
    if args.world == "voxel":
        given = given_flags(args, DREAM_ONLY + ("device",), {"device": "auto"})
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
    from playground.dream import schedule as S
    from playground.dream.session import SessionOptions
    from playground.dream.world import DreamConfig, DreamWorld
    name = args.schedule or "frame"
    cfg = DreamConfig(checkpoint=args.checkpoint, vae=args.vae, prompt_image=args.prompt_image, schedule=name,
                      schedule_params=S.params_for(name, args.steps, args.context_label), device=args.device,
                      options=SessionOptions(recondition=not args.no_recondition,
                                             use_memory=not args.no_memory, bf16=args.bf16,
                                             compile=args.compile, action_guidance=args.guidance,
                                             guidance_min_level=args.guidance_min_level,
                                             guidance_on=args.guidance_on, turn_warp_level=args.turn_warp,
                                             panorama_views=(MAX_VIEWS if args.panorama_views is None
                                                             else args.panorama_views)))
    return DreamWorld(cfg)
