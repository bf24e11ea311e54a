"""The diagnostic scripts in tools/, on an oracle "dream" (the voxel world itself)."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from playground import actions as A
from playground.eval.rollouts import action_following
from playground.voxel import VoxelWorld

ROOT = Path(__file__).resolve().parents[1]


def load_tool(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name,against", [("turn_left", "turn_right"), ("turn_right", "still")])
def test_progress_of_the_world_itself_keeps_pace(name, against):
    progress = load_tool("progress")
    row = progress.one_seed(VoxelWorld(), VoxelWorld(), seed=1_000_900, steps=5, name=name, against=against)
    assert row["matched_step"] == [1, 2, 3, 4, 5]      # every turned view differs: exact matches
    assert row["wins"] and row["against_wins"]
    assert row["gap_ratio"] == pytest.approx(1.0)
    assert row["world_walked_m"] == pytest.approx(0.0)


def test_progress_of_a_walk_never_runs_ahead_of_the_world():
    progress = load_tool("progress")
    row = progress.one_seed(VoxelWorld(), VoxelWorld(), seed=1_000_900, steps=5)
    # A blocked walk repeats frames and argmin takes the first: matches can only lag.
    assert all(m <= t for t, m in enumerate(row["matched_step"], 1))
    assert row["world_walked_m"] > 0 and row["wins"] and row["against_wins"]


def test_reprojection_turns_the_start_frame_as_the_world_does():
    ceiling = load_tool("following_ceiling")
    world, dream = VoxelWorld(), ceiling.ReprojectionDream("edge")
    assert (dream.reset(1_000_900) == world.reset(1_000_900)).all()
    assert (dream.step(A.zero()) == world.step(A.zero())).all()      # no turn: the start frame itself
    truth = world.step(A.make(yaw=1.0))                                # 10 degrees right
    dream.step(A.make(yaw=1.0))
    frame, seen = ceiling.reproject(dream.start, dream.start_pose, dream.pose, 70.0)
    # Turning right brings new ground in from the right edge; the left half was all in view.
    assert seen[:, :32].all() and seen[:, -4:].mean() < 0.5
    err = abs(frame.astype(int) - truth.astype(int)).max(-1)[seen]
    assert np.median(err) == 0 and err.mean() < 8                      # nearest-pixel resampling only


@pytest.mark.parametrize("fill", ["rowmean", "edge"])
def test_following_ceiling_fills_every_pixel_and_runs_the_eval(fill):
    ceiling = load_tool("following_ceiling")
    dream = ceiling.ReprojectionDream(fill)
    dream.reset(1_000_901)
    frame = dream.step(A.make(yaw=1.0))
    assert frame.shape == (64, 64, 3) and frame.dtype == np.uint8
    r = action_following(dream, [1_000_901], steps=3, pairs=(("turn_left", "turn_right"), ("still", "turn_right")),
                         progress=False)
    assert r["by_script"]["still"] == 1.0            # it holds still exactly, as the world does
    assert r["by_script"]["turn_left"] == 1.0        # three ticks in, nearly all of the view is known
    with pytest.raises(ValueError, match="fill must be"):
        ceiling.ReprojectionDream("blur")
