"""ViT autoencoder in the layout of the public Minecraft world model's VAE (OASIS.md).

Frames 360x640 -> 20x20 patches (18 x 32 = 576 tokens) -> encoder blocks -> Linear to
mean/logvar of a 16-channel latent per token; decoder: Linear(16 -> dim), blocks,
Linear(dim -> 3*20*20) per token, unpatchified. Pre-norm transformer blocks (LayerNorm
eps 1e-6 with affine, fused qkv with bias, exact GELU MLP), 2-D axial rotary embedding
on the first half of each head ("pixel" frequencies, dim head_dim // 4, max_freq 576),
non-causal attention.

Same interface as `Autoencoder`: encode((B, 3, H, W) in [-1, 1]) -> latents
(B, C, h, w) divided by `latent_scale` (12.75 for the public file: z = mean / 12.75);
decode does the inverse. The latent is the posterior mean (no sampling).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F
from einops import rearrange

from playground import ops
from playground.model.layers import AxialRotary, apply_rotary, rotation


@dataclass(frozen=True)
class ViTAEConfig:
    family: str = "vit-ae"
    image_size: tuple[int, int] = (360, 640)
    patch: int = 20
    dim: int = 1024
    heads: int = 16
    encoder_depth: int = 6
    decoder_depth: int = 12
    mlp_ratio: float = 4.0
    latent_channels: int = 16
    latent_scale: float = 12.75
    rotary_max_freq: float = 576.0

    @property
    def grid(self) -> tuple[int, int]:
        return self.image_size[0] // self.patch, self.image_size[1] // self.patch

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        return (self.latent_channels, *self.grid)


class ViTAttention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, rot):                       # (B, L, D), rot: rotation of angles (L, R)
        q, k, v = (rearrange(t, "b l (h d) -> b h l d", h=self.heads) for t in self.qkv(x).chunk(3, -1))
        q, k = apply_rotary(q, rot), apply_rotary(k, rot)
        o = ops.attention(q, k, v)
        return self.proj(rearrange(o, "b h l d -> b l (h d)"))


class ViTMlp(nn.Module):
    def __init__(self, dim: int, ratio: float):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(dim, int(dim * ratio)), nn.Linear(int(dim * ratio), dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class ViTBlock(nn.Module):
    def __init__(self, dim: int, heads: int, ratio: float):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
        self.attn, self.mlp = ViTAttention(dim, heads), ViTMlp(dim, ratio)

    def forward(self, x, rot):
        x = x + self.attn(self.norm1(x), rot)
        return x + self.mlp(self.norm2(x))


class PatchEmbed(nn.Module):
    def __init__(self, dim: int, patch: int):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, patch, stride=patch)

    def forward(self, x):                            # (B, 3, H, W) -> (B, h*w, D)
        return self.proj(x).flatten(2).transpose(1, 2)


class ViTAutoencoder(nn.Module):
    def __init__(self, cfg: ViTAEConfig):
        super().__init__()
        self.cfg = cfg
        d, r = cfg.dim, cfg.mlp_ratio
        self.patch_embed = PatchEmbed(d, cfg.patch)
        self.encoder = nn.ModuleList(ViTBlock(d, cfg.heads, r) for _ in range(cfg.encoder_depth))
        self.enc_norm = nn.LayerNorm(d, eps=1e-6)
        self.quant_conv = nn.Linear(d, 2 * cfg.latent_channels)
        self.post_quant_conv = nn.Linear(cfg.latent_channels, d)
        self.decoder = nn.ModuleList(ViTBlock(d, cfg.heads, r) for _ in range(cfg.decoder_depth))
        self.dec_norm = nn.LayerNorm(d, eps=1e-6)
        self.predictor = nn.Linear(d, 3 * cfg.patch ** 2)
        self.rotary = AxialRotary((d // cfg.heads) // 4, cfg.rotary_max_freq)

    def _rotation(self):
        return rotation(self.rotary(*self.cfg.grid))

    def encode_moments(self, x):
        """(B, 3, H, W) -> mean, logvar (B, L, C)."""
        h, a = self.patch_embed(x), self._rotation()
        for blk in self.encoder:
            h = blk(h, a)
        mean, logvar = self.quant_conv(self.enc_norm(h)).chunk(2, -1)
        return mean, logvar.clamp(-30.0, 20.0)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        mean, _ = self.encode_moments(x)
        gh, gw = self.cfg.grid
        return rearrange(mean, "b (h w) c -> b c h w", h=gh, w=gw) / self.cfg.latent_scale

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        gh, gw = self.cfg.grid
        h = self.post_quant_conv(rearrange(z * self.cfg.latent_scale, "b c h w -> b (h w) c"))
        a = self._rotation()
        for blk in self.decoder:
            h = blk(h, a)
        out = self.predictor(self.dec_norm(h))                     # (B, L, p*p*3)
        p = self.cfg.patch
        return rearrange(out, "b (h w) (p q c) -> b c (h p) (w q)", h=gh, w=gw, p=p, q=p)

    def forward(self, x):
        return self.decode(self.encode(x))
