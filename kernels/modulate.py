"""Fused adaLN pieces of the DiT blocks.

    modulate(x, shift, scale)   = LayerNorm(x) * (1 + scale) + shift   (no affine, eps)
    gated_residual(x, y, gate)  = x + gate * y

x, y: (B, T, N, D); shift, scale, gate: (B, T, 1, D) (one row per frame, broadcast over
its N tokens). One program per token row: LayerNorm statistics in fp32.
`modulate_ref` / `gated_residual_ref` are the specifications.
"""
from __future__ import annotations

import os

import torch
import torch.nn.functional as F

from kernels._triton import HAVE_TRITON, require_triton, tl, triton


def modulate_ref(x, shift, scale, eps: float = 1e-6):
    return (F.layer_norm(x.float(), x.shape[-1:], eps=eps) * (1 + scale.float()) + shift.float()).to(x.dtype)


def gated_residual_ref(x, y, gate):
    return (x.float() + gate.float() * y.float()).to(x.dtype)


if HAVE_TRITON:
    @triton.jit
    def _modulate_fwd(X, SHIFT, SCALE, OUT, N, D, eps, BLOCK_D: tl.constexpr):
        row = tl.program_id(0)                 # over B * T * N token rows
        frame = row // N                       # its (b, t) modulation row
        offs = tl.arange(0, BLOCK_D)
        ok = offs < D
        x = tl.load(X + row * D + offs, mask=ok, other=0.0).to(tl.float32)
        mean = tl.sum(x, 0) / D
        xc = tl.where(ok, x - mean, 0.0)
        rstd = 1.0 / tl.sqrt(tl.sum(xc * xc, 0) / D + eps)
        sh = tl.load(SHIFT + frame * D + offs, mask=ok, other=0.0).to(tl.float32)
        sc = tl.load(SCALE + frame * D + offs, mask=ok, other=0.0).to(tl.float32)
        tl.store(OUT + row * D + offs, (xc * rstd * (1.0 + sc) + sh).to(OUT.dtype.element_ty), mask=ok)

    @triton.jit
    def _gated_fwd(X, Y, GATE, OUT, N, D, BLOCK_D: tl.constexpr):
        row = tl.program_id(0)
        frame = row // N
        offs = tl.arange(0, BLOCK_D)
        ok = offs < D
        x = tl.load(X + row * D + offs, mask=ok, other=0.0).to(tl.float32)
        y = tl.load(Y + row * D + offs, mask=ok, other=0.0).to(tl.float32)
        g = tl.load(GATE + frame * D + offs, mask=ok, other=0.0).to(tl.float32)
        tl.store(OUT + row * D + offs, (x + g * y).to(OUT.dtype.element_ty), mask=ok)


def _check(x, *rows):
    require_triton()
    if x.ndim != 4:
        raise ValueError(f"x must be (B, T, N, D), got {tuple(x.shape)}")
    B, T, N, D = x.shape
    for r in rows:
        if r.shape != (B, T, 1, D):
            raise ValueError(f"modulation rows must be (B={B}, T={T}, 1, D={D}), got {tuple(r.shape)}")
        if r.dtype != x.dtype or r.device != x.device:
            raise ValueError("modulation rows must match x's dtype and device")
    if not (x.is_cuda or os.environ.get("TRITON_INTERPRET") == "1"):
        raise ValueError("the Triton kernel needs CUDA tensors (or TRITON_INTERPRET=1)")
    return B, T, N, D


def _check_out(out, like):
    if out.shape != like.shape or out.dtype != like.dtype or out.device != like.device or not out.is_contiguous():
        raise ValueError(f"out must be a contiguous {tuple(like.shape)} {like.dtype} tensor on {like.device}")
    return out


def modulate(x, shift, scale, eps: float = 1e-6, out=None):
    B, T, N, D = _check(x, shift, scale)
    x, shift, scale = x.contiguous(), shift.contiguous(), scale.contiguous()
    out = torch.empty_like(x) if out is None else _check_out(out, x)
    _modulate_fwd[(B * T * N,)](x, shift, scale, out, N, D, eps, BLOCK_D=triton.next_power_of_2(D))
    return out


def gated_residual(x, y, gate, out=None):
    B, T, N, D = _check(x, gate)
    if y.shape != x.shape:
        raise ValueError(f"y must have x's shape {tuple(x.shape)}, got {tuple(y.shape)}")
    x, y, gate = x.contiguous(), y.contiguous(), gate.contiguous()
    out = torch.empty_like(x) if out is None else _check_out(out, x)
    _gated_fwd[(B * T * N,)](x, y, gate, out, N, D, BLOCK_D=triton.next_power_of_2(D))
    return out
