"""Loading the public 500M Minecraft world model's layout (OASIS.md), at reduced size."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.torch import save_file

from playground.checkpoint import CheckpointError
from playground.dream.load import load_dream
from playground.dream.oasis import load_public_dit
from playground.model.dit import DiT, DiTConfig
from playground.model.presets import PRESETS
from playground.model.vit_autoencoder import ViTAEConfig, ViTAutoencoder

# Same head size (64) and rotary sizes as the real model; fewer, narrower blocks and a small grid.
SMALL_DIT = DiTConfig(in_channels=16, input_size=(4, 8), patch=2, dim=128, depth=2, heads=2,
                      max_frames=8, spatial_max_freq=256.0, memory_frames=0)
SMALL_VAE = ViTAEConfig(image_size=(80, 160), dim=128, heads=2, encoder_depth=1, decoder_depth=2)


def public_state_dict(dit: DiT) -> dict:
    """Our DiT's tensors under the public names, plus the shared rotary tensors."""
    sd = {k: v.clone() for k, v in dit.state_dict().items()}
    sd["spatial_rotary_emb.freqs"] = dit.spatial_rotary.freqs.float().clone()
    sd["temporal_rotary_emb.freqs"] = dit.temporal_rotary.freqs.float().clone()
    for i in range(dit.cfg.depth):
        sd[f"blocks.{i}.s_attn.rotary_emb.freqs"] = sd["spatial_rotary_emb.freqs"].clone()
        sd[f"blocks.{i}.t_attn.rotary_emb.freqs"] = sd["temporal_rotary_emb.freqs"].clone()
    return sd


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    torch.manual_seed(0)
    d = tmp_path_factory.mktemp("public")
    dit = DiT(SMALL_DIT)
    for p in dit.parameters():
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.05)
    save_file(public_state_dict(dit), str(d / "dit.safetensors"))
    vae = ViTAutoencoder(SMALL_VAE)
    save_file({k: v.contiguous() for k, v in vae.state_dict().items()}, str(d / "vae.safetensors"))
    return d / "dit.safetensors", d / "vae.safetensors", dit


def test_preset_matches_the_public_layout():
    cfg = PRESETS["oasis-500m"]
    assert (cfg.dim, cfg.depth, cfg.heads, cfg.patch, cfg.in_channels, cfg.input_size, cfg.max_frames) == \
        (1024, 16, 16, 2, 16, (18, 32), 32)
    assert cfg.tokens_per_frame == 144
    dit = DiT(cfg)
    shapes = {k: tuple(v.shape) for k, v in dit.state_dict().items()}
    assert shapes["x_embedder.proj.weight"] == (1024, 16, 2, 2)
    assert shapes["t_embedder.mlp.0.weight"] == (1024, 256)
    assert shapes["external_cond.weight"] == (1024, 25)
    assert shapes["blocks.15.s_attn.to_qkv.weight"] == (3072, 1024)
    assert shapes["blocks.15.t_adaLN_modulation.1.weight"] == (6144, 1024)
    assert shapes["final_layer.linear.weight"] == (64, 1024)
    assert shapes["final_layer.adaLN_modulation.1.weight"] == (2048, 1024)
    assert sum(1 for k in shapes if k.startswith("blocks.0.")) == 20 - 2  # 20 per block minus 2 rotary
    assert 600e6 < sum(v.numel() for v in dit.state_dict().values()) < 620e6
    vae = ViTAutoencoder(ViTAEConfig())
    assert tuple(vae.state_dict()["predictor.weight"].shape) == (1200, 1024)
    assert 220e6 < sum(v.numel() for v in vae.state_dict().values()) < 235e6


def test_public_files_load_through_the_one_loader(files):
    dit_path, vae_path, dit = files
    loaded, vae, info = load_dream(dit_path, vae=vae_path, image_size=(80, 160))
    assert loaded.cfg.depth == 2 and loaded.cfg.dim == 128 and vae.cfg.grid == (4, 8)
    for k, v in dit.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)
    assert len(info["vae_sha256"]) == 64


def test_public_dit_without_vae_says_what_to_pass(files):
    with pytest.raises(CheckpointError, match="--vae"):
        load_dream(files[0])


def test_mismatched_file_is_a_clear_error(files, tmp_path):
    dit_path, _, dit = files
    sd = public_state_dict(dit)
    sd.pop("blocks.1.t_mlp.fc2.bias")
    sd["external_cond.weight"] = torch.zeros(128, 24)
    save_file(sd, str(tmp_path / "bad.safetensors"))
    with pytest.raises(CheckpointError, match=r"missing tensors: blocks\.1\.t_mlp\.fc2\.bias.*mis-shaped"):
        load_public_dit(tmp_path / "bad.safetensors", SMALL_DIT)


def test_wrong_rotary_frequencies_are_refused(files, tmp_path):
    sd = public_state_dict(files[2])
    sd["temporal_rotary_emb.freqs"] = sd["temporal_rotary_emb.freqs"] * 2
    save_file(sd, str(tmp_path / "rot.safetensors"))
    with pytest.raises(CheckpointError, match="rotary"):
        load_public_dit(tmp_path / "rot.safetensors")


def test_reduced_model_plays_end_to_end_from_a_prompt_image(files, tmp_path):
    from playground import actions as A
    from playground.dream.world import DreamConfig, DreamWorld
    img = tmp_path / "shot.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (300, 500, 3), dtype=np.uint8)).save(img)
    world = DreamWorld(DreamConfig(checkpoint=str(files[0]), vae=str(files[1]), prompt_image=str(img),
                                   image_size=(80, 160),
                                   sampler={"schedule_params": {"steps": 3, "context_label": 15}}))
    first = world.reset(1)
    assert first.shape == (80, 160, 3)
    frames = [world.step(A.make({"forward"}, yaw=0.3)) for _ in range(3)]
    assert frames[-1].shape == (80, 160, 3) and frames[-1].dtype == np.uint8


# ---- an independent forward written from the facts in OASIS.md ------------------------
def _rot_half(x):
    x1, x2 = x[..., 0::2], x[..., 1::2]
    return torch.stack((-x2, x1), -1).flatten(-2)


def _rope(x, ang):
    return x * ang.cos() + _rot_half(x) * ang.sin()


def reference_forward(sd, cfg: DiTConfig, x, t, a):
    B, T, C, H, W = x.shape
    D, nh, p = cfg.dim, cfg.heads, cfg.patch
    hd = D // nh
    h = F.conv2d(x.flatten(0, 1), sd["x_embedder.proj.weight"], sd["x_embedder.proj.bias"], stride=p)
    gh, gw = h.shape[-2:]
    h = h.permute(0, 2, 3, 1).reshape(B, T, gh, gw, D)
    half = 128
    freqs = torch.exp(-math.log(10000) * torch.arange(half) / half)
    args = t.float()[..., None] * freqs
    temb = torch.cat([args.cos(), args.sin()], -1)
    temb = F.linear(F.silu(F.linear(temb, sd["t_embedder.mlp.0.weight"], sd["t_embedder.mlp.0.bias"])),
                    sd["t_embedder.mlp.2.weight"], sd["t_embedder.mlp.2.bias"])
    c = temb + F.linear(a, sd["external_cond.weight"], sd["external_cond.bias"])       # (B, T, D)
    # Spatial rotary: pixel freqs linspace(1, max_freq/2, hd/4) * pi, positions linspace(-1, 1).
    f = torch.linspace(1, cfg.spatial_max_freq / 2, hd // 4) * math.pi
    ah = (torch.linspace(-1, 1, gh)[:, None] * f).repeat_interleave(2, -1)
    aw = (torch.linspace(-1, 1, gw)[:, None] * f).repeat_interleave(2, -1)
    s_ang = torch.cat([ah[:, None].expand(gh, gw, -1), aw[None].expand(gh, gw, -1)], -1)  # (gh, gw, hd)
    tf = 1.0 / 10000 ** (torch.arange(0, hd, 2).float() / hd)
    t_ang = (torch.arange(T).float()[:, None] * tf).repeat_interleave(2, -1)             # (T, hd)

    def ln(z):
        return F.layer_norm(z, (D,), eps=1e-6)

    def attn(z, pre, ang, causal):              # z (N, L, D), ang (L, hd)
        q, k, v = F.linear(z, sd[pre + ".to_qkv.weight"]).chunk(3, -1)
        q, k, v = (u.reshape(u.shape[0], u.shape[1], nh, hd).transpose(1, 2) for u in (q, k, v))
        q, k = _rope(q, ang), _rope(k, ang)
        s = q @ k.transpose(-1, -2) / math.sqrt(hd)
        if causal:
            s = s.masked_fill(torch.ones(s.shape[-1], s.shape[-1]).triu(1).bool(), float("-inf"))
        o = (s.softmax(-1) @ v).transpose(1, 2).reshape(z.shape)
        return F.linear(o, sd[pre + ".to_out.weight"], sd[pre + ".to_out.bias"])

    def mlp(z, pre):
        return F.linear(F.gelu(F.linear(z, sd[pre + ".fc1.weight"], sd[pre + ".fc1.bias"]), approximate="tanh"),
                        sd[pre + ".fc2.weight"], sd[pre + ".fc2.bias"])

    for i in range(cfg.depth):
        for kind in ("s", "t"):
            pre = f"blocks.{i}.{kind}_"
            m = F.linear(F.silu(c), sd[pre + "adaLN_modulation.1.weight"], sd[pre + "adaLN_modulation.1.bias"])
            sh1, sc1, g1, sh2, sc2, g2 = (u[:, :, None, None] for u in m.chunk(6, -1))
            z = ln(h) * (1 + sc1) + sh1                                                   # (B, T, gh, gw, D)
            if kind == "s":
                out = attn(z.reshape(B * T, gh * gw, D), pre + "attn", s_ang.reshape(gh * gw, hd), False)
                out = out.reshape(B, T, gh, gw, D)
            else:
                zz = z.permute(0, 2, 3, 1, 4).reshape(B * gh * gw, T, D)
                out = attn(zz, pre + "attn", t_ang, True).reshape(B, gh, gw, T, D).permute(0, 3, 1, 2, 4)
            h = h + g1 * out
            h = h + g2 * mlp(ln(h) * (1 + sc2) + sh2, pre + "mlp")
    m = F.linear(F.silu(c), sd["final_layer.adaLN_modulation.1.weight"], sd["final_layer.adaLN_modulation.1.bias"])
    sh, sc = (u[:, :, None, None] for u in m.chunk(2, -1))
    out = F.linear(ln(h) * (1 + sc) + sh, sd["final_layer.linear.weight"], sd["final_layer.linear.bias"])
    out = out.reshape(B, T, gh, gw, p, p, C)                                              # (p q c)
    return torch.einsum("bthwpqc->btchpwq", out).reshape(B, T, C, gh * p, gw * p)


def test_forward_agrees_with_the_step_by_step_reference(files):
    _, _, dit = files
    torch.manual_seed(1)
    x = torch.randn(2, 5, 16, 4, 8)
    t = torch.randint(0, 1000, (2, 5))
    a = torch.rand(2, 5, 25)
    with torch.no_grad():
        ours, _ = dit.eval()(x, t, a)
        ref = reference_forward(dit.state_dict(), dit.cfg, x, t, a)
    assert (ours - ref).abs().max() < 1e-4 * max(1.0, ref.abs().max().item())
