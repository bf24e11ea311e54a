"""Triton kernels against their PyTorch specifications, under TRITON_INTERPRET=1 on the
CPU (make test sets it) and compiled on a GPU. Fresh random inputs, odd sizes, every
mode, poisoned output buffers."""
import os

import pytest
import torch

from kernels import attention as KA
from kernels import compress as KC
from kernels import modulate as KM
from kernels._triton import HAVE_TRITON
from playground import ops

INTERP = os.environ.get("TRITON_INTERPRET") == "1"
DEV = "cuda" if torch.cuda.is_available() else "cpu"
pytestmark = pytest.mark.skipif(not HAVE_TRITON or not (INTERP or torch.cuda.is_available()),
                                reason="needs Triton with a GPU or TRITON_INTERPRET=1")

# (B, H, Lq, Lk, D, prefix, frame_len, mode): odd sizes, Lq < Lk, prefix zero and not.
CASES = [
    (1, 2, 20, 20, 16, 0, 1, "full"), (2, 1, 13, 29, 24, 5, 1, "full"),
    (2, 1, 24, 31, 32, 7, 6, "frame"), (1, 2, 6, 30, 64, 0, 6, "frame"), (1, 1, 9, 21, 16, 3, 9, "frame"),
    (1, 2, 17, 40, 24, 3, 5, "causal"), (1, 1, 9, 9, 16, 0, 1, "causal"), (2, 2, 3, 11, 48, 0, 1, "causal"),
    (1, 1, 37, 37, 128, 0, 1, "causal"), (1, 1, 12, 19, 80, 7, 4, "causal"),
]


def rel_err(a, b):
    return ((a.double() - b.double()).abs().max() / b.double().abs().max().clamp_min(1e-12)).item()


def poisoned(shape, dtype=torch.float32):
    return torch.full(shape, float("nan"), dtype=dtype, device=DEV)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[-1]}-Lq{c[2]}-Lk{c[3]}-D{c[4]}-p{c[5]}")
def test_attention_matches_reference_fp32(case):
    B, H, Lq, Lk, D, prefix, fl, mode = case
    q, k, v = (torch.randn(B, H, L, D, device=DEV) for L in (Lq, Lk, Lk))
    out = poisoned((B, H, Lq, D))
    o = KA.attention(q, k, v, prefix=prefix, frame_len=fl, mode=mode, out=out)
    assert o.data_ptr() == out.data_ptr() and not o.isnan().any()
    assert rel_err(o, KA.attention_ref(q, k, v, prefix=prefix, frame_len=fl, mode=mode)) <= 1e-4


@pytest.mark.parametrize("case", CASES[::3], ids=lambda c: f"{c[-1]}-Lq{c[2]}-Lk{c[3]}")
def test_attention_fp16(case):
    B, H, Lq, Lk, D, prefix, fl, mode = case
    q, k, v = (torch.randn(B, H, L, D, device=DEV, dtype=torch.float16) for L in (Lq, Lk, Lk))
    o = KA.attention(q, k, v, prefix=prefix, frame_len=fl, mode=mode)
    assert rel_err(o, KA.attention_ref(q, k, v, prefix=prefix, frame_len=fl, mode=mode)) <= 2e-2


def test_attention_independent_double_precision_check():
    """Random configurations against a float64 softmax written from the definition."""
    g = torch.Generator().manual_seed(1234)
    for _ in range(6):
        r = lambda lo, hi: int(torch.randint(lo, hi + 1, (1,), generator=g))  # noqa: E731
        mode = ["full", "frame", "causal"][r(0, 2)]
        fl, prefix, D = r(1, 7), r(0, 6), [16, 32, 40, 64][r(0, 3)]
        frames = r(1, 5)
        Lk = prefix + frames * fl + (r(0, fl - 1) if mode == "full" else 0)
        Lq = r(1, Lk - prefix)
        q, k, v = (torch.randn(1, 2, L, D, generator=g).to(DEV) for L in (Lq, Lk, Lk))
        o = KA.attention(q, k, v, prefix=prefix, frame_len=fl, mode=mode)
        qp = torch.arange(Lk - Lq, Lk)[:, None]
        kp = torch.arange(Lk)[None]
        qf, kf = (qp - prefix).div(fl, rounding_mode="floor"), (kp - prefix).div(fl, rounding_mode="floor")
        vis = {"full": torch.ones(Lq, Lk, dtype=torch.bool), "frame": kf == qf, "causal": kf <= qf}[mode]
        vis = (vis | (kp < prefix)).to(DEV)
        s = (q.double() @ k.double().transpose(-1, -2)) / D ** 0.5
        ref = s.masked_fill(~vis, float("-inf")).softmax(-1) @ v.double()
        assert rel_err(o, ref) <= 1e-4, (mode, fl, prefix, D, Lq, Lk)


def test_attention_launcher_checks():
    q = torch.randn(1, 1, 8, 16, device=DEV)
    with pytest.raises(ValueError, match="head dim"):
        KA.attention(torch.randn(1, 1, 8, 8, device=DEV), torch.randn(1, 1, 8, 8, device=DEV),
                     torch.randn(1, 1, 8, 8, device=DEV))
    with pytest.raises(ValueError, match="Lq <= Lk - prefix"):
        KA.attention(q, q, q, prefix=2)
    with pytest.raises(ValueError, match="mode"):
        KA.attention(q, q, q, mode="diagonal")
    with pytest.raises(ValueError, match="dtype"):
        KA.attention(q, q.half(), q)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[-1]}-Lq{c[2]}-Lk{c[3]}")
def test_ops_torch_path_matches_reference(case):
    B, H, Lq, Lk, D, prefix, fl, mode = case
    q, k, v = (torch.randn(B, H, L, D) for L in (Lq, Lk, Lk))
    o = ops.attention_torch(q, k, v, prefix=prefix, frame_len=fl, mode=mode)
    assert rel_err(o, KA.attention_ref(q, k, v, prefix=prefix, frame_len=fl, mode=mode)) <= 1e-5


@pytest.mark.parametrize("B,H,T,Tc,D", [(3, 2, 1, 10, 32), (2, 1, 2, 7, 24), (1, 3, 5, 1, 16)])
def test_cached_attention_equals_causal_attention_over_the_concatenation(B, H, T, Tc, D):
    q, k, v = (torch.randn(B, H, T, D) for _ in range(3))
    pk, pv = torch.randn(B, H, Tc, D), torch.randn(B, H, Tc, D)
    o = ops.attention_cached(q, k, v, pk, pv)
    want = KA.attention_ref(q, torch.cat([pk, k], 2), torch.cat([pv, v], 2), mode="causal")
    assert rel_err(o, want) <= 1e-5


def test_cached_attention_with_a_frame_mask_equals_masked_attention():
    """Frames 2 and 3 are alternatives at one position: each sees frames 0-1, not the other."""
    q, k, v = (torch.randn(2, 3, 4, 16) for _ in range(3))
    pk, pv = torch.randn(2, 3, 5, 16), torch.randn(2, 3, 5, 16)
    mask = torch.tensor([[1, 0, 0, 0], [1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 0, 1]], dtype=torch.bool)
    o = ops.attention_cached(q, k, v, pk, pv, frame_mask=mask)
    full = torch.cat([torch.ones(4, 5, dtype=torch.bool), mask], 1)
    want = torch.nn.functional.scaled_dot_product_attention(q, torch.cat([pk, k], 2), torch.cat([pv, v], 2),
                                                            attn_mask=full)
    assert rel_err(o, want) <= 1e-5
    no_past = ops.attention_cached(q, k, v, pk[:, :, :0], pv[:, :, :0], frame_mask=mask)
    assert rel_err(no_past, torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)) <= 1e-5


def test_gelu_tanh_fast_cpu_forms_match_the_tanh_form():
    x = torch.cat([torch.linspace(-8, 8, 4001), torch.tensor([-1e30, -60.0, 60.0, 1e30])])
    exact = torch.nn.functional.gelu(x, approximate="tanh")
    assert (ops.gelu_tanh(x) - exact).abs().max() <= 1e-6            # fp32: the sigmoid form, in place
    assert torch.isnan(ops.gelu_tanh(torch.tensor([float("nan")]))).all()
    g = x[:4001].clone().requires_grad_()
    assert torch.equal(ops.gelu_tanh(g), exact[:4001])               # autograd: the tanh form itself
    fast = ops.gelu_tanh(x.bfloat16()).float()
    rounded = torch.nn.functional.gelu(x.bfloat16(), approximate="tanh").float()
    assert (fast - exact).abs().max() <= (rounded - exact).abs().max() + 1e-3


@pytest.mark.parametrize("shape", [(2, 3, 64, 128), (1, 2, 7, 40), (3, 1, 1, 16)])
def test_modulate_and_gated_residual(shape):
    x, y = torch.randn(*shape, device=DEV), torch.randn(*shape, device=DEV)
    m = torch.randn(shape[0], shape[1], 1, shape[3], device=DEV)
    out = poisoned(shape)
    assert rel_err(KM.modulate(x, m, 0.5 * m, out=out), KM.modulate_ref(x, m, 0.5 * m)) <= 1e-4
    assert not out.isnan().any()
    out = poisoned(shape)
    assert rel_err(KM.gated_residual(x, y, m, out=out), KM.gated_residual_ref(x, y, m)) <= 1e-5


@pytest.mark.parametrize("B,N,D,K", [(3, 64, 128, 4), (2, 37, 48, 3), (1, 5, 16, 1)])
def test_compress_matches_reference(B, N, D, K):
    x, sh, sc = torch.randn(B, N, D, device=DEV), torch.randn(B, D, device=DEV), 0.1 * torch.randn(B, D, device=DEV)
    q, w, b = torch.randn(K, D, device=DEV), torch.randn(D, D, device=DEV) / D ** 0.5, torch.randn(D, device=DEV)
    out = poisoned((B, K, D))
    o = KC.compress(x, sh, sc, q, w, b, out=out)
    assert not o.isnan().any() and rel_err(o, KC.compress_ref(x, sh, sc, q, w, b)) <= 1e-4


def test_compress_matches_the_model_module():
    """The kernel computes exactly what the memory module computes."""
    from playground.model.memory import FrameCompressor
    torch.manual_seed(0)
    m = FrameCompressor(32, 3, 4)
    torch.nn.init.normal_(m.adaLN_modulation[1].weight, std=0.1)
    x, cond = torch.randn(2, 20, 32), torch.randn(2, 32)
    want = m(x, cond)
    shift, scale = m.adaLN_modulation(cond).chunk(2, -1)
    got = KC.compress(x.to(DEV), shift.to(DEV), scale.to(DEV), m.queries.data.to(DEV),
                      m.proj.weight.t().contiguous().to(DEV), m.proj.bias.data.to(DEV))
    assert rel_err(got.cpu(), want.detach()) <= 1e-4


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_attention_bf16_on_gpu():
    q, k, v = (torch.randn(2, 4, L, 64, device="cuda", dtype=torch.bfloat16) for L in (256, 320, 320))
    o = KA.attention(q, k, v, prefix=64, frame_len=64, mode="causal")
    assert rel_err(o, KA.attention_ref(q, k, v, prefix=64, frame_len=64, mode="causal")) <= 3e-2


def test_ops_take_the_torch_path_while_autograd_records():
    """The kernels are forward-only: with Triton forced, a graph-recording call must still
    take the PyTorch path so the gradient reaches every input."""
    with ops.forced_backend("triton"):
        q, k, v = (torch.randn(1, 2, 8, 16, device=DEV, requires_grad=True) for _ in range(3))
        assert not ops.use_triton(q, k, v)
        ops.attention(q, k, v, mode="causal").sum().backward()
        assert all(t.grad is not None and t.grad.abs().sum() > 0 for t in (q, k, v))
        with torch.no_grad():
            assert ops.use_triton(q, k, v)
