import gymnasium as gym
import numpy as np

import playground  # noqa: F401
from playground.envs.tasks import MarkerTask, MotionReward, SkyReward, sky_fraction


def test_sky_reward_sees_sky_not_ground():
    env = gym.make("playground/VoxelWorld-v0", action_mode="discrete", reward_fn=SkyReward())
    obs, _ = env.reset(seed=26)
    assert 0.05 < sky_fraction(obs) < 0.95
    up = [env.step(7)[1] for _ in range(8)]         # look_up
    down = [env.step(8)[1] for _ in range(16)]      # look_down
    assert up[-1] > down[-1]


def test_motion_reward():
    m = MotionReward()
    a = np.zeros((4, 4, 3), np.uint8)
    assert m(a, None, {}) == 0.0 and m(a + 10, None, {}) > 0


def test_marker_task_places_a_marker_and_ends_there():
    env = MarkerTask(gym.make("playground/VoxelWorld-v0", action_mode="discrete"))
    obs, info = env.reset(seed=3)
    assert 6 <= info["marker_distance"] <= 11
    world = env.unwrapped.world
    world.player.pos[[0, 2]] = info["marker"]
    world.player.pos[0] += 1.0
    _, r, term, _, info = env.step(0)
    assert term and r == 1.0


def test_examples_run(toy_checkpoint, capsys):
    from playground.examples import dream_to_voxel, random_agent
    random_agent.main(["--steps", "3", "--checkpoint", str(toy_checkpoint)])
    assert "return (sky reward)" in capsys.readouterr().out
    dream_to_voxel.main(["--iterations", "1", "--envs", "2", "--horizon", "3", "--checkpoint", str(toy_checkpoint)])
    out = capsys.readouterr().out
    assert "iteration   1" in out and "after training" in out
