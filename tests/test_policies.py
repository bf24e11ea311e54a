"""Scripted policies: deterministic per generator, valid actions, and the steady policy's
exact held spans (what the exploring policy's camera jitter never shows)."""
import numpy as np
import pytest

from playground import actions as A
from playground.policies import script


@pytest.mark.parametrize("name", ["explore", "revisit", "steady", "stroll", "walk", "still"])
def test_deterministic_valid_and_exact_length(name):
    a = np.stack(script(name, np.random.default_rng(5), 200))
    b = np.stack(script(name, np.random.default_rng(5), 200))
    assert a.shape == (200, 25) and np.array_equal(a, b)
    A.validate(a)


def test_steady_holds_exact_actions():
    acts = np.stack(script("steady", np.random.default_rng(0), 4000))
    keys = acts[:, [A.INDEX[k] for k in ("forward", "back", "left", "right")]]
    yaw, pitch = acts[:, A.YAW], acts[:, A.PITCH]
    still = ~acts.any(1)
    straight = (keys[:, 0] == 1) & (yaw == 0) & (pitch == 0)
    assert still.mean() > 0.1 and straight.mean() > 0.1          # both common, and exact
    hops = acts[keys[:, 0] == 1, A.INDEX["jump"]]
    assert 0.05 < hops.mean() < 0.25       # walks hop every few ticks, so steps do not stop them
    # Spans: the camera rate only changes between spans, never tick to tick as jitter.
    changes = np.count_nonzero(np.diff(yaw)) + np.count_nonzero(np.diff(pitch))
    assert changes < 4000 / 6
    turning = (yaw != 0) & (keys.sum(1) == 0)
    assert turning.mean() > 0.05 and set(np.sign(yaw[turning])) == {-1.0, 1.0}


def test_steady_keeps_the_view_near_level():
    pitch = np.stack(script("steady", np.random.default_rng(3), 5000))[:, A.PITCH]
    level = np.cumsum(pitch * A.MAX_TURN_DEGREES)
    assert np.abs(level).max() <= 60
