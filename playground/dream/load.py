"""Load a dream checkpoint (autoencoder + DiT in one safetensors file) through the one
validating loader."""
from __future__ import annotations

from pathlib import Path

import torch

from playground import checkpoint
from playground.checkpoint import CheckpointError
from playground.device import torch_device
from playground.model.autoencoder import AEConfig, Autoencoder
from playground.model.depth import FAMILY as DEPTH, DepthConfig, DepthNet
from playground.model.dit import DiT, DiTConfig
from playground.model.vit_autoencoder import ViTAEConfig, ViTAutoencoder
from playground.shipped import shipped_path

SHIPPED = shipped_path("tiny.safetensors")
FAMILIES = {"conv-ae": (AEConfig, Autoencoder), "st-dit": (DiTConfig, DiT),
            "vit-ae": (ViTAEConfig, ViTAutoencoder)}


def build(meta_entry: dict, where: str):
    family = meta_entry.get("family")
    if family not in FAMILIES:
        raise CheckpointError(f"{where}: unknown model family {family!r}; known: {sorted(FAMILIES)}")
    cfg_cls, cls = FAMILIES[family]
    return cls(checkpoint.config_from_dict(cfg_cls, meta_entry.get("config", {}), where))


def load_dream(path: str | Path | None = None, device: str | torch.device = "cpu", vae: str | Path | None = None,
               image_size: tuple[int, int] | None = None):
    """(dit, ae, info) from a checkpoint holding models 'dit' and 'ae'; or, for the public
    Minecraft model's bare DiT file, with its ViT VAE file `vae`. `info` has the path,
    sha256 and the file's extra metadata."""
    device = torch_device(device)
    path = Path(path) if path else SHIPPED
    if not path.exists() and path == SHIPPED:
        raise CheckpointError(f"the shipped checkpoint {path} is missing; restore it with git, "
                              "or pass --checkpoint PATH (or use --world voxel)")
    tensors, meta = checkpoint.read(path)
    if not meta["models"]:
        from playground.dream import oasis
        if oasis.looks_like_public_dit(tensors):
            if vae is None:
                raise CheckpointError(f"{path} is the public Minecraft DiT; it needs its autoencoder too: "
                                      "pass --vae vit-l-20.safetensors")
            return oasis.load_public(path, vae, device, image_size)
        raise CheckpointError(f"{path} has no playground metadata and is not the public Minecraft DiT")
    models = {}
    for prefix in ("dit", "ae"):
        if prefix not in meta["models"]:
            raise CheckpointError(f"{path} holds no {prefix!r} model (has: {sorted(meta['models']) or 'none'}); "
                                  "a dream checkpoint needs both 'dit' and 'ae'")
        where = f"{path} [{prefix}]"
        module = build(meta["models"][prefix], where)
        models[prefix] = checkpoint.load_module(module, checkpoint.split(tensors, prefix), where)
    dit, ae = models["dit"].float().to(device).eval(), models["ae"].float().to(device).eval()
    if dit.cfg.in_channels != ae.cfg.latent_channels:
        raise CheckpointError(f"{path}: DiT expects {dit.cfg.in_channels} latent channels, "
                              f"the autoencoder makes {ae.cfg.latent_channels}")
    info = {"path": str(path), "sha256": checkpoint.sha256(path), "extra": meta.get("extra", {})}
    return dit, ae, info


def save_depth(net: DepthNet, path: str | Path, extra: dict) -> str:
    """The depth network as fp16 safetensors with its config and `extra` (recipe, held-out error)."""
    return checkpoint.save(path, {DEPTH: (DEPTH, net.cfg, net)}, extra=extra, dtype=torch.float16)


def load_depth(path: str | Path | None = None) -> tuple[DepthNet, dict]:
    """The depth network of `path` (default: the shipped checkpoints/depth.safetensors), in fp32
    and eval mode, and its file's extra metadata."""
    path = Path(path) if path else shipped_path("depth.safetensors")
    tensors, meta = checkpoint.read(path)
    entry = meta["models"].get(DEPTH)
    if entry is None:
        raise CheckpointError(f"{path} holds no depth network ('{DEPTH}'); train one with `playground train-depth`")
    net = DepthNet(checkpoint.config_from_dict(DepthConfig, entry["config"]))
    sd = {k: v.float() for k, v in checkpoint.split(tensors, DEPTH).items()}
    return checkpoint.load_module(net, sd, f"{path} [{DEPTH}]").eval(), meta.get("extra", {})
