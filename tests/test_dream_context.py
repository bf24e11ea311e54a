import numpy as np
import torch

from playground.dream.guidance import reference_actions
from playground.model.diffusion import add_noise, alphas_cumprod, ddim_step
from playground.model.dit import DiT, DiTConfig
from playground.train.dream_context import SAMPLER_LEVELS, dream_context


def _model(memory_frames=0, render_input=False):
    torch.manual_seed(0)
    dit = DiT(DiTConfig(in_channels=4, input_size=(4, 4), dim=32, depth=2, heads=2, max_frames=8,
                        memory_frames=memory_frames, render_input=render_input)).eval()
    with torch.no_grad():            # adaLN-Zero starts as the identity: make every block count
        for p in dit.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return dit


def _uncached(dit, abar, x0, levels, actions, dreamed, seed, guidance=0.0, render=None):
    """The same sampling, recomputing the whole prefix for every call (no k/v cache), with
    guidance by a second full call whose newest action is the keys-only reference, and
    each frame's picture `render` (B, T, C + 1, h, w) as its input."""
    g = torch.Generator().manual_seed(seed)
    B, T = x0.shape[:2]
    first = T - 1 - dreamed
    shown = add_noise(abar, x0[:, :first], levels[:, :first], torch.randn(x0[:, :first].shape, generator=g))
    out = x0.clone()
    for j in range(first, T - 1):
        z = torch.randn(x0[:, j:j + 1].shape, generator=g)
        for a, b in zip(SAMPLER_LEVELS[:-1], SAMPLER_LEVELS[1:]):
            lv = torch.cat([levels[:, :j], torch.full((B, 1), a)], 1)
            given = {} if render is None else {"render": render[:, :j + 1]}
            v, _ = dit(torch.cat([shown, z], 1), lv, actions[:, :j + 1], **given)
            if guidance:
                ref = torch.cat([actions[:, :j], reference_actions(actions[:, j:j + 1], "keys")], 1)
                null, _ = dit(torch.cat([shown, z], 1), lv, ref)
                v = v + guidance * (v - null)
            z = ddim_step(abar, z, v[:, -1:], torch.full((B, 1), a), torch.full((B, 1), b))
        out[:, j] = z[:, 0]
        shown = torch.cat([shown, add_noise(abar, z, levels[:, j:j + 1], torch.randn(z.shape, generator=g))], 1)
    return out


def test_dream_context_is_the_frame_sampler_with_its_cache():
    dit, abar = _model(), alphas_cumprod().float()
    B, T = 2, 7
    x0 = torch.randn(B, T, 4, 4, 4)
    levels = torch.tensor([[30] * T, [200] * T])
    actions = torch.randn(B, T, 25)
    with torch.no_grad():
        got = dream_context(dit, x0, levels, actions, 3, seed=5)
        want = _uncached(dit, abar, x0, levels, actions, 3, seed=5)
    torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)
    assert torch.equal(got[:, :3], x0[:, :3]) and torch.equal(got[:, -1], x0[:, -1])   # real frames kept
    assert not torch.allclose(got[:, 3:6], x0[:, 3:6])                                   # the dreamed ones


def test_dream_context_one_frame_and_memory():
    dit = _model(memory_frames=2)
    x0, actions = torch.randn(1, 4, 4, 4, 4), torch.zeros(1, 4, 25)
    levels = torch.zeros(1, 4, dtype=torch.long)
    bank = dit.compress(torch.randn(1, 2, 4, 4, 4), torch.zeros(1, 2, 25))
    a = dream_context(dit, x0, levels, actions, 1, bank, seed=1)
    b = dream_context(dit, x0, levels, actions, 1, None, seed=1)
    assert torch.equal(a[:, [0, 1, 3]], x0[:, [0, 1, 3]]) and not torch.allclose(a[:, 2], b[:, 2])  # memory is used


def test_dream_batches_train_only_the_frame_after_the_dreamed_context():
    from playground.train.dit import DiTTrainConfig, make_batch_fn, make_loss_fn
    lat = np.random.default_rng(0).standard_normal((3, 20, 4, 4, 4)).astype(np.float16)
    acts = np.zeros((3, 20, 25), np.float32)
    cfg = DiTTrainConfig(model=DiTConfig(in_channels=4, input_size=(4, 4), dim=32, depth=1, heads=2, max_frames=6),
                         clip=6, memory_prob=0.0, dream_prob=1.0, dream_frames=9)
    b = make_batch_fn(lat, acts, cfg, "cpu")(np.random.default_rng(0), 0)
    assert 1 <= int(b["dreamed"]) <= 4                       # at most clip - 2: one real frame stays in front
    w = b["weight"].numpy()
    assert (w[:, -1] == 1).all() and (w[:, :-1] == 0).all()
    assert (b["levels"][:, :-1] <= cfg.levels.max_context_level).all()
    loss, _ = make_loss_fn(alphas_cumprod().float())(_model(), b)
    loss.backward()
    assert torch.isfinite(loss)


def test_guided_dream_context_is_the_guided_sampler():
    dit, abar = _model(), alphas_cumprod().float()
    B, T = 2, 6
    x0, actions = torch.randn(B, T, 4, 4, 4), torch.randn(B, T, 25)
    levels = torch.full((B, T), 60)
    with torch.no_grad():
        got = dream_context(dit, x0, levels, actions, 2, seed=3, guidance=2.0, guidance_on="keys")
        want = _uncached(dit, abar, x0, levels, actions, 2, seed=3, guidance=2.0)
        plain = dream_context(dit, x0, levels, actions, 2, seed=3)
    torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(got[:, 3:5], plain[:, 3:5])        # guidance changed the dreamed frames


def test_a_render_input_model_dreams_with_each_frames_picture():
    dit, abar = _model(render_input=True), alphas_cumprod().float()
    B, T = 2, 7
    x0, actions = torch.randn(B, T, 4, 4, 4), torch.randn(B, T, 25)
    render = torch.randn(B, T, 5, 4, 4)
    levels = torch.tensor([[30] * T, [200] * T])
    with torch.no_grad():
        got = dream_context(dit, x0, levels, actions, 3, seed=5, render=render)
        want = _uncached(dit, abar, x0, levels, actions, 3, seed=5, render=render)
        blind = dream_context(dit, x0, levels, actions, 3, seed=5)
    torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)
    assert not torch.allclose(got[:, 3:6], blind[:, 3:6])          # the pictures were used
    assert torch.equal(got[:, :3], x0[:, :3]) and torch.equal(got[:, -1], x0[:, -1])
