"""The SB3 adapter over the batched dream, and the PPO example at toy size."""
import numpy as np
import pytest

pytest.importorskip("stable_baselines3")


def test_the_adapter_resets_ended_envs_in_the_step_that_ends_them(toy_checkpoint):
    from stable_baselines3.common.env_checker import check_env  # noqa: F401  (the package is whole)
    from playground.envs.sb3 import dream_vec_env
    venv = dream_vec_env(num_envs=3, checkpoint=str(toy_checkpoint), max_episode_steps=2)
    venv.seed(5)
    first = venv.reset()
    assert first.shape == (3, *venv.observation_space.shape)
    acts = np.stack([venv.action_space.sample() for _ in range(3)])
    venv.step_async(acts)
    _, _, dones, _ = venv.step_wait()
    assert not dones.any()
    venv.step_async(acts)
    obs, rewards, dones, infos = venv.step_wait()
    assert dones.all() and rewards.dtype == np.float32
    assert all(i["TimeLimit.truncated"] and i["terminal_observation"].shape == obs.shape[1:] for i in infos)
    assert np.array_equal(venv.venv.elapsed, np.zeros(3))     # reset at once, as SB3 expects
    venv.close()


def test_the_ppo_example_trains_in_the_dream_and_tests_in_the_world(toy_checkpoint, capsys):
    from playground.examples import sb3_ppo as example
    assert example.main(["--steps", "16", "--envs", "2", "--episode", "4", "--checkpoint", str(toy_checkpoint)]) == 0
    out = capsys.readouterr().out
    assert "dream: mean return" in out and "voxel world: mean return" in out
