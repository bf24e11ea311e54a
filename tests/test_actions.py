import numpy as np
import pytest

from playground import actions as A


def test_layout_matches_public_schema():
    assert A.ACTION_DIM == 25
    assert A.INDEX["inventory"] == 0 and A.INDEX["ESC"] == 1
    assert [A.INDEX[f"hotbar.{k}"] for k in range(1, 10)] == list(range(2, 11))
    assert (A.INDEX["forward"], A.INDEX["back"], A.INDEX["left"], A.INDEX["right"]) == (11, 12, 13, 14)
    assert (A.PITCH, A.YAW) == (15, 16)
    assert [A.INDEX[n] for n in ("jump", "sneak", "sprint", "swapHands", "attack", "use",
                                 "pickItem", "drop")] == list(range(17, 25))


def test_make_and_pressed_round_trip():
    a = A.make({"forward", "jump", "hotbar.3"}, pitch=-0.25, yaw=0.5)
    assert a.dtype == np.float32 and a.shape == (25,)
    assert A.pressed(a) == {"forward", "jump", "hotbar.3"}
    assert a[A.PITCH] == -0.25 and a[A.YAW] == 0.5
    assert A.hotbar_slot(a) == 2
    assert "forward" in A.describe(a)


def test_zero_is_noop():
    assert not A.zero().any() and A.pressed(A.zero()) == set()


@pytest.mark.parametrize("bad", [
    np.full(25, np.nan), np.r_[np.zeros(15), 1.5, 0, np.zeros(8)], np.zeros(24),
    np.r_[np.zeros(11), -1, np.zeros(13)], np.r_[np.zeros(16), np.inf, np.zeros(8)]])
def test_validate_rejects_bad_vectors(bad):
    with pytest.raises(A.ActionError):
        A.validate(bad)


def test_unknown_button_names_the_known_ones():
    with pytest.raises(A.ActionError, match="forward"):
        A.make({"fly"})


def test_camera_degrees_clamp_is_documented_behaviour():
    a = A.from_camera_degrees(d_pitch=5, d_yaw=-45)
    assert a[A.PITCH] == pytest.approx(0.5) and a[A.YAW] == -1.0


def test_batch_validation():
    assert A.validate(np.zeros((3, 7, 25))).shape == (3, 7, 25)
