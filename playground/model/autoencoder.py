"""Frame autoencoder ("frame compression"): 64x64 RGB <-> a small latent grid.

A convolutional encoder/decoder with residual blocks. The full-resolution stage is a
pixel (un)shuffle (no convolution ever runs at 64x64: decoding is on the per-tick
path of CPU play), then one stride-2 stage, so 64x64 frames give a 16x16 latent. Latents are divided by `latent_scale` (set from data after
training so latents have about unit variance, as diffusion expects).

Shapes: frames are float in [-1, 1], (B, 3, H, W); latents (B, C, H/4, W/4).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class AEConfig:
    family: str = "conv-ae"
    image_size: tuple[int, int] = (64, 64)
    latent_channels: int = 8
    widths: tuple[int, ...] = (48, 96)        # per resolution after the pixel unshuffle
    blocks: int = 2                           # encoder residual blocks per resolution
    # Decoder residual blocks per resolution, lowest first: decoding runs every tick, so
    # the decoder is kept to ~180M multiply-adds per 64x64 frame (~3 ms on 2 CPU cores).
    decoder_blocks: tuple[int, ...] = (2, 1)
    patch: int = 2                            # pixel (un)shuffle factor
    latent_scale: float = 1.0                 # latent = encoder output / latent_scale

    @property
    def downsample(self) -> int:
        return self.patch * 2 ** (len(self.widths) - 1)

    @property
    def latent_shape(self) -> tuple[int, int, int]:
        h, w = self.image_size
        return (self.latent_channels, h // self.downsample, w // self.downsample)


class ResBlock(nn.Module):
    def __init__(self, ch: int):
        super().__init__()
        self.norm1, self.conv1 = nn.GroupNorm(8, ch), nn.Conv2d(ch, ch, 3, padding=1)
        self.norm2, self.conv2 = nn.GroupNorm(8, ch), nn.Conv2d(ch, ch, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        return x + self.conv2(F.silu(self.norm2(h)))


class Encoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        w = cfg.widths
        p, n = cfg.patch, cfg.blocks
        layers = [nn.PixelUnshuffle(p), nn.Conv2d(3 * p * p, w[0], 3, padding=1)]
        layers += [ResBlock(w[0]) for _ in range(n)]
        for a, b in zip(w[:-1], w[1:]):
            layers += [nn.Conv2d(a, b, 3, stride=2, padding=1)] + [ResBlock(b) for _ in range(n)]
        layers += [nn.GroupNorm(8, w[-1]), nn.SiLU(), nn.Conv2d(w[-1], cfg.latent_channels, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, x):       # (B, 3, H, W) -> (B, C, h, w)
        return self.net(x)


class Decoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        w = cfg.widths[::-1]
        p, n = cfg.patch, cfg.decoder_blocks
        assert len(n) == len(w), "decoder_blocks needs one entry per resolution"
        layers = [nn.Conv2d(cfg.latent_channels, w[0], 3, padding=1)] + [ResBlock(w[0]) for _ in range(n[0])]
        for a, b, k in zip(w[:-1], w[1:], n[1:]):
            layers += [nn.Upsample(scale_factor=2, mode="nearest"),
                       nn.Conv2d(a, b, 3, padding=1)] + [ResBlock(b) for _ in range(k)]
        layers += [nn.GroupNorm(8, w[-1]), nn.SiLU(), nn.Conv2d(w[-1], 3 * p * p, 3, padding=1),
                   nn.PixelShuffle(p)]
        self.net = nn.Sequential(*layers)

    def forward(self, z):       # (B, C, h, w) -> (B, 3, H, W)
        return self.net(z)


class Autoencoder(nn.Module):
    def __init__(self, cfg: AEConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder, self.decoder = Encoder(cfg), Decoder(cfg)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) in [-1, 1] -> scaled latents (B, C, h, w)."""
        return self.encoder(x) / self.cfg.latent_scale

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Scaled latents (B, C, h, w) -> (B, 3, H, W), about [-1, 1] (not clamped)."""
        return self.decoder(z * self.cfg.latent_scale)

    def forward(self, x):
        return self.decode(self.encode(x))


def frames_to_tensor(frames) -> torch.Tensor:
    """uint8 (..., H, W, 3) array or tensor -> float (..., 3, H, W) in [-1, 1]."""
    x = torch.as_tensor(frames)
    return x.movedim(-1, -3).float().div(127.5).sub(1.0)


def tensor_to_frames(x: torch.Tensor) -> torch.Tensor:
    """float (..., 3, H, W) in [-1, 1] -> uint8 (..., H, W, 3) tensor."""
    return x.float().add(1.0).mul(127.5).round().clamp(0, 255).to(torch.uint8).movedim(-3, -1)
