"""The turn-following ceiling: exact re-projection of the start frame under a camera turn."""
import numpy as np
import pytest

from playground import actions as A
from playground.eval.reprojection import ReprojectionTurns, following_ceiling, reproject
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
