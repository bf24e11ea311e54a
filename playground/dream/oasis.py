"""Loading the public 500M Minecraft world model's files (OASIS.md) into our modules.

The DiT file (`oasis500m.safetensors`) and the ViT VAE file (`vit-l-20.safetensors`) hold
bare state dicts (no playground metadata). Their keys match our module names exactly;
the rotary `freqs` tensors, shared under several names, are optional: when present they
must equal the frequencies we rebuild (a different layout would silently ruin the
output, so it is an error), then they are dropped. Everything else is strict.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import torch

from playground import checkpoint
from playground.checkpoint import CheckpointError
from playground.model.dit import DiT, DiTConfig
from playground.model.presets import PRESETS
from playground.model.vit_autoencoder import ViTAEConfig, ViTAutoencoder

ROTARY_KEY = re.compile(r"^(spatial_rotary_emb|temporal_rotary_emb|blocks\.\d+\.(s_attn|t_attn)\.rotary_emb)\.freqs$")


def looks_like_public_dit(tensors: dict) -> bool:
    return "x_embedder.proj.weight" in tensors and "blocks.0.s_attn.to_qkv.weight" in tensors


def dit_config_from(tensors: dict, base: DiTConfig = PRESETS["oasis-500m"], input_size=None) -> DiTConfig:
    """The preset, with depth/width read from the file (reduced-depth files load too);
    `input_size` is the latent grid (the VAE's), which the file cannot tell."""
    w = tensors["x_embedder.proj.weight"]
    dim, channels, patch = w.shape[0], w.shape[1], w.shape[2]
    depth = len({k.split(".")[1] for k in tensors if k.startswith("blocks.")})
    heads = dim // 64 if dim % 64 == 0 else base.heads
    return replace(base, dim=dim, in_channels=channels, patch=patch, depth=depth, heads=heads,
                   action_dim=tensors["external_cond.weight"].shape[1],
                   input_size=tuple(input_size or base.input_size))


def _check_rotary(dit: DiT, tensors: dict, where: str) -> dict:
    want = {"spatial": dit.spatial_rotary.freqs.float(), "temporal": dit.temporal_rotary.freqs.float()}
    rest = {}
    for k, v in tensors.items():
        if not ROTARY_KEY.match(k):
            rest[k] = v
            continue
        kind = "spatial" if k.startswith("spatial") or ".s_attn." in k else "temporal"
        if v.shape != want[kind].shape or not torch.allclose(v.float(), want[kind], rtol=1e-4, atol=1e-4):
            raise CheckpointError(f"{where}: {k} holds rotary frequencies {tuple(v.shape)} that differ from "
                                  f"the public layout's {kind} rotary ({tuple(want[kind].shape)}); "
                                  "not a compatible file")
    return rest


def load_public_dit(path: str | Path, config: DiTConfig | None = None, input_size=None) -> DiT:
    tensors, _ = checkpoint.read(path)
    if not looks_like_public_dit(tensors):
        raise CheckpointError(f"{path} does not look like the public Minecraft DiT (no x_embedder/blocks tensors)")
    dit = DiT(config or dit_config_from(tensors, input_size=input_size))
    tensors = _check_rotary(dit, tensors, str(path))
    return checkpoint.load_module(dit, tensors, f"{path} [public DiT]")


def vae_config_from(tensors: dict, image_size=None) -> ViTAEConfig:
    base = ViTAEConfig()
    w = tensors["patch_embed.proj.weight"]
    enc = len({k.split(".")[1] for k in tensors if k.startswith("encoder.")})
    dec = len({k.split(".")[1] for k in tensors if k.startswith("decoder.")})
    dim = w.shape[0]
    return replace(base, dim=dim, patch=w.shape[2], encoder_depth=enc, decoder_depth=dec,
                   heads=dim // 64 if dim % 64 == 0 else base.heads,
                   latent_channels=tensors["post_quant_conv.weight"].shape[1],
                   image_size=tuple(image_size or base.image_size))


def load_public_vae(path: str | Path, config: ViTAEConfig | None = None, image_size=None) -> ViTAutoencoder:
    tensors, _ = checkpoint.read(path)
    if "patch_embed.proj.weight" not in tensors or "post_quant_conv.weight" not in tensors:
        raise CheckpointError(f"{path} does not look like the public ViT VAE (no patch_embed/post_quant_conv)")
    vae = ViTAutoencoder(config or vae_config_from(tensors, image_size))
    tensors = {k: v for k, v in tensors.items() if not k.endswith("rotary_emb.freqs")}
    return checkpoint.load_module(vae, tensors, f"{path} [public VAE]")


def load_public(dit_path, vae_path, device="cpu", image_size=None):
    """(dit, vae, info) for the public model files, both strictly checked. `image_size`
    (H, W) defaults to the public model's 360 x 640."""
    vae = load_public_vae(vae_path, image_size=image_size).float().to(device).eval()
    dit = load_public_dit(dit_path, input_size=vae.cfg.grid).float().to(device).eval()
    if dit.cfg.in_channels != vae.cfg.latent_channels or tuple(dit.cfg.input_size) != vae.cfg.grid:
        raise CheckpointError(f"DiT input {dit.cfg.in_channels}x{dit.cfg.input_size} does not match the VAE latent "
                              f"{vae.cfg.latent_channels}x{vae.cfg.grid}")
    info = {"path": str(dit_path), "sha256": checkpoint.sha256(dit_path), "vae_path": str(vae_path),
            "vae_sha256": checkpoint.sha256(vae_path), "extra": {"family": "public-minecraft-500m"}}
    return dit, vae, info
