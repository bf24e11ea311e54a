"""The streaming session with small random models (no trained weights needed)."""
import numpy as np
import pytest
import torch

from playground import actions as A
from playground.config import ConfigError
from playground.dream import schedule as S
from playground.dream.guidance import guidance_mask
from playground.dream.session import DreamSession
from playground.dream.settings import SamplerSettings
from playground.model.autoencoder import AEConfig, Autoencoder
from playground.model.dit import DiT, DiTConfig


def random_models(memory_frames=3, max_frames=8):
    torch.manual_seed(0)
    ae = Autoencoder(AEConfig(widths=(16, 16), blocks=1, decoder_blocks=(1, 1)))
    dit = DiT(DiTConfig(dim=32, depth=2, heads=2, max_frames=max_frames, memory_frames=memory_frames))
    for p in dit.parameters():   # adaLN-Zero starts as identity; make every path matter
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.05)
    return dit.eval(), ae.eval()


def context(n=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 255, (1, n, 64, 64, 3), dtype=np.uint8), np.zeros((1, n, 25), np.float32)


def run(sched, actions, seed=0, **opt):
    dit, ae = random_models()
    s = DreamSession(dit, ae, sched, SamplerSettings(**{"world_memory": False, **opt}), seed=seed)
    s.reset(*context())
    return np.stack([s.step(a[None])[0] for a in actions]), s


ACTS = [A.make({"forward"}, yaw=0.2)] * 6


@pytest.mark.parametrize("sched", [S.frame(2, 3), S.progressive(3, 1, 1, 1), S.chunked(2, 2, 2),
                                   S.pyramid(4, 2)], ids=lambda s: s.name)
def test_every_preset_streams_frames(sched):
    frames, s = run(sched, ACTS)
    assert frames.shape == (6, 64, 64, 3) and frames.dtype == np.uint8
    assert s.timings["model_ms"] >= 0


def test_reproducible_from_seed_and_actions():
    a, _ = run(S.progressive(3, 1, 1, 1), ACTS, seed=3)
    b, _ = run(S.progressive(3, 1, 1, 1), ACTS, seed=3)
    c, _ = run(S.progressive(3, 1, 1, 1), ACTS, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_cached_stream_equals_full_recompute():
    """The frame preset with the k/v cache equals recomputing the whole window each call."""
    dit, ae = random_models(memory_frames=0, max_frames=16)
    sched = S.frame(steps=2, context=3)
    sess = DreamSession(dit, ae, sched, SamplerSettings(recondition=False, world_memory=False), seed=1)
    ctx_f, ctx_a = context(4)
    sess.reset(ctx_f, ctx_a)
    cached = [sess.step(a[None])[0] for a in ACTS[:3]]
    # Reference: keep every clean latent, feed the whole history each call.
    ref = DreamSession(dit, ae, sched, SamplerSettings(recondition=False, world_memory=False), seed=1)
    ref.reset(ctx_f, ctx_a)
    lat = ref.ae.encode(torch.as_tensor(ctx_f[0]).permute(0, 3, 1, 2).float() / 127.5 - 1)[None]
    lats, acts = list(lat[0]), [torch.zeros(25)] * 4
    x = ref.s.noisy.clone()
    out = []
    for a in ACTS[:3]:
        a = torch.as_tensor(a)
        for r in range(sched.calls):
            lv = torch.tensor(sched.levels[r, -1:])
            hist = torch.stack(lats, 0)[None]
            inp = torch.cat([hist, x], 1)
            levels = torch.cat([torch.zeros(1, hist.shape[1], dtype=torch.long), lv[None]], 1)
            act = torch.stack(acts + [a], 0)[None]
            v, _ = dit(inp, levels, act, positions=torch.arange(inp.shape[1]))
            x = ref._ddim(x, v[:, -1:], lv, torch.tensor(sched.levels[r + 1, -1:]))
        lats.append(x[0, 0]), acts.append(a)
        out.append(ref.ae.decode(x[:, 0]))
        x = torch.randn(x.shape, generator=ref.gen)
    for got, want in zip(cached, out):
        want = ((want[0].permute(1, 2, 0) + 1) * 127.5).round().clamp(0, 255).byte().numpy()
        assert np.abs(got.astype(int) - want.astype(int)).max() <= 1


def test_state_stays_bounded_over_a_long_session():
    dit, ae = random_models(memory_frames=3, max_frames=8)
    s = DreamSession(dit, ae, S.progressive(3, 1, 1, 1), seed=0)
    s.reset(*context(8))
    sizes = []
    for t in range(60):
        s.step(ACTS[0][None])
        sizes.append(s.state_size())
    assert sizes[-1] == sizes[20]
    assert sizes[-1]["bank_frames"] == 3 and sizes[-1]["cache_frames"] <= 8


def test_step_before_reset_is_an_error():
    dit, ae = random_models()
    with pytest.raises(RuntimeError, match="reset"):
        DreamSession(dit, ae, S.frame(2, 3)).step(np.zeros((1, 25), np.float32))


def test_without_the_cache_gives_the_same_stream():
    """Recomputing the whole window every call (no k/v cache) gives the cached result."""
    a, _ = run(S.frame(2, 3), ACTS, seed=2)
    b, _ = run(S.frame(2, 3), ACTS, seed=2, kv_cache=False)
    assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    c, _ = run(S.progressive(3, 1, 1, 1), ACTS, seed=2)
    d, _ = run(S.progressive(3, 1, 1, 1), ACTS, seed=2, kv_cache=False)
    assert np.abs(c.astype(int) - d.astype(int)).max() <= 1


def test_action_guidance_amplifies_only_what_the_action_changes():
    still = [A.zero()] * 4
    plain, _ = run(S.frame(2, 3), still, seed=5)
    guided, _ = run(S.frame(2, 3), still, seed=5, action_guidance=2.0)
    assert np.abs(plain.astype(int) - guided.astype(int)).max() <= 1      # no keys: nothing to amplify
    plain, _ = run(S.frame(2, 3), ACTS, seed=5)
    guided, _ = run(S.frame(2, 3), ACTS, seed=5, action_guidance=2.0)
    assert np.abs(plain.astype(int) - guided.astype(int)).mean() > 1
    uncached, _ = run(S.frame(2, 3), ACTS, seed=5, action_guidance=2.0, kv_cache=False)
    assert np.abs(guided.astype(int) - uncached.astype(int)).max() <= 1


def test_guidance_copies_in_one_sequence_equal_running_the_batch_twice():
    """The session appends no-keys copies of the guided frames to the sequence (DiT
    frame_mask) instead of doubling the batch; the model must give the same v for them."""
    dit, _ = random_models(memory_frames=0)
    torch.manual_seed(1)
    past_x, x = torch.randn(2, 3, 8, 16, 16), torch.randn(2, 3, 8, 16, 16)
    levels = torch.tensor([[0, 500, 900]] * 2)
    acts = torch.randn(2, 3, 25)
    null = acts.clone()
    null[:, 1:] = 0
    _, past = dit(past_x, torch.zeros(2, 3, dtype=torch.long), torch.randn(2, 3, 25))
    v_cond, _ = dit(x, levels, acts, past=past)
    v_null, _ = dit(x, levels, null, past=past)
    seq = torch.cat([x, x[:, 1:]], 1)
    v, _ = dit(seq, torch.cat([levels, levels[:, 1:]], 1), torch.cat([acts, null[:, 1:]], 1),
               positions=torch.tensor([3, 4, 5, 4, 5]), past=past, frame_mask=guidance_mask(3, 1, "cpu"))
    assert torch.allclose(v[:, :3], v_cond, atol=1e-5) and torch.allclose(v[:, 3:], v_null[:, 1:], atol=1e-5)


def test_guidance_min_level_guides_only_the_noisy_calls():
    plain, _ = run(S.frame(2, 3), ACTS, seed=5)
    every, _ = run(S.frame(2, 3), ACTS, seed=5, action_guidance=2.0)
    first, _ = run(S.frame(2, 3), ACTS, seed=5, action_guidance=2.0, guidance_min_level=501)   # levels 999, 500
    with pytest.raises(ConfigError, match="guidance_min_level"):   # above every level: say 0 guidance instead
        SamplerSettings(guidance_min_level=1000)
    assert np.abs(first.astype(int) - plain.astype(int)).mean() > 1
    assert np.abs(first.astype(int) - every.astype(int)).mean() > 1


def test_guidance_on_keys_leaves_turns_alone_and_amplifies_keys():
    turning = [A.make(pitch=1.0, yaw=1.0)] * 4
    plain, _ = run(S.frame(2, 3), turning, seed=5)
    keys_only, _ = run(S.frame(2, 3), turning, seed=5, action_guidance=2.0, guidance_on="keys")
    everything, _ = run(S.frame(2, 3), turning, seed=5, action_guidance=2.0, guidance_on="all")
    assert np.abs(plain.astype(int) - keys_only.astype(int)).max() <= 1     # no key pressed: nothing to amplify
    assert np.abs(plain.astype(int) - everything.astype(int)).max() > 5
    walking, _ = run(S.frame(2, 3), ACTS, seed=5)
    walking_guided, _ = run(S.frame(2, 3), ACTS, seed=5, action_guidance=2.0, guidance_on="keys")
    assert np.abs(walking.astype(int) - walking_guided.astype(int)).mean() > 1


def test_guidance_starts_at_the_first_slot_noisy_enough():
    dit, ae = random_models()
    s = DreamSession(dit, ae, S.progressive(3, 1, 1, 1), SamplerSettings(guidance_min_level=400))
    assert s._guide_from(torch.tensor([0, 333, 666, 999])[1:], n_pending=1) == 2
    assert s._guide_from(torch.tensor([100, 200]), n_pending=0) is None


def test_memory_compresses_clean_frames_not_the_noised_context():
    """Training compresses clean latents; the context is shown noised (context_label)."""
    dit, ae = random_models(max_frames=6)
    sess = DreamSession(dit, ae, S.frame(2, 3, context_label=300), seed=1)
    clean, compressed = [], []
    stabilise, compress = sess._stabilise, dit.compress
    sess._stabilise = lambda lat: clean.append(lat.clone()) or stabilise(lat)
    dit.compress = lambda x0, a: compressed.append(x0[:, 0].clone()) or compress(x0, a)
    sess.reset(*context())
    for a in ACTS:
        sess.step(a[None])
    assert compressed and all(any(torch.equal(x, c[:, i] if c.ndim == 5 else c) for c in clean
                                      for i in range(c.shape[1] if c.ndim == 5 else 1)) for x in compressed)


def test_noised_context_is_reproducible_and_matches_the_uncached_stream():
    sched = S.frame(2, 3, context_label=40)
    a, _ = run(sched, ACTS, seed=6)
    b, _ = run(sched, ACTS, seed=6)
    c, _ = run(sched, ACTS, seed=6, kv_cache=False)
    clean, _ = run(S.frame(2, 3), ACTS, seed=6)
    assert np.array_equal(a, b) and np.abs(a.astype(int) - c.astype(int)).max() <= 1
    assert not np.array_equal(a, clean)


def test_hooks_are_called_at_their_points_and_none_run_when_off():
    from playground.dream.hooks import SamplerHook

    class Log(SamplerHook):
        def __init__(self):
            self.points = []

        def reset(self, session, frames, pitch):
            self.points.append(("reset", frames.shape[0]))

        def begin_tick(self, session, actions):
            self.points.append("begin")

        def before_call(self, session, r, levels):
            self.points.append(("before", r))
            return levels

        def after_call(self, session, r, x, v, levels):
            self.points.append(("after", r, tuple(x.shape) == tuple(v.shape)))

        def end_tick(self, session, actions, frames):
            self.points.append(("end", frames.shape))

    plain, off = run(S.frame(2, 3), ACTS[:2])
    assert off.hooks == []                               # the world memory switched off
    dit, ae = random_models()
    s = DreamSession(dit, ae, S.frame(2, 3), seed=0)     # no settings: plain, no hooks
    assert s.hooks == []
    s.hooks = [log := Log()]
    s.reset(*context())
    hooked = np.stack([s.step(a[None])[0] for a in ACTS[:2]])
    assert np.array_equal(hooked, plain)                 # a hook that changes nothing changes nothing
    tick = ["begin", ("before", 0), ("after", 0, True), ("before", 1), ("after", 1, True), ("end", (1, 64, 64, 3))]
    assert log.points == [("reset", 1)] + tick * 2
    remembers = DreamSession(dit, ae, S.frame(2, 3), SamplerSettings(), seed=0)     # the default settings
    assert [type(h).__name__ for h in remembers.hooks] == ["MemoryWarp"]
    assert DreamSession(dit, ae, S.progressive(3, 1, 1, 1), SamplerSettings()).hooks == []   # one slot only


def test_latent_sessions_show_each_rows_context_at_its_own_level():
    dit, _ = random_models()
    s = DreamSession(dit, None, S.frame(2, 3), seed=0)
    lat = torch.randn(2, 4, dit.cfg.in_channels, *dit.cfg.input_size)
    s.reset_latents(lat, torch.zeros(2, 4, 25), context_levels=torch.tensor([0, 500]))
    shown = torch.stack([c[0] for c in s.s.cached], 1)               # (B, T, C, h, w) as context
    assert torch.equal(shown[0], lat[0, -len(s.s.cached):])           # level 0: exactly the latents
    assert not torch.allclose(shown[1], lat[1, -len(s.s.cached):])   # level 500: noised
    nxt = s.step_latent(torch.zeros(2, 25))
    assert nxt.shape == lat[:, 0].shape and torch.isfinite(nxt).all()


def test_the_world_memory_hook_draws_every_tick_from_its_picture_and_stays_bounded():
    from playground.dream.memory_warp import MemoryWarp
    dit, ae = random_models()
    s = DreamSession(dit, ae, S.frame(2, 3), SamplerSettings(world_memory=True), seed=0)
    assert [type(h) for h in s.hooks] == [MemoryWarp]
    s.reset(*context())
    hook = s.hooks[0]
    for a in [A.make({"forward"})] * 3 + [A.make(set(), yaw=0.5)] * 3 + [A.zero()] * 2:
        s.step(a[None])
        assert "memory_ms" in s.timings
    assert hook.pictured is not None                       # standing still: the picture covers the view
    sizes = s.state_size()
    assert 0 < sizes["memory_points"] <= hook.memory.capacity
    plain = DreamSession(dit, ae, S.frame(2, 3), SamplerSettings(world_memory=False))
    assert "memory_points" not in (plain.reset(*context()) or plain.state_size())


def test_guided_copies_get_their_frames_further_inputs():
    from playground.dream.guidance import guided_forward
    got = {}

    def forward(x, levels, actions, positions=None, memory=None, past=None, frame_mask=None, render=None):
        got["render"], got["x"] = render, x
        return torch.zeros_like(x), []
    x, render = torch.randn(1, 3, 2, 4, 4), torch.arange(3.0).view(1, 3, 1, 1, 1).expand(1, 3, 3, 4, 4)
    guided_forward(forward, x, torch.zeros(1, 3, dtype=torch.long), torch.zeros(1, 3, 25), torch.arange(3),
                   guide_from=1, weight=2.0, frame_inputs={"render": render})
    assert got["x"].shape[1] == 5 and got["render"][0, :, 0, 0, 0].tolist() == [0, 1, 2, 1, 2]
