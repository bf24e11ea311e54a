"""The one place that chooses between the Triton kernels and PyTorch.

Triton runs on CUDA tensors when `triton` imports and autograd is not recording (the
kernels are forward-only); everything else takes the PyTorch path, which is written to be fast on the CPU (no boolean masks in SDPA: per-frame
reshapes and `is_causal` instead). `PLAYGROUND_KERNELS=triton|torch` forces a backend;
forcing triton on CPU tensors only works under TRITON_INTERPRET=1 (tests). The choice is
logged once and reported by `backend_name()` (the client's HUD shows it).
"""
from __future__ import annotations

import contextlib
import logging
import math
import os

import torch
import torch.nn.functional as F

from kernels.attention import visibility

log = logging.getLogger("playground.ops")
_FORCED = os.environ.get("PLAYGROUND_KERNELS", "").strip().lower() or None
if _FORCED not in (None, "triton", "torch"):
    raise ValueError(f"PLAYGROUND_KERNELS must be 'triton' or 'torch', got {_FORCED!r}")
_triton_ok: bool | None = None
_logged = False


def _have_triton() -> bool:
    global _triton_ok
    if _triton_ok is None:
        try:
            import triton  # noqa: F401
            import kernels.attention  # noqa: F401
            _triton_ok = True
        except Exception as e:  # ImportError, or a broken install
            log.info("Triton unavailable (%s); using PyTorch kernels", e)
            _triton_ok = False
    return _triton_ok


def force_backend(name: str | None) -> None:
    """Force 'triton' or 'torch' (None: automatic), as PLAYGROUND_KERNELS does; for
    benchmarks that compare the two in one process."""
    global _FORCED, _logged
    if name not in (None, "triton", "torch"):
        raise ValueError(f"backend must be 'triton', 'torch' or None, got {name!r}")
    _FORCED, _logged = name, False


@contextlib.contextmanager
def forced_backend(name: str | None):
    """force_backend(name) inside the block; the earlier choice (PLAYGROUND_KERNELS too)
    comes back after it."""
    global _FORCED, _logged
    before = _FORCED
    force_backend(name)
    try:
        yield
    finally:
        _FORCED, _logged = before, False


def use_triton(x: torch.Tensor, *others: torch.Tensor) -> bool:
    """Whether an op on tensor `x` (and `others`, its other inputs) runs the Triton kernel.
    Never while autograd records: the kernels are forward-only, so training takes the
    PyTorch path whatever the backend (a Triton output would silently cut the gradient)."""
    global _logged
    if torch.is_grad_enabled() and any(t.requires_grad for t in (x, *others)):
        return False
    if _FORCED == "torch":
        choice = False
    elif _FORCED == "triton":
        choice = _have_triton()
    else:
        choice = x.is_cuda and _have_triton()
    if not _logged:
        log.info("kernel backend: %s", "triton" if choice else "torch")
        _logged = True
    return choice


def backend_name(device: torch.device | str = "cpu") -> str:
    probe = torch.empty(0, device=device)
    return "triton" if use_triton(probe) else "torch"


# ---------------------------------------------------------------------------------------
def attention(q, k, v, *, prefix: int = 0, frame_len: int = 1, mode: str = "full"):
    """Masked attention, (B, H, Lq, D) x (B, H, Lk, D) -> (B, H, Lq, D).

    Queries are the last Lq positions of the key sequence. Keys [0, prefix) are always
    visible (memory tokens); position p >= prefix is in frame (p - prefix) // frame_len.
    mode "full": all keys; "frame": the query's own frame; "causal": frames up to the
    query's own. The spec is kernels.attention.attention_ref.
    """
    if use_triton(q, k, v):
        from kernels.attention import attention as triton_attention
        return triton_attention(q, k, v, prefix=prefix, frame_len=frame_len, mode=mode)
    return attention_torch(q, k, v, prefix=prefix, frame_len=frame_len, mode=mode)


def attention_torch(q, k, v, *, prefix=0, frame_len=1, mode="full"):
    B, H, Lq, D = q.shape
    Lk = k.shape[2]
    body = Lk - prefix
    if mode == "full" or (mode == "causal" and Lq == 1):
        return F.scaled_dot_product_attention(q, k, v)
    if mode == "frame" and Lq % frame_len == 0 and body % frame_len == 0:
        nq = Lq // frame_len  # query frames = the last nq frames of the keys
        kf = k[:, :, Lk - Lq:].reshape(B, H, nq, frame_len, D)
        vf = v[:, :, Lk - Lq:].reshape(B, H, nq, frame_len, D)
        if prefix:
            kp = k[:, :, None, :prefix].expand(B, H, nq, prefix, D)
            vp = v[:, :, None, :prefix].expand(B, H, nq, prefix, D)
            kf, vf = torch.cat([kp, kf], 3), torch.cat([vp, vf], 3)
        # 4-D (frames folded into heads): CPU SDPA takes its fused kernel only for 4-D
        # inputs; 5-D falls back to the math path, 10x slower at batch 8.
        o = F.scaled_dot_product_attention(q.reshape(B, H * nq, frame_len, D),
                                           kf.reshape(B, H * nq, -1, D), vf.reshape(B, H * nq, -1, D))
        return o.reshape(B, H, Lq, D)
    if mode == "causal" and frame_len == 1 and prefix == 0 and Lq == Lk:
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    if mode == "causal" and frame_len == 1 and prefix == 0:
        # Cached keys: the first Lk - Lq keys are visible to every query.
        return _attend_after_cache(q, k, v)   # cached keys: the first Lk - Lq, seen by every query
    mask = visibility(Lq, Lk, prefix, frame_len, mode, q.device)  # rare shapes only
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask)


def attention_cached(q, k, v, past_k, past_v, frame_mask=None):
    """Attention of T new frames over [cached frames | themselves]: q, k, v (B, H, T, D)
    for the new frames, past_k/past_v (B, H, Tc, D) (Tc may be 0) that every query sees.
    frame_mask (T, T) bool: which new frames each new frame sees; None is causal, the
    same as attention(q, cat(past_k, k), cat(past_v, v), mode="causal"). A sampler uses
    it to put alternatives of a frame in one sequence (see DiT.forward)."""
    k, v = torch.cat([past_k, k], 2), torch.cat([past_v, v], 2)
    if frame_mask is None and use_triton(q, k, v):
        from kernels.attention import attention as triton_attention
        return triton_attention(q, k, v, mode="causal")
    return _attend_after_cache(q, k, v, frame_mask)


def _attend_after_cache(q, k, v, frame_mask=None):
    """q (B, H, Lq, D) are the last Lq of the Lk keys: all see the first Lk - Lq (the
    cache) and the last Lq by frame_mask (default causal). Plain matmuls and an fp32
    softmax: for these short sequences (Lk ~ 12) at batch 8 on the CPU, 3x faster than
    SDPA with a boolean mask (1.1 vs 3.5 ms per call, 512 x 4 heads)."""
    Lq, Tc = q.shape[2], k.shape[2] - q.shape[2]
    s = torch.matmul(q, k.transpose(-1, -2)).float() * q.shape[-1] ** -0.5
    if frame_mask is None:
        s[..., Tc:] += torch.full((Lq, Lq), float("-inf"), device=q.device).triu(1)
    else:
        assert frame_mask.shape == (Lq, Lq), f"frame_mask {tuple(frame_mask.shape)} for {Lq} frames"
        s[..., Tc:] = s[..., Tc:].masked_fill(~frame_mask, float("-inf"))
    return torch.matmul(s.softmax(-1).to(v.dtype), v)


# ---------------------------------------------------------------------------------------
def modulate_norm(x, shift, scale, eps: float = 1e-6):
    """LayerNorm (no affine) then x * (1 + scale) + shift. x (B, T, N, D); shift/scale
    (B, T, 1, D) or broadcastable."""
    if use_triton(x, shift, scale) and shift.shape[-2] == 1 and x.ndim == 4:
        from kernels.modulate import modulate as triton_modulate
        return triton_modulate(x, shift, scale, eps)
    return F.layer_norm(x, x.shape[-1:], eps=eps) * (1 + scale) + shift


GELU_C = math.sqrt(2 / math.pi)


def gelu_tanh(x):
    """GELU, tanh form (the DiT's MLP, as in the public model). On the CPU:
    - bf16: the exact (erf) form, 6x faster there (PyTorch vectorises erf, not tanh, for
      bf16); it differs from the tanh form by < 5e-4, far below bf16's resolution (8e-3 at 1.0).
    - fp32 without autograd: the same tanh form written with a sigmoid,
      0.5 (1 + tanh(u)) = sigmoid(2u), in place: 2x faster (PyTorch's CPU tanh is slow;
      165 vs 331 us for 3 x 64 x 512 on a 2-core AVX2 EPYC), equal to 5e-7."""
    if x.device.type == "cpu":
        if x.dtype == torch.bfloat16:
            return F.gelu(x)
        if x.dtype == torch.float32 and not (torch.is_grad_enabled() and x.requires_grad):
            u = x * x
            u.mul_(2 * GELU_C * 0.044715).add_(2 * GELU_C).mul_(x).sigmoid_()
            return u.mul_(x)
    return F.gelu(x, approximate="tanh")


def gated_residual(x, y, gate):
    """x + gate * y (the adaLN-Zero residual)."""
    if use_triton(x, y, gate) and gate.shape[-2] == 1 and x.ndim == 4:
        from kernels.modulate import gated_residual as triton_gated
        return triton_gated(x, y, gate)
    return torch.addcmul(x, gate, y)


def compress(x, shift, scale, queries, w_out, b_out, eps: float = 1e-6):
    """Frame compression (memory): LN(x) * (1 + scale) + shift, attention-pooled by
    learned queries, projected. x (B, N, D); shift/scale (B, D); queries (K, D);
    w_out (D, D); returns (B, K, D). The spec is kernels.compress.compress_ref."""
    if use_triton(x, shift, scale, queries, w_out, b_out):
        from kernels.compress import compress as triton_compress
        return triton_compress(x, shift, scale, queries, w_out, b_out, eps)
    from kernels.compress import compress_ref
    return compress_ref(x, shift, scale, queries, w_out, b_out, eps)
