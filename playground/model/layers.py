"""Building blocks of the spatio-temporal DiT: rotary embeddings, attention, MLP,
noise-level embedding. Module and parameter names follow the public Minecraft world
model's layout (see OASIS.md) so that its weights load into the same modules.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from playground import ops


class Rotation(NamedTuple):
    """Rotary angles (L, R) as the tables apply_rotary uses: cos, and sin with the sign of
    the pair's partner, (-s0, s0, -s1, s1, ...); and each pair's rotation as a complex
    number (L, R / 2). Made once per forward and shared by every block; swapping each pair
    and multiplying by the signed sin is exactly rotating it."""
    cos: torch.Tensor
    sin: torch.Tensor
    pairs: torch.Tensor


def rotation(angles: torch.Tensor) -> Rotation:
    sign = torch.tensor([-1.0, 1.0], dtype=angles.dtype, device=angles.device).repeat(angles.shape[-1] // 2)
    return Rotation(angles.cos(), angles.sin() * sign, torch.polar(torch.ones_like(angles[..., ::2]), angles[..., ::2]))


def _pairs_as_complex(x: torch.Tensor) -> bool:
    """Whether x's interleaved pairs can be viewed as complex numbers without a copy."""
    return x.dtype == torch.float32 and x.stride(-1) == 1 and x.storage_offset() % 2 == 0 \
        and all(s % 2 == 0 for s in x.stride()[:-1])


def apply_rotary(x: torch.Tensor, rot: Rotation) -> torch.Tensor:
    """Rotate the first R channels of x (..., L, Dh) by the angles of `rot` (L, R), in
    interleaved pairs: (x0, x1) -> (x0 cos - x1 sin, x1 cos + x0 sin). In fp32 the pairs
    are complex numbers multiplied by the rotation's: one vectorised op, 3x faster on a CPU
    than swapping the pairs (equal to 5e-7); other dtypes (bf16 has no complex type) swap."""
    r = rot.cos.shape[-1]
    every = r == x.shape[-1]                 # the DiT rotates every channel: no tail to copy
    head = x if every else x[..., :r]
    if _pairs_as_complex(head):
        return _rotate_complex(head, rot) if every else torch.cat([_rotate_complex(head, rot), x[..., r:]], -1)
    swapped = head.unflatten(-1, (-1, 2)).flip(-1).flatten(-2)          # (x1, x0, x3, x2, ...)
    out = head * rot.cos.to(x.dtype) + swapped * rot.sin.to(x.dtype)
    return out if every else torch.cat([out, x[..., r:]], -1)


def _rotate_complex(x: torch.Tensor, rot: Rotation) -> torch.Tensor:
    return torch.view_as_real(torch.view_as_complex(x.unflatten(-1, (-1, 2))) * rot.pairs).flatten(-2)


class AxialRotary(nn.Module):
    """2-D axial rotary angles over an (h, w) token grid with "pixel" frequencies:
    positions linspace(-1, 1) per axis, freqs = linspace(1, max_freq / 2, dim // 2) * pi,
    each frequency used for one interleaved pair; the h and w angles concatenated."""

    def __init__(self, dim: int, max_freq: float):
        super().__init__()
        self.register_buffer("freqs", torch.linspace(1.0, max_freq / 2, dim // 2) * math.pi,
                             persistent=False)

    def forward(self, h: int, w: int) -> torch.Tensor:          # -> (h * w, 2 * dim)
        f = self.freqs.double()
        ah = torch.linspace(-1, 1, h, dtype=torch.float64, device=f.device)[:, None] * f
        aw = torch.linspace(-1, 1, w, dtype=torch.float64, device=f.device)[:, None] * f
        ah, aw = ah.repeat_interleave(2, -1), aw.repeat_interleave(2, -1)
        grid = torch.cat([ah[:, None].expand(h, w, -1), aw[None].expand(h, w, -1)], -1)
        return grid.reshape(h * w, -1).float()


class TimeRotary(nn.Module):
    """1-D rotary angles over absolute frame indices: freqs = theta^(-arange(0, dim, 2)/dim).
    Absolute indices keep cached keys valid as the window slides (only differences matter);
    angles are computed in float64 so large tick counts stay exact."""

    def __init__(self, dim: int, theta: float = 10000.0):
        super().__init__()
        self.register_buffer("freqs", 1.0 / theta ** (torch.arange(0, dim, 2).double() / dim),
                             persistent=False)

    def forward(self, positions: torch.Tensor) -> torch.Tensor:  # (T,) -> (T, dim)
        a = positions.double()[:, None] * self.freqs.double()
        return a.repeat_interleave(2, -1).float()


class Attention(nn.Module):
    """Multi-head attention with fused qkv (no bias) and an output projection (bias)."""

    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
        self.to_out = nn.Linear(dim, dim)

    # Plain reshape/permute rather than einops here: these run 16 times a DiT call, where
    # einops' per-call parsing and caching cost about as much as the reshape itself.
    def qkv(self, x: torch.Tensor):                  # (B, L, D) -> 3 x (B, H, L, Dh)
        return [t.unflatten(-1, (self.heads, -1)).transpose(1, 2) for t in self.to_qkv(x).chunk(3, -1)]

    def out(self, o: torch.Tensor) -> torch.Tensor:  # (B, H, L, Dh) -> (B, L, D)
        return self.to_out(o.transpose(1, 2).flatten(2))


class Mlp(nn.Module):
    def __init__(self, dim: int, ratio: float = 4.0):
        super().__init__()
        self.fc1 = nn.Linear(dim, int(dim * ratio))
        self.fc2 = nn.Linear(int(dim * ratio), dim)

    def forward(self, x):
        return self.fc2(ops.gelu_tanh(self.fc1(x)))


class TimestepEmbedder(nn.Module):
    """Integer noise level -> sinusoidal features (cos half, then sin half) -> MLP."""

    def __init__(self, dim: int, freq_dim: int = 256, max_period: float = 10000.0):
        super().__init__()
        self.freq_dim, self.max_period = freq_dim, max_period
        self.mlp = nn.Sequential(nn.Linear(freq_dim, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t: torch.Tensor) -> torch.Tensor:      # (B, T) -> (B, T, D)
        half = self.freq_dim // 2
        freqs = torch.exp(-math.log(self.max_period) * torch.arange(half, device=t.device) / half)
        args = t.float()[..., None] * freqs
        emb = torch.cat([torch.cos(args), torch.sin(args)], -1)
        return self.mlp(emb.to(self.mlp[0].weight.dtype))


def modulation(dim: int, chunks: int) -> nn.Sequential:
    """adaLN-Zero: SiLU -> Linear(dim, chunks * dim), zero-initialised (blocks start as identity)."""
    lin = nn.Linear(dim, chunks * dim)
    nn.init.zeros_(lin.weight)
    nn.init.zeros_(lin.bias)
    return nn.Sequential(nn.SiLU(), lin)

