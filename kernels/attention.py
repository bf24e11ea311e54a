"""Flash-attention forward with the frame masks of the spatio-temporal DiT.

    attention(q, k, v, *, prefix=0, frame_len=1, mode="full") -> o
    q: (B, H, Lq, D), k, v: (B, H, Lk, D), o: (B, H, Lq, D)

Queries are the last Lq positions of the key sequence (Lq < Lk serves cached keys) and
Lq <= Lk - prefix. Key j is visible to query i when j < prefix (memory tokens), or else,
with frames f(p) = (p - prefix) // frame_len:
    "full":   always;   "frame": f(j) == f(i);   "causal": f(j) <= f(i).
`attention_ref` is the specification. The kernel is the online-softmax algorithm of
FlashAttention (Dao et al., 2022) in the style of Triton's fused-attention tutorial,
fp32 accumulation; per query block it visits only the key blocks that can be visible
(the prefix, then the block's frame range), so fully masked tiles are never loaded.
"""
from __future__ import annotations

import math
import os

import torch

from kernels._triton import HAVE_TRITON, require_triton, tl, triton

MODES = {"full": 0, "frame": 1, "causal": 2}


def visibility(Lq: int, Lk: int, prefix: int, frame_len: int, mode: str, device=None) -> torch.Tensor:
    """Boolean (Lq, Lk) mask, True = visible. The definition every implementation follows."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")
    qpos = torch.arange(Lk - Lq, Lk, device=device)
    kpos = torch.arange(Lk, device=device)
    qf = (qpos - prefix).div(frame_len, rounding_mode="floor")[:, None]
    kf = (kpos - prefix).div(frame_len, rounding_mode="floor")[None, :]
    if mode == "full":
        vis = torch.ones(Lq, Lk, dtype=torch.bool, device=device)
    else:
        vis = (kf == qf) if mode == "frame" else (kf <= qf)
    return vis | (kpos < prefix)[None, :]


def attention_ref(q, k, v, *, prefix: int = 0, frame_len: int = 1, mode: str = "full"):
    """The specification: softmax(q k^T / sqrt(D) masked by `visibility`) v, in fp32."""
    Lq, Lk, D = q.shape[2], k.shape[2], q.shape[3]
    s = torch.einsum("bhqd,bhkd->bhqk", q.float(), k.float()) / math.sqrt(D)
    s = s.masked_fill(~visibility(Lq, Lk, prefix, frame_len, mode, q.device), float("-inf"))
    return (s.softmax(-1) @ v.float()).to(q.dtype)


def flops(B: int, H: int, Lq: int, Lk: int, D: int, prefix: int, frame_len: int, mode: str) -> float:
    """FLOPs actually needed (visible pairs only): 2 matmuls x 2 FLOPs per multiply-add."""
    pairs = int(visibility(Lq, Lk, prefix, frame_len, mode).sum())
    return 4.0 * B * H * pairs * D


if HAVE_TRITON:
    @triton.jit
    def _attn_fwd(Q, K, V, O, sqb, sqh, sqm, sqd, skb, skh, skn, skd, svb, svh, svn, svd,
                  sob, soh, som, sod, H, Lq, Lk, D, prefix, frame_len, sm_scale,
                  MODE: tl.constexpr, BLOCK_M: tl.constexpr, BLOCK_N: tl.constexpr,
                  BLOCK_D: tl.constexpr, UPCAST: tl.constexpr, PRECISION: tl.constexpr):
        pid_m = tl.program_id(0)
        bh = tl.program_id(1)
        b, h = bh // H, bh % H
        offs_m = pid_m * BLOCK_M + tl.arange(0, BLOCK_M)
        offs_d = tl.arange(0, BLOCK_D)
        q_ok = offs_m < Lq
        d_ok = offs_d < D
        qpos = Lk - Lq + offs_m                       # absolute positions of the queries
        q_ptr = Q + b * sqb + h * sqh + offs_m[:, None] * sqm + offs_d[None, :] * sqd
        q = tl.load(q_ptr, mask=q_ok[:, None] & d_ok[None, :], other=0.0)
        if UPCAST:
            q = q.to(tl.float32)
        qk_scale = sm_scale * 1.4426950408889634      # softmax in base 2
        m_i = tl.full([BLOCK_M], -1.0e30, tl.float32)
        l_i = tl.zeros([BLOCK_M], tl.float32)
        acc = tl.zeros([BLOCK_M, BLOCK_D], tl.float32)
        k_base = K + b * skb + h * skh
        v_base = V + b * svb + h * svh

        # Key range of the body (positions >= prefix) that this query block can see.
        first_q = Lk - Lq + pid_m * BLOCK_M
        last_q = tl.minimum(first_q + BLOCK_M, Lk) - 1
        lo = prefix
        hi = Lk
        if MODE == 1:
            lo = prefix + ((first_q - prefix) // frame_len) * frame_len
            hi = tl.minimum(prefix + ((last_q - prefix) // frame_len + 1) * frame_len, Lk)
        elif MODE == 2:
            hi = tl.minimum(prefix + ((last_q - prefix) // frame_len + 1) * frame_len, Lk)
        qf = (qpos - prefix) // frame_len

        # Pass 0 visits the memory prefix [0, prefix); pass 1 the body [lo, hi).
        for part in tl.static_range(2):
            start = 0 if part == 0 else lo
            stop = prefix if part == 0 else hi
            for n0 in range(start, stop, BLOCK_N):
                offs_n = n0 + tl.arange(0, BLOCK_N)
                n_ok = offs_n < stop
                k = tl.load(k_base + offs_n[None, :] * skn + offs_d[:, None] * skd,
                            mask=n_ok[None, :] & d_ok[:, None], other=0.0)
                v = tl.load(v_base + offs_n[:, None] * svn + offs_d[None, :] * svd,
                            mask=n_ok[:, None] & d_ok[None, :], other=0.0)
                if UPCAST:
                    k = k.to(tl.float32)
                    v = v.to(tl.float32)
                s = tl.dot(q, k, input_precision=PRECISION) * qk_scale
                vis = n_ok[None, :] & q_ok[:, None]
                if part == 1:
                    kf = (offs_n - prefix) // frame_len
                    if MODE == 1:
                        vis = vis & (kf[None, :] == qf[:, None])
                    elif MODE == 2:
                        vis = vis & (kf[None, :] <= qf[:, None])
                s = tl.where(vis, s, float("-inf"))
                m_new = tl.maximum(m_i, tl.max(s, 1))
                p = tl.exp2(s - m_new[:, None])
                alpha = tl.exp2(m_i - m_new)
                l_i = l_i * alpha + tl.sum(p, 1)
                acc = acc * alpha[:, None] + tl.dot(p.to(v.dtype), v, input_precision=PRECISION)
                m_i = m_new

        l_i = tl.where(l_i == 0.0, 1.0, l_i)
        out = acc / l_i[:, None]
        o_ptr = O + b * sob + h * soh + offs_m[:, None] * som + offs_d[None, :] * sod
        tl.store(o_ptr, out.to(O.dtype.element_ty), mask=q_ok[:, None] & d_ok[None, :])

    _CONFIGS = [triton.Config({"BLOCK_M": m, "BLOCK_N": n}, num_warps=w, num_stages=s)
                for m in (64, 128) for n in (32, 64) for w in (4, 8) for s in (2, 3)]
    _attn_fwd_tuned = triton.autotune(_CONFIGS, key=["Lq", "Lk", "D", "prefix", "frame_len", "MODE"])(_attn_fwd)


def _check_out(out, like):
    if out.shape != like.shape or out.dtype != like.dtype or out.device != like.device:
        raise ValueError(f"out must be {tuple(like.shape)} {like.dtype} on {like.device}")
    return out


def _interpreting() -> bool:
    return os.environ.get("TRITON_INTERPRET", "0") == "1"


def attention(q, k, v, *, prefix: int = 0, frame_len: int = 1, mode: str = "full", out=None):
    """Launch the Triton kernel (CUDA tensors, or CPU tensors under TRITON_INTERPRET=1).
    `out`: optional preallocated (B, H, Lq, D) output (every element is written)."""
    require_triton()
    if mode not in MODES:
        raise ValueError(f"mode must be one of {sorted(MODES)}, got {mode!r}")
    if q.ndim != 4 or k.ndim != 4 or v.ndim != 4:
        raise ValueError(f"q, k, v must be (B, H, L, D); got {tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}")
    B, H, Lq, D = q.shape
    if k.shape != v.shape or k.shape[:2] != (B, H) or k.shape[3] != D:
        raise ValueError(f"k and v must be (B={B}, H={H}, Lk, D={D}); got {tuple(k.shape)}, {tuple(v.shape)}")
    Lk = k.shape[2]
    if not 16 <= D <= 128:
        raise ValueError(f"head dim must be in [16, 128], got {D}")
    if prefix < 0 or frame_len < 1 or Lq < 1 or Lq > Lk - prefix:
        raise ValueError(f"need prefix >= 0, frame_len >= 1 and 1 <= Lq <= Lk - prefix; "
                         f"got prefix={prefix}, frame_len={frame_len}, Lq={Lq}, Lk={Lk}")
    if not (q.dtype == k.dtype == v.dtype) or q.dtype not in (torch.float16, torch.bfloat16, torch.float32):
        raise ValueError(f"q, k, v must share one dtype of fp16/bf16/fp32; got {q.dtype}, {k.dtype}, {v.dtype}")
    if not (q.device == k.device == v.device):
        raise ValueError("q, k, v must be on one device")
    interp = _interpreting()
    if not (q.is_cuda or interp):
        raise ValueError("the Triton kernel needs CUDA tensors (or TRITON_INTERPRET=1 on the CPU); "
                         "use playground.ops.attention to dispatch")
    o = torch.empty_like(q) if out is None else _check_out(out, q)
    args = (q, k, v, o, *q.stride(), *k.stride(), *v.stride(), *o.stride(),
            H, Lq, Lk, D, prefix, frame_len, 1.0 / math.sqrt(D))
    block_d = max(16, triton.next_power_of_2(D))
    upcast = interp or q.dtype == torch.float32
    # fp32 inputs: exact fp32 products (not TF32), so fp32 results match the reference.
    precision = "ieee" if upcast else "tf32"
    if interp:   # autotuning under the interpreter would only cost time
        grid = (triton.cdiv(Lq, 16), B * H)
        _attn_fwd[grid](*args, MODE=MODES[mode], BLOCK_M=16, BLOCK_N=16, BLOCK_D=block_d, UPCAST=upcast,
                                PRECISION=precision)
    else:
        grid = lambda meta: (triton.cdiv(Lq, meta["BLOCK_M"]), B * H)  # noqa: E731
        _attn_fwd_tuned[grid](*args, MODE=MODES[mode], BLOCK_D=block_d, UPCAST=upcast, PRECISION=precision)
    return o
