"""Frame compression for the memory bank, fused: normalise, modulate by the action, pool
with learned queries, project.

Specification (`compress_ref`), per frame b with tokens x_b (N, D):
    h      = LayerNorm(x_b) * (1 + scale_b) + shift_b           (no affine, eps)
    logits = queries @ h^T / sqrt(D)                             (K, N)
    pooled = softmax(logits, -1) @ h                             (K, D)
    out_b  = pooled @ w_out + b_out                              (K, D)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def compress_ref(x, shift, scale, queries, w_out, b_out, eps: float = 1e-6):
    """x (B, N, D); shift, scale (B, D); queries (K, D); w_out (D, D); b_out (D,) -> (B, K, D)."""
    h = F.layer_norm(x, x.shape[-1:], eps=eps) * (1 + scale[:, None]) + shift[:, None]
    logits = torch.einsum("kd,bnd->bkn", queries, h) * x.shape[-1] ** -0.5
    pooled = logits.float().softmax(-1).to(h.dtype) @ h
    return pooled @ w_out + b_out
