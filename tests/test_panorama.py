"""The panorama: turns are redrawn from the views shown since the camera last moved (dream/panorama.py)."""
import numpy as np

from playground import actions as A
from playground.dream.panorama import MAX_VIEWS, NEW_SHARE, Panorama, stays
from playground.voxel import VoxelWorld
from playground.camera import FOV_DEGREES, CameraModel, fill_unseen, reproject

RIGHT, LEFT, WALK = A.make(yaw=1.0), A.make(yaw=-1.0), A.make({"forward"})
FOV = FOV_DEGREES
CAMERA = CameraModel()


def start(seed=1_000_953):
    world = VoxelWorld()
    first = world.reset(seed)
    return world, first, Panorama(first[None], np.array([world.player.pitch]), CAMERA)


def blurred(frame):
    """A stand-in for a dreamed frame: the world's, visibly wrong."""
    return (frame // 2 + 60).astype(np.uint8)


def turn(world, pano, action):
    """One tick: the panorama's turned view, then the world's frame shown as the dream's."""
    view, seen = pano.turned(np.array([0]), action[None])
    truth = world.step(action)
    pano.advance(action[None], blurred(truth)[None])
    return view[0], seen[0], truth


def test_only_turns_and_no_ops_keep_the_camera_in_place():
    acts = np.stack([RIGHT, A.make(pitch=-1.0), A.zero(), WALK, A.make({"jump"}), A.make({"attack"}, yaw=1.0)])
    assert stays(acts).tolist() == [True, True, True, False, False, False]


def test_turning_back_draws_the_first_view_again_not_the_dreams_copies():
    world, first, pano = start()
    for action in (RIGHT,) * 4:
        turn(world, pano, action)
    assert len(pano.views[0]) == 2                    # 40 degrees: one turned frame joined
    for action in (LEFT,) * 3:
        turn(world, pano, action)
    view, seen, truth = turn(world, pano, LEFT)        # back where it started
    assert seen.all() and np.array_equal(view, first)  # not the blurred frames shown since
    assert np.array_equal(truth, first)                # the world agrees: a turn has no parallax


def test_each_pixel_comes_from_the_oldest_view_that_saw_it():
    world, first, pano = start()
    turn(world, pano, RIGHT)
    view, seen, truth = turn(world, pano, RIGHT)       # 20 degrees: the first view saw the left part
    from_first = reproject(first, (0.0, world.player.pitch), (20.0, world.player.pitch), FOV)[1]
    only_shown = seen & ~from_first
    assert from_first[:, :24].all() and only_shown.any()
    err = abs(view.astype(int) - truth.astype(int)).max(-1)
    assert np.median(err[from_first]) == 0             # the world's own picture, turned
    assert np.median(err[only_shown]) > 10             # the (blurred) frame shown last fills the rest


def test_moving_starts_the_panorama_again_from_the_frame_shown_after_it():
    world, first, pano = start()
    turn(world, pano, RIGHT)
    turn(world, pano, WALK)
    assert len(pano.views[0]) == 1 and pano.pose[0, 0] == 0.0
    assert np.array_equal(pano.views[0][0][0], pano.shown[0])


def test_a_frame_joins_when_enough_of_it_is_new_and_the_views_are_bounded():
    world, first, pano = start()
    pano.max_views = 3
    counts = []
    for _ in range(20):
        turn(world, pano, RIGHT)
        counts.append(len(pano.views[0]))
    assert counts[:3] == [1, 1, 2]                     # 30 degrees of 70 is new: >= NEW_SHARE
    assert 30 / 70 >= NEW_SHARE > 20 / 70
    assert max(counts) == 3 and MAX_VIEWS >= 360 / 10 / 3


def test_without_kept_views_a_turn_is_redrawn_from_the_frame_just_shown():
    world = VoxelWorld()
    first = world.reset(1_000_951)
    pitch = world.player.pitch
    pano = Panorama(first[None], np.array([pitch]), CAMERA, max_views=0)
    shown = blurred(world.step(RIGHT))
    pano.advance(RIGHT[None], shown[None])
    views, seen = pano.turned(np.array([0]), RIGHT[None])
    view, saw = reproject(shown, (10.0, pitch), (20.0, pitch), FOV)
    assert pano.views[0] == [] and np.array_equal(seen[0], saw)
    assert np.array_equal(views[0], fill_unseen(view, saw, shown, "edge"))


def test_the_pose_follows_the_actions_and_pitch_stops_at_the_poles():
    frames = np.zeros((3, 8, 8, 3), np.uint8)
    pano = Panorama(frames, np.array([0.0, 85.0, -3.0]), CAMERA)
    acts = np.stack([RIGHT, A.make(pitch=1.0), A.zero()])
    pano.advance(acts, frames)
    assert pano.pitch.tolist() == [0, 89, -3] and pano.pose[:, 0].tolist() == [10, 0, 0]
    pano.advance(np.stack([WALK, WALK, LEFT]), frames)      # moving: yaw counts from the new first view
    assert pano.pose[:, 0].tolist() == [0, 0, 350] and pano.pitch.tolist() == [0, 89, -3]


def test_the_session_checks_the_number_of_views_and_old_recordings_replay_without_them(toy_checkpoint):
    import pytest

    from playground.config import ConfigError
    from playground.dream.settings import SamplerSettings
    from playground.dream.world import DreamConfig, DreamWorld
    from playground.record.world_spec import build, describe
    for bad in (-1, 2.5, True):
        with pytest.raises(ConfigError, match="panorama_views"):
            SamplerSettings(panorama_views=bad)
    world = DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint)))
    world.reset(1_000_954)
    spec = describe(world)
    assert build(spec).settings.panorama_views == MAX_VIEWS
    older = {"world": "dream", "checkpoint": spec["checkpoint"], "checkpoint_sha256": spec["checkpoint_sha256"],
             "schedule_preset": "frame", "schedule_params": {"steps": 2}, "options": {"turn_warp_level": 300}}
    assert build(older).settings.panorama_views == 0   # recorded before the panorama: replays without it
