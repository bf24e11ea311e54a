"""`python -m kernels.bench`: kernel timings on a CUDA GPU.

For the attention shapes of the `tiny` and `oasis-500m` presets (spatial "frame" mode
with and without a memory prefix, temporal "causal" mode with cached keys) it reports
the median time (CUDA events, after warm-up) of our Triton kernel, PyTorch SDPA with an
explicit boolean mask, and FlexAttention with the same mask as a block mask, with
TFLOP/s from `kernels.attention.flops` (visible pairs only). Also the fused compress and
modulate kernels against their references. Without a GPU it says so and exits 0.
"""
from __future__ import annotations

import argparse
import json
import sys

import torch

from kernels.attention import attention, attention_ref, flops, visibility
from kernels.compress import compress, compress_ref
from kernels.modulate import modulate, modulate_ref

# name: (B, H, Lq, Lk, D, prefix, frame_len, mode)
SHAPES = {
    "tiny/spatial": (1, 4, 2 * 64, 2 * 64, 32, 0, 64, "frame"),
    "tiny/spatial+memory": (1, 4, 2 * 64, 32 + 2 * 64, 32, 32, 64, "frame"),
    "tiny/temporal-cached": (64, 4, 2, 12, 32, 0, 1, "causal"),
    "oasis/spatial": (1, 16, 32 * 144, 32 * 144, 64, 0, 144, "frame"),
    "oasis/spatial-new-frame": (1, 16, 144, 144, 64, 0, 144, "frame"),
    "oasis/temporal": (144, 16, 32, 32, 64, 0, 1, "causal"),
    "oasis/window-causal-frames": (1, 16, 32 * 144, 32 * 144, 64, 0, 144, "causal"),
}


def median_ms(fn, warmup: int = 10, reps: int = 50) -> float:
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b))
    return sorted(times)[len(times) // 2]


def flex_fn(B, H, Lq, Lk, prefix, fl, mode):
    from torch.nn.attention.flex_attention import create_block_mask, flex_attention
    off = Lk - Lq

    def mask_mod(b, h, q, k):
        qf = (q + off - prefix) // fl
        kf = (k - prefix) // fl
        body = (kf == qf) if mode == "frame" else (kf <= qf) if mode == "causal" else (k >= 0)
        return (k < prefix) | body
    block = create_block_mask(mask_mod, B, H, Lq, Lk, device="cuda")
    compiled = torch.compile(flex_attention)
    return lambda q, k, v: compiled(q, k, v, block_mask=block)


def bench_attention(dtype) -> list[dict]:
    rows = []
    for name, (B, H, Lq, Lk, D, prefix, fl, mode) in SHAPES.items():
        q, k, v = (torch.randn(B, H, L, D, device="cuda", dtype=dtype) for L in (Lq, Lk, Lk))
        err = ((attention(q, k, v, prefix=prefix, frame_len=fl, mode=mode).float()
                - attention_ref(q, k, v, prefix=prefix, frame_len=fl, mode=mode).float()).abs().max().item())
        mask = visibility(Lq, Lk, prefix, fl, mode, "cuda")
        f = flops(B, H, Lq, Lk, D, prefix, fl, mode)
        t_ours = median_ms(lambda: attention(q, k, v, prefix=prefix, frame_len=fl, mode=mode))
        t_sdpa = median_ms(lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask))
        try:
            fx = flex_fn(B, H, Lq, Lk, prefix, fl, mode)
            t_flex = median_ms(lambda: fx(q, k, v))
        except Exception as e:  # FlexAttention needs a recent torch and a supported GPU
            print(f"  flex attention unavailable for {name}: {e}", file=sys.stderr)
            t_flex = float("nan")
        rows.append({"shape": name, "dtype": str(dtype).split(".")[-1], "ms_triton": t_ours, "ms_sdpa_mask": t_sdpa,
                     "ms_flex": t_flex, "tflops_triton": f / t_ours / 1e9, "speedup_vs_sdpa": t_sdpa / t_ours,
                     "speedup_vs_flex": t_flex / t_ours, "max_abs_err": err})
    return rows


def bench_fused(dtype) -> list[dict]:
    rows = []
    x = torch.randn(8, 2, 64, 128, device="cuda", dtype=dtype)
    sh, sc = torch.randn(8, 2, 1, 128, device="cuda", dtype=dtype), torch.randn(8, 2, 1, 128, device="cuda", dtype=dtype)
    bytes_mod = 2 * x.numel() * x.element_size()
    for name, ours, ref in (("modulate", lambda: modulate(x, sh, sc), lambda: modulate_ref(x, sh, sc)),):
        t1, t2 = median_ms(ours), median_ms(ref)
        rows.append({"op": name, "ms_triton": t1, "ms_torch": t2, "gbps_triton": bytes_mod / t1 / 1e6})
    xc = torch.randn(64, 64, 128, device="cuda", dtype=torch.float32)
    s2, c2 = torch.randn(64, 128, device="cuda"), torch.randn(64, 128, device="cuda")
    qq, w, b = torch.randn(4, 128, device="cuda"), torch.randn(128, 128, device="cuda"), torch.randn(128, device="cuda")
    t1 = median_ms(lambda: compress(xc, s2, c2, qq, w, b))
    t2 = median_ms(lambda: compress_ref(xc, s2, c2, qq, w, b))
    rows.append({"op": "compress", "ms_triton": t1, "ms_torch": t2,
                 "gbps_triton": xc.numel() * 4 / t1 / 1e6})
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)
    if not torch.cuda.is_available():
        print("kernels.bench: no CUDA GPU available here; nothing measured "
              "(the kernels are tested on the CPU through TRITON_INTERPRET=1).")
        return 0
    out = {"gpu": torch.cuda.get_device_name(), "torch": torch.__version__, "attention": [], "fused": []}
    for dtype in (torch.bfloat16, torch.float16):
        out["attention"] += bench_attention(dtype)
    out["fused"] = bench_fused(torch.bfloat16)
    print(f"GPU: {out['gpu']}")
    print(f"{'shape':<30}{'dtype':>6}{'triton ms':>11}{'sdpa+mask':>11}{'flex':>9}{'TFLOP/s':>9}{'vs sdpa':>9}{'vs flex':>9}")
    for r in out["attention"]:
        print(f"{r['shape']:<30}{r['dtype']:>6}{r['ms_triton']:>11.3f}{r['ms_sdpa_mask']:>11.3f}{r['ms_flex']:>9.3f}"
              f"{r['tflops_triton']:>9.1f}{r['speedup_vs_sdpa']:>8.2f}x{r['speedup_vs_flex']:>8.2f}x")
    for r in out["fused"]:
        print(f"{r['op']:<30}{'':>6}{r['ms_triton']:>11.3f}{r['ms_torch']:>11.3f}  ({r['gbps_triton']:.0f} GB/s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
