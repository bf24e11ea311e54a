"""The one camera model (playground/camera.py)."""
import numpy as np
import pytest

from playground import actions as A
from playground import camera
from playground.config import ConfigError


def test_a_ray_projects_back_to_its_own_pixel():
    H, W = 48, 80
    u, v, seen = camera.project(camera.camera_rays(W, H, 70.0), H, W, 70.0)
    assert seen.all()
    assert np.array_equal(u, np.tile(np.arange(W), H)) and np.array_equal(v, np.repeat(np.arange(H), W))


def test_the_view_rotation_is_a_rotation_and_yaw_turns_right():
    R = camera.view_rotation(30.0, -20.0)
    assert np.allclose(R @ R.T, np.eye(3))   # orthonormal (the world is left-handed, as Minecraft's)
    assert np.allclose(camera.view_rotation(0, 0)[:, 2], [0, 0, 1])      # yaw 0 looks along +z
    assert camera.view_rotation(90, 0)[0, 2] < -0.99                   # positive yaw turns towards -x


def test_turns_wrap_yaw_and_stop_pitch_short_of_straight_down():
    a = A.make(yaw=1.0, pitch=1.0)
    assert camera.turned(355.0, 85.0, a) == (5.0, camera.PITCH_LIMIT)
    assert camera.turned(0.0, 0.0, a, turn_degrees=4.0) == (4.0, 4.0)


def test_a_checkpoint_without_a_camera_record_has_the_default_one():
    assert camera.from_checkpoint({"extra": {}}) == camera.CameraModel(camera.FOV_DEGREES, A.MAX_TURN_DEGREES)
    assert camera.from_checkpoint({"extra": {"camera": {"fov_degrees": 90}}}).fov_degrees == 90
    with pytest.raises(ConfigError, match="fov_degrees"):
        camera.CameraModel(fov_degrees=0)
    with pytest.raises(ConfigError):
        camera.from_checkpoint({"extra": {"camera": {"focal": 1}}})
