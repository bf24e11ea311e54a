"""The world memory's hook: every tick's last call starts from the memory's picture (dream/memory_warp.py)."""
import numpy as np
import pytest
import torch

from playground import actions as A
from playground.camera import CameraModel
from playground.config import ConfigError
from playground.dream import memory_warp
from playground.dream import schedule as S
from playground.dream.pose import PoseTracker
from playground.dream.session import DreamSession
from playground.dream.settings import SamplerSettings
from playground.dream.world_memory import Cloud, Drawn, WorldMemory, cell_keys
from playground.model.autoencoder import AEConfig, Autoencoder
from playground.model.dit import DiT, DiTConfig
from playground.voxel import VoxelWorld

WALK, TURN = A.make({"forward"}), A.make(yaw=1.0)


def models():
    torch.manual_seed(0)
    ae = Autoencoder(AEConfig(widths=(16, 16), blocks=1, decoder_blocks=(1, 1)))
    dit = DiT(DiTConfig(dim=32, depth=2, heads=2, max_frames=8, memory_frames=0))
    for p in dit.parameters():   # adaLN-Zero starts as identity; make every path matter
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.05)
    return dit.eval(), ae.eval()


def session(world_memory: bool, sched=None, batch=1, calls=None):
    dit, ae = models()
    if calls is not None:   # count the DiT calls
        forward = dit.forward
        dit.forward = lambda *a, **k: (calls.append(a[0].shape[1]), forward(*a, **k))[1]
    s = DreamSession(dit, ae, sched or S.frame(steps=2, context=3), SamplerSettings(world_memory=world_memory),
                     seed=5)
    world = VoxelWorld()
    first = np.stack([world.reset(1_000_950 + i) for i in range(batch)])
    s.reset(np.repeat(first[:, None], 3, 1), np.zeros((batch, 3, 25), np.float32), pitch=world.player.pitch)
    return s


def test_the_composite_takes_the_picture_where_covered_and_the_guess_elsewhere():
    picture, guess = torch.ones(1, 8, 16, 16), torch.zeros(1, 8, 16, 16)
    covered = np.zeros((1, 64, 64), bool)
    covered[:, :, :32] = True
    covered[:, :, 32:34] = True                   # half of latent column 8
    out = memory_warp.composite(picture, covered, guess)
    assert (out[..., :8] == 1).all() and (out[..., 8] == 0.5).all() and (out[..., 9:] == 0).all()


def test_every_motion_is_drawn_from_the_picture_at_no_extra_model_call():
    calls_on, calls_off = [], []
    on, off = session(True, calls=calls_on), session(False, calls=calls_off)
    for act in (A.zero(), WALK, TURN, A.make({"jump"})):
        a, b = on.step(act[None]), off.step(act[None])
        assert not np.array_equal(a, b)                  # standing, walking, turning, jumping alike
        assert on.hooks[0].pictured is not None and on.timings["memory_ms"] > 0
    assert len(calls_on) == len(calls_off)


def test_the_memory_cost_reported_includes_the_end_of_the_tick(monkeypatch):
    import time
    s = session(True)
    learn = s.hooks[0]._learn
    monkeypatch.setattr(s.hooks[0], "_learn", lambda *a, **k: (time.sleep(0.03), learn(*a, **k))[1])
    s.step(WALK[None])
    assert s.timings["memory_ms"] >= 30          # lifting the shown frame happens after it is shown


def test_a_row_the_picture_does_not_cover_is_drawn_as_usual():
    on, off = session(True, batch=2), session(False, batch=2)
    on.hooks[0].memory.clear(np.array([1]))              # row 1 has shown nothing yet
    a, b = on.step(np.stack([A.zero(), A.zero()])), off.step(np.stack([A.zero(), A.zero()]))
    assert on.hooks[0].pictured[0].tolist() == [0]
    assert not np.array_equal(a[0], b[0])
    assert abs(a[1].astype(int) - b[1].astype(int)).max() <= 1   # same row, batched with another


@pytest.mark.parametrize("sched", [S.progressive(3, 1, 1, 1), S.chunked(2, 2, 2), S.frame(1, 3)],
                         ids=lambda s: s.name)
def test_schedules_without_a_guess_to_complete_the_picture_run_without_it(sched):
    on, off = session(True, sched), session(False, sched)
    assert on.hooks == []
    for act in (TURN, WALK):
        assert np.array_equal(on.step(act[None]), off.step(act[None]))


def test_the_memory_level_is_a_checked_setting_the_hook_uses():
    dit, ae = models()
    s = DreamSession(dit, ae, S.frame(steps=2, context=3), SamplerSettings(memory_level=250))
    assert s.hooks[0].level == 250
    assert SamplerSettings().memory_level == memory_warp.MEMORY_LEVEL
    for bad in (0, 1000, 2.5, "high"):
        with pytest.raises(ConfigError, match="memory_level"):
            SamplerSettings(memory_level=bad)


def test_the_sure_level_is_a_checked_setting_used_only_where_the_picture_is_sure():
    dit, ae = models()
    settings = SamplerSettings(memory_level=500, memory_sure_level=60)
    s = DreamSession(dit, ae, S.frame(steps=2, context=3), settings, seed=5)
    world = VoxelWorld()
    first = np.stack([world.reset(1_000_950 + i) for i in range(2)])
    s.reset(np.repeat(first[:, None], 3, 1), np.zeros((2, 3, 25), np.float32), pitch=world.player.pitch)
    hook, seen = s.hooks[0], []
    before = hook.before_call
    hook.before_call = lambda session, r, levels: (seen.append(before(session, r, levels)), seen[-1])[1]
    s.step(np.stack([A.zero(), TURN]))        # row 0 stands still: its view as it was seen
    assert hook.sure.tolist() == [True, False]
    assert seen[-1][:, -1].tolist() == [60, 500]
    assert SamplerSettings().memory_sure_level is None
    for bad in ({"memory_sure_level": 0}, {"memory_sure_level": 1.5}, {"memory_sure_share": 0.0},
                {"memory_sure_share": 1.5}, {"memory_sure_share": "most"}):
        with pytest.raises(ConfigError, match=next(iter(bad))):
            SamplerSettings(**bad)


@pytest.mark.parametrize("name, goods, bads", [
    ("seen_here", (None, 0.25), (0, -0.5, float("inf"), True, "near")),
    ("max_distance", (16.0, 28.0), (0, -3.0, float("inf"), True, "far"))])
def test_memory_distances_are_checked_settings_the_memory_is_built_with(name, goods, bads):
    dit, ae = models()
    for value in goods:
        s = DreamSession(dit, ae, S.frame(steps=2, context=3), SamplerSettings(**{f"memory_{name}": value}), seed=5)
        s.reset(np.repeat(VoxelWorld().reset(1_000_950)[None, None], 3, 1), np.zeros((1, 3, 25), np.float32))
        assert getattr(s.hooks[0].memory, name) == value
    for bad in bads:
        with pytest.raises(ConfigError, match=f"memory_{name}"):
            SamplerSettings(**{f"memory_{name}": bad})


def test_the_pose_from_depth_tells_the_tracker_the_ground_each_frame_shows():
    dit, ae = models()
    sessions = {}
    for pose in memory_warp.MEMORY_POSES:
        s = DreamSession(dit, ae, S.frame(steps=2, context=3), SamplerSettings(memory_pose=pose), seed=5)
        frame = VoxelWorld().reset(1_000_950)
        s.reset(np.repeat(frame[None, None], 3, 1), np.zeros((1, 3, 25), np.float32))
        s.step(WALK[None])
        sessions[pose] = s
    assert sessions["actions"].hooks[0].tracker.grounds[0].blocks == {}
    assert len(sessions["depth"].hooks[0].tracker.grounds[0].blocks) > 0
    with pytest.raises(ConfigError, match="memory_pose"):
        SamplerSettings(memory_pose="lidar")


def test_with_the_memory_pose_the_player_does_not_walk_into_what_the_memory_shows():
    hook = memory_warp.MemoryWarp(500, CameraModel(), pose="memory")
    hook.tracker, hook.memory = PoseTracker(2, hook.camera), WorldMemory(2, hook.camera)
    hook.tracker.reset_rows(np.arange(2), np.zeros(2))
    wall = np.stack(np.meshgrid(np.linspace(-1, 1, 21), np.linspace(0, 2, 21)), -1).reshape(-1, 2)
    frame = np.full((21, 21, 3), 100, np.uint8)
    # Row 0 has a wall of points 0.5 block ahead (z = 0.5); row 1 has seen nothing.
    xyz = np.stack([wall[:, 0], wall[:, 1], np.full(len(wall), 0.5)], 1).astype(np.float32)
    keys = cell_keys(np.floor(xyz / 0.1))
    order = np.argsort(keys)
    hook.memory.clouds[0] = Cloud(keys[order], xyz[order], frame.reshape(-1, 3)[:len(xyz)][order],
                                  np.full(len(xyz), 0.1, np.float32), np.zeros(len(xyz), np.int64))
    for _ in range(10):
        before = [p.pos.copy() for p in hook.tracker.players]
        hook.tracker.step(np.stack([WALK, WALK]))
        hook._check_steps(before)
    blocked, free = (p.pos[2] for p in hook.tracker.players)
    assert blocked < 0.5 - 0.3 + 1e-6 and free > 1.0      # stopped with its body before the wall


@pytest.mark.parametrize("nearer", ["stay", "step"])
def test_with_the_network_pose_the_guess_settles_a_doubted_step(nearer):
    """A step into the memory's points is undone only when the network's guess is nearer the
    picture without it; the picture used and the tracker follow the choice."""
    hook = memory_warp.MemoryWarp(500, CameraModel(), pose="network")
    hook.tracker = PoseTracker(1, hook.camera)
    hook.tracker.reset_rows(np.arange(1), np.zeros(1))
    hook.tracker.players[0].pos[:] = (0.0, 0.0, 0.2)
    hook.tracker.players[0].vel[:] = (0.0, 0.0, 0.1)
    stay = np.zeros(3)
    gen = torch.Generator().manual_seed(0)
    z_step, z_stay = torch.randn(2, 1, 8, 16, 16, generator=gen)
    covered = np.ones((1, 64, 64), bool)
    covered_stay = np.zeros((64, 64), bool)
    covered_stay[:, :48] = True
    hook.drawn = Drawn(covered.copy(), np.full((1, 64, 64), 5.0, np.float32), np.zeros((1, 64, 64), bool),
                       covered.copy())
    drawn_stay = Drawn(covered_stay, np.where(covered_stay, 4.0, np.inf).astype(np.float32), np.zeros((64, 64), bool),
                       covered_stay.copy())
    hook.sure = np.array([True])
    hook.pictured = np.array([0]), torch.tensor([0]), z_step.clone(), covered.copy()
    hook.alternatives = {0: (z_stay[0], covered_stay, drawn_stay, stay)}
    hook.guess = (z_stay if nearer == "stay" else z_step) + 0.1 * torch.randn(1, 8, 16, 16, generator=gen)
    hook.doubts_judged = hook.doubts_undone = 0
    hook.slot_render = None
    hook._settle_doubts()
    player, (_, _, z, cov) = hook.tracker.players[0], hook.pictured
    assert hook.doubts_judged == 1 and hook.doubts_undone == (nearer == "stay")
    assert hook.sure.tolist() == [nearer != "stay"]     # the picture kept says how sure the row is
    if nearer == "stay":
        assert player.pos[2] == 0.0 and player.vel[2] == 0.0
        assert torch.equal(z[0], z_stay[0]) and (cov[0] == covered_stay).all()
        assert np.array_equal(hook.drawn.covered[0], covered_stay)      # what the frame is learned against
    else:
        assert player.pos[2] == 0.2 and torch.equal(z[0], z_step[0]) and cov.all() and hook.drawn.covered.all()


def test_a_render_input_network_gets_the_picture_as_an_input_every_call():
    """Zero-initialised, the render input changes nothing: the frames are the plain network's
    with the memory; each call sees the pictures of the frame finished last tick and the new one."""
    from dataclasses import replace
    dit, ae = models()
    grown = DiT(replace(dit.cfg, render_input=True)).eval()
    grown.load_state_dict(dit.state_dict(), strict=False)
    seen = []
    forward = grown.forward
    grown.forward = lambda *a, **k: (seen.append(k.get("render")), forward(*a, **k))[1]
    world = VoxelWorld()
    first = world.reset(1_000_950)[None, None].repeat(3, 1)
    runs = []
    for net in (grown, dit):
        s = DreamSession(net, ae, S.frame(steps=2, context=3), SamplerSettings(), seed=5)
        s.reset(first, np.zeros((1, 3, 25), np.float32), pitch=world.player.pitch)
        runs.append(np.stack([s.step(a[None]) for a in (A.zero(), TURN, WALK)]))
    assert np.array_equal(runs[0], runs[1])
    ticks = [r for r in seen if r is not None]
    assert [r.shape[1] for r in ticks] == [1, 1, 2, 1, 2, 1]   # the frame finished last tick joins a first call
    assert ticks[0].shape[2] == dit.cfg.in_channels + 1 and 0.5 < float(ticks[0][0, -1, -1].mean()) <= 1
    assert torch.equal(ticks[2][:, 0], ticks[0][:, 0])   # the finished frame keeps its picture as context


@pytest.mark.parametrize("world_moves", [True, False])
def test_with_the_frames_pose_the_shown_frames_settle_each_step(world_moves):
    """memory_pose "frames": the tick's step is taken again as the frames shown before and
    after it say: kept where the view moved as the rules did, undone where it stood still."""
    from dataclasses import replace
    world = VoxelWorld()
    frame = world.reset(3)
    hook = memory_warp.MemoryWarp(500, CameraModel(), pose="frames")
    hook.tracker = PoseTracker(1, hook.camera)
    hook.tracker.reset_rows(np.arange(1), [world.player.pitch], [world.player.yaw])
    hook.shown, hook.depths = frame[None], world.depth()[None].astype(np.float32)
    start = hook.tracker.players[0]
    hook.stepped_from = [replace(start, pos=start.pos.copy(), vel=start.vel.copy())]
    hook.tracker.step(WALK[None])
    after = world.step(WALK) if world_moves else frame
    hook._check_with_frames(WALK[None], after[None])
    moved = np.linalg.norm(hook.tracker.players[0].pos[[0, 2]])
    assert (moved > 0.05) == world_moves and hook.stepped_from is None
