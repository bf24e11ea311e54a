"""The turn warp: turning in place redraws the turned picture (dream/turn_warp.py)."""
import numpy as np
import pytest
import torch

from playground import actions as A
from playground.config import ConfigError
from playground.dream import schedule as S
from playground.dream import turn_warp, tuning
from playground.dream.session import DreamSession
from playground.dream.settings import SamplerSettings
from playground.model.autoencoder import AEConfig, Autoencoder
from playground.model.dit import DiT, DiTConfig
from playground.voxel import VoxelWorld

TURN, WALK = A.make(yaw=1.0), A.make({"forward"})


def models():
    torch.manual_seed(0)
    ae = Autoencoder(AEConfig(widths=(16, 16), blocks=1, decoder_blocks=(1, 1)))
    dit = DiT(DiTConfig(dim=32, depth=2, heads=2, max_frames=8, memory_frames=0))
    for p in dit.parameters():   # adaLN-Zero starts as identity; make every path matter
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.05)
    return dit.eval(), ae.eval()


def session(level, sched=None, batch=1, calls=None):
    dit, ae = models()
    if calls is not None:   # count the DiT calls
        forward = dit.forward
        dit.forward = lambda *a, **k: (calls.append(a[0].shape[1]), forward(*a, **k))[1]
    s = DreamSession(dit, ae, sched or S.frame(steps=2, context=3), SamplerSettings(turn_warp_level=level), seed=5)
    world = VoxelWorld()
    first = np.stack([world.reset(1_000_950 + i) for i in range(batch)])
    s.reset(np.repeat(first[:, None], 3, 1), np.zeros((batch, 3, 25), np.float32), pitch=world.player.pitch)
    return s, world


def test_the_composite_takes_the_warp_where_seen_and_the_guess_elsewhere():
    warped, guess = torch.ones(1, 8, 16, 16), torch.zeros(1, 8, 16, 16)
    seen = np.zeros((1, 64, 64), bool)
    seen[:, :, :32] = True
    seen[:, :, 32:34] = True                      # half of latent column 8
    out = turn_warp.composite(warped, seen, guess)
    assert (out[..., :8] == 1).all() and (out[..., 8] == 0.5).all() and (out[..., 9:] == 0).all()


def test_turns_in_place_are_camera_turns_without_a_move():
    acts = np.stack([TURN, WALK, A.make(pitch=1.0), A.zero(), A.make({"forward"}, yaw=1.0), A.make({"jump"}, yaw=1.0)])
    assert turn_warp.turns_in_place(acts).tolist() == [True, False, True, False, False, False]


def test_only_ticks_that_turn_in_place_are_warped_at_no_extra_model_call():
    calls_on, calls_off = [], []
    on, _ = session(350, calls=calls_on)
    off, _ = session(0, calls=calls_off)
    for act in (WALK, A.make({"forward"}, yaw=1.0)):   # moving: as without the warp
        assert np.array_equal(on.step(act[None]), off.step(act[None]))
    a, b = on.step(TURN[None]), off.step(TURN[None])
    assert not np.array_equal(a, b) and len(calls_on) == len(calls_off)
    assert on.camera_pitch.shape == (1,) and on.timings["warp_ms"] > 0


def test_rows_that_do_not_turn_are_untouched_in_a_batch():
    on, _ = session(350, batch=2)
    off, _ = session(0, batch=2)
    acts = np.stack([TURN, WALK])
    a, b = on.step(acts), off.step(acts)
    assert not np.array_equal(a[0], b[0])
    assert abs(a[1].astype(int) - b[1].astype(int)).max() <= 1   # same row, batched with another


@pytest.mark.parametrize("sched", [S.progressive(3, 1, 1, 1), S.chunked(2, 2, 2), S.frame(1, 3)],
                         ids=lambda s: s.name)
def test_schedules_without_the_frame_just_shown_ignore_it(sched):
    on, _ = session(350, sched)
    off, _ = session(0, sched)
    for act in (TURN, TURN, WALK):
        assert np.array_equal(on.step(act[None]), off.step(act[None]))


def test_the_level_is_checked_and_the_checkpoint_recommends_it():
    opts = SamplerSettings()
    assert opts.resolved(tuning.SamplerDefaults(turn_warp_level=350)).turn_warp_level == 350
    assert opts.turn_warp_level is None                 # resolving changes nothing it was given
    with pytest.raises(ConfigError, match="turn_warp_level"):
        SamplerSettings(turn_warp_level=1200)
    with pytest.raises(ConfigError, match="turn_warp_level"):
        tuning.SamplerDefaults(turn_warp_level=-1)


def test_the_dream_world_starts_at_the_voxel_views_pitch_and_keeps_it(toy_checkpoint):
    from playground.dream.world import DreamConfig, DreamWorld
    from playground.record.world_spec import build, describe
    world = DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint), sampler=SamplerSettings(turn_warp_level=300)))
    truth = VoxelWorld()
    truth.reset(1_000_952)
    world.reset(1_000_952)
    assert world.session.camera_pitch[0] == pytest.approx(truth.player.pitch)
    world.step(A.make(pitch=-1.0))
    world.set_schedule("frame", steps=3)            # a new session goes on from the same camera
    assert world.session.camera_pitch[0] == pytest.approx(truth.player.pitch - A.MAX_TURN_DEGREES)
    assert world.info()["turn_warp_level"] == 300
    spec = describe(world)
    assert build(spec).settings.turn_warp_level == 300
    older = {"world": "dream", "checkpoint": spec["checkpoint"], "checkpoint_sha256": spec["checkpoint_sha256"],
             "schedule_preset": "frame", "schedule_params": {"steps": 2}, "options": {}}
    assert build(older).settings.turn_warp_level == 0   # a recording from before the warp replays without it
