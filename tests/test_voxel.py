import numpy as np
import pytest

from playground import actions as A
from playground.policies import script
from playground.voxel import VoxelConfig, VoxelWorld
from playground.rules import blocks as B
from playground.voxel.terrain import HEIGHT, generate_chunk
from playground.world import World, WorldError


def run(seed, n=40, policy="explore"):
    w = VoxelWorld()
    frames = [w.reset(seed)]
    for a in script(policy, np.random.default_rng(seed), n):
        frames.append(w.step(a))
    return np.stack(frames), w


def test_is_a_world_and_frames_are_uint8():
    w = VoxelWorld()
    assert isinstance(w, World)
    f = w.reset(1)
    assert f.shape == (64, 64, 3) and f.dtype == np.uint8 and w.frame_shape == (64, 64, 3)


def test_same_seed_same_actions_identical_frames():
    a, _ = run(11)
    b, _ = run(11)
    assert np.array_equal(a, b)


def test_advance_ends_where_stepping_one_by_one_ends():
    frames, stepped = run(11)
    w = VoxelWorld()
    w.reset(11)
    last = w.advance(list(script("explore", np.random.default_rng(11), 40)))
    assert np.array_equal(last, frames[-1]) and w.tick == 40
    assert w.info() == stepped.info() and w.state()["edited"] == stepped.state()["edited"]


def test_different_seed_different_world():
    a, _ = run(11, n=1)
    b, _ = run(12, n=1)
    assert not np.array_equal(a[0], b[0])


def test_step_before_reset_is_a_clear_error():
    with pytest.raises(WorldError, match="reset"):
        VoxelWorld().step(A.zero())


def test_depth_is_how_far_each_pixel_is():
    w = VoxelWorld()
    with pytest.raises(WorldError, match="reset"):
        w.depth()
    w.reset(3)
    d = w.depth()
    assert d.shape == (64, 64) and d.dtype == np.float64
    assert np.isinf(d[:4]).all()                                     # the sky above (see the frame test)
    assert np.isfinite(d[-4:]).all() and (d[-4:] > 1).all() and (d[-4:] < w.config.camera.far).all()


def test_a_block_looks_the_same_whichever_region_holds_it():
    # The region is re-centred at every chunk the player crosses; shading once hashed region
    # indices, which re-drew every texture and cloud there. A wider region starts a chunk
    # further out: the same view must not change.
    narrow, wide = VoxelWorld(), VoxelWorld(VoxelConfig(region_radius=3))
    for seed in (1_000_051, 7):
        assert narrow.reset(seed) is not None and wide.reset(seed) is not None
        assert narrow.store.origin != wide.store.origin
        for a in script("explore", np.random.default_rng(seed), 40):
            assert np.array_equal(narrow.step(a), wide.step(a))


def test_terrain_is_deterministic_and_varied():
    c1, c2 = generate_chunk(5, 3, -2), generate_chunk(5, 3, -2)
    assert np.array_equal(c1, c2) and c1.shape == (16, HEIGHT, 16)
    kinds = set()
    for cx in range(-6, 6):
        for cz in range(-6, 6):
            kinds |= set(np.unique(generate_chunk(5, cx * 7, cz * 7)).tolist())
    for block in (B.GRASS, B.DIRT, B.STONE, B.SAND, B.WATER, B.WOOD, B.LEAVES):
        assert block in kinds, B.NAMES[block]


def test_frame_shows_sky_and_ground():
    w = VoxelWorld()
    f = w.reset(3).astype(int)
    top, bottom = f[:4].reshape(-1, 3).mean(0), f[-4:].reshape(-1, 3).mean(0)
    assert top[2] > top[0] + 40        # blue sky above
    assert not (bottom[2] > bottom[0] + 40)  # not sky below


def test_walking_moves_and_turning_turns():
    w = VoxelWorld()
    w.reset(4)
    p0, yaw0 = np.array(w.info()["position"]), w.info()["yaw"]
    for _ in range(20):
        w.step(A.make({"forward"}))
    assert np.linalg.norm(np.array(w.info()["position"])[[0, 2]] - p0[[0, 2]]) > 1.0
    w.step(A.make(yaw=1.0))
    assert (w.info()["yaw"] - yaw0) % 360 == pytest.approx(A.MAX_TURN_DEGREES)


def test_gravity_and_jump():
    w = VoxelWorld()
    w.reset(4)
    for _ in range(5):
        w.step(A.zero())
    y0 = w.info()["position"][1]
    w.step(A.make({"jump"}))
    ys = [w.step(A.zero()) is not None and w.info()["position"][1] for _ in range(20)]
    assert max(ys) > y0 + 0.8
    assert ys[-1] == pytest.approx(y0, abs=1e-3)


def test_break_and_place_blocks():
    w = VoxelWorld()
    w.reset(4)
    for _ in range(9):
        w.step(A.make(pitch=1.0))          # look straight down
    w.step(A.zero())
    x, y, z = (int(np.floor(c)) for c in w.info()["position"])
    below = (x, y - 1, z)
    assert w.store.get(*below) != B.AIR
    w.step(A.make({"attack"}))
    assert w.store.get(*below) == B.AIR


def test_place_block_from_hotbar():
    w = VoxelWorld()
    w.reset(4)
    w.step(A.zero())
    p = w.player
    x, y, z = (int(np.floor(c)) for c in p.pos)
    p.yaw, p.pitch = 0.0, 0.0              # facing +z, level
    for dz in (1, 2, 3):
        w.store.set(x, y + 1, z + dz, B.AIR)
    w.store.set(x, y + 1, z + 2, B.STONE)  # a block at eye height, two ahead
    w.step(A.make({"hotbar.4"}))
    w.step(A.make({"use"}))
    assert w.store.get(x, y + 1, z + 1) == B.HOTBAR[3]


def test_sneak_does_not_walk_off_edges():
    w = VoxelWorld()
    w.reset(4)
    x, y, z = (int(np.floor(c)) for c in w.player.pos)
    # Dig a pit in front of the player, then sneak towards it.
    for dx in range(-3, 4):
        for dz in range(1, 6):
            for dy in range(1, 4):
                w.store.set(x + dx, y - dy, z + dz, B.AIR)
    w.player.yaw = 0.0  # facing +z
    for _ in range(60):
        w.step(A.make({"forward", "sneak"}))
    assert w.player.pos[1] == pytest.approx(y, abs=1e-3)


def test_resolution_and_fov_are_configurable():
    w = VoxelWorld(VoxelConfig.make(width=96, height=48, fov=90))
    assert w.reset(1).shape == (48, 96, 3)


def test_long_walk_keeps_memory_bounded():
    w = VoxelWorld()
    w.reset(2)
    for _ in range(400):
        w.step(A.make({"forward", "sprint"}))
    assert len(w.store.chunks) <= 9 * 9
