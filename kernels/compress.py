"""Frame compression for the memory bank, fused: normalise, modulate by the action, pool
with learned queries, project.

Specification (`compress_ref`), per frame b with tokens x_b (N, D):
    h      = LayerNorm(x_b) * (1 + scale_b) + shift_b           (no affine, eps)
    logits = queries @ h^T / sqrt(D)                             (K, N)
    pooled = softmax(logits, -1) @ h                             (K, D)
    out_b  = pooled @ w_out + b_out                              (K, D)
"""
from __future__ import annotations

import os

import torch
import torch.nn.functional as F

from kernels._triton import HAVE_TRITON, require_triton, tl, triton


def compress_ref(x, shift, scale, queries, w_out, b_out, eps: float = 1e-6):
    """x (B, N, D); shift, scale (B, D); queries (K, D); w_out (D, D); b_out (D,) -> (B, K, D)."""
    h = F.layer_norm(x, x.shape[-1:], eps=eps) * (1 + scale[:, None]) + shift[:, None]
    logits = torch.einsum("kd,bnd->bkn", queries, h) * x.shape[-1] ** -0.5
    pooled = logits.float().softmax(-1).to(h.dtype) @ h
    return pooled @ w_out + b_out


if HAVE_TRITON:
    @triton.jit
    def _compress_fwd(X, SHIFT, SCALE, QRY, W, BIAS, OUT, N, D, K, eps, sm_scale,
                      BLOCK_N: tl.constexpr, BLOCK_D: tl.constexpr, BLOCK_K: tl.constexpr,
                      BLOCK_O: tl.constexpr):
        b = tl.program_id(0)                   # one program per compressed frame
        n = tl.arange(0, BLOCK_N)
        d = tl.arange(0, BLOCK_D)
        kk = tl.arange(0, BLOCK_K)
        n_ok, d_ok, k_ok = n < N, d < D, kk < K
        x = tl.load(X + b * N * D + n[:, None] * D + d[None, :], mask=n_ok[:, None] & d_ok[None, :],
                    other=0.0).to(tl.float32)
        mean = tl.sum(x, 1) / D
        xc = tl.where(d_ok[None, :], x - mean[:, None], 0.0)
        rstd = 1.0 / tl.sqrt(tl.sum(xc * xc, 1) / D + eps)
        sh = tl.load(SHIFT + b * D + d, mask=d_ok, other=0.0).to(tl.float32)
        sc = tl.load(SCALE + b * D + d, mask=d_ok, other=0.0).to(tl.float32)
        h = xc * rstd[:, None] * (1.0 + sc[None, :]) + sh[None, :]          # (N, D)
        h = tl.where(n_ok[:, None] & d_ok[None, :], h, 0.0)
        q = tl.load(QRY + kk[:, None] * D + d[None, :], mask=k_ok[:, None] & d_ok[None, :],
                    other=0.0).to(tl.float32)
        logits = tl.dot(q, tl.trans(h), input_precision="ieee") * sm_scale  # (K, N)
        logits = tl.where(n_ok[None, :], logits, float("-inf"))
        p = tl.exp(logits - tl.max(logits, 1)[:, None])
        p = p / tl.sum(p, 1)[:, None]
        pooled = tl.dot(p, h, input_precision="ieee")                        # (K, D)
        for o0 in range(0, D, BLOCK_O):
            o = o0 + tl.arange(0, BLOCK_O)
            o_ok = o < D
            w = tl.load(W + d[:, None] * D + o[None, :], mask=d_ok[:, None] & o_ok[None, :],
                        other=0.0).to(tl.float32)
            bias = tl.load(BIAS + o, mask=o_ok, other=0.0).to(tl.float32)
            out = tl.dot(pooled, w, input_precision="ieee") + bias[None, :]
            tl.store(OUT + b * K * D + kk[:, None] * D + o[None, :], out.to(OUT.dtype.element_ty),
                     mask=k_ok[:, None] & o_ok[None, :])


def compress(x, shift, scale, queries, w_out, b_out, eps: float = 1e-6, out=None):
    """Launch the fused kernel; arguments as `compress_ref`; `out`: optional (B, K, D) buffer."""
    require_triton()
    if x.ndim != 3:
        raise ValueError(f"x must be (B, N, D), got {tuple(x.shape)}")
    B, N, D = x.shape
    K = queries.shape[0]
    expect = {"shift": (shift, (B, D)), "scale": (scale, (B, D)), "queries": (queries, (K, D)),
              "w_out": (w_out, (D, D)), "b_out": (b_out, (D,))}
    for name, (t, shape) in expect.items():
        if tuple(t.shape) != shape:
            raise ValueError(f"{name} must be {shape}, got {tuple(t.shape)}")
        if t.device != x.device:
            raise ValueError(f"{name} is on {t.device}, x on {x.device}")
    if not (x.is_cuda or os.environ.get("TRITON_INTERPRET") == "1"):
        raise ValueError("the Triton kernel needs CUDA tensors (or TRITON_INTERPRET=1)")
    args = [t.contiguous() for t in (x, shift, scale, queries, w_out, b_out)]
    if out is None:
        out = torch.empty(B, K, D, device=x.device, dtype=x.dtype)
    elif out.shape != (B, K, D) or out.dtype != x.dtype or out.device != x.device or not out.is_contiguous():
        raise ValueError(f"out must be a contiguous ({B}, {K}, {D}) {x.dtype} tensor")
    p2 = triton.next_power_of_2
    _compress_fwd[(B,)](*args, out, N, D, K, eps, D ** -0.5, BLOCK_N=max(16, p2(N)),
                        BLOCK_D=max(16, p2(D)), BLOCK_K=max(16, p2(K)), BLOCK_O=min(64, max(16, p2(D))))
    return out
