"""The turn-following ceiling: exact re-projection of the start frame under a camera turn."""
import numpy as np
import pytest

from playground import actions as A
from playground.eval.reprojection import (ExactGeometry, ReprojectionTurns, following_ceiling, gaussian_blur,
                                          geometry_ceiling, reproject)
from playground.eval.rollouts import action_following
from playground.voxel import VoxelWorld


def test_reprojection_turns_the_start_frame_as_the_world_does():
    world, dream = VoxelWorld(), ReprojectionTurns("edge")
    assert (dream.reset(1_000_900) == world.reset(1_000_900)).all()
    assert (dream.step(A.zero()) == world.step(A.zero())).all()      # no turn: the start frame itself
    truth = world.step(A.make(yaw=1.0))                                # 10 degrees right
    dream.step(A.make(yaw=1.0))
    frame, seen = reproject(dream.start, dream.start_pose, dream.pose, 70.0)
    # Turning right brings new ground in from the right edge; the left half was all in view.
    assert seen[:, :32].all() and seen[:, -4:].mean() < 0.5
    err = abs(frame.astype(int) - truth.astype(int)).max(-1)[seen]
    assert np.median(err) == 0 and err.mean() < 8                      # nearest-pixel resampling only


@pytest.mark.parametrize("fill", ["rowmean", "edge"])
def test_every_pixel_is_filled_and_the_eval_runs_on_it(fill):
    dream = ReprojectionTurns(fill)
    dream.reset(1_000_901)
    frame = dream.step(A.make(yaw=1.0))
    assert frame.shape == (64, 64, 3) and frame.dtype == np.uint8
    r = action_following(dream, [1_000_901], steps=3, pairs=(("turn_left", "turn_right"), ("still", "turn_right")),
                         progress=False)
    assert r["by_script"]["still"] == 1.0            # it holds still exactly, as the world does
    assert r["by_script"]["turn_left"] == 1.0        # three ticks in, nearly all of the view is known


def test_following_ceiling_reports_both_turns_per_fill():
    out = following_ceiling([1_000_901], steps=3)
    assert set(out) == {"rowmean", "edge"}
    for r in out.values():
        assert set(r) == {"turn_left", "turn_right", "mean"} and 0 <= r["mean"] <= 1


def test_unknown_fill_is_refused():
    with pytest.raises(ValueError, match="fill must be"):
        ReprojectionTurns("blur")
    with pytest.raises(ValueError, match="fill must be"):
        ExactGeometry("blur")
    with pytest.raises(ValueError, match="sigma"):
        ExactGeometry("edge", blur=-1)


def test_exact_geometry_turns_as_the_turn_ceiling_does():
    moving, turning = ExactGeometry("edge"), ReprojectionTurns("edge")
    assert (moving.reset(1_000_901) == turning.reset(1_000_901)).all()
    for a in [A.make(yaw=1.0)] * 4 + [A.make(yaw=-0.5, pitch=0.5)] * 2 + [A.zero()]:
        assert (moving.step(a) == turning.step(a)).all()


def test_exact_geometry_walks_as_the_world_does():
    world, dream = VoxelWorld(), ExactGeometry("edge")
    start = world.reset(1_000_901)
    dream.reset(1_000_901)
    for _ in range(8):
        truth, frame = world.step(A.make({"forward"})), dream.step(A.make({"forward"}))
    assert np.linalg.norm(world.player.pos - dream.hidden.player.pos) == 0
    # Closer to the walked view than the start frame is: what it redraws has moved as the world did.
    err = abs(frame.astype(int) - truth.astype(int)).mean()
    assert err < 0.7 * abs(start.astype(int) - truth.astype(int)).mean()


def test_gaussian_blur_keeps_flat_frames_and_softens_edges():
    flat = np.full((8, 8, 3), 77, np.uint8)
    assert (gaussian_blur(flat, 1.0) == flat).all()
    edge = np.zeros((8, 8, 3), np.uint8)
    edge[:, 4:] = 200
    out = gaussian_blur(edge, 1.0)
    assert out.dtype == np.uint8 and 0 < out[0, 3, 0] < 100 < out[0, 4, 0] < 200


def test_geometry_ceiling_rates_every_script():
    r = geometry_ceiling([1_000_901], steps=3)
    assert set(r["by_script"]) == {"turn_left", "turn_right", "walk", "still"} and 0 <= r["rate"] <= 1
    assert r["by_script"]["still"] == 1.0
