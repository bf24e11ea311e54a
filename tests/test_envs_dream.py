"""WorldModel-v0 and its natively batched vector env, on a small random checkpoint."""
import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import playground  # noqa: F401
from playground.envs.dream_vector_env import WorldModelVectorEnv


def test_check_env_and_same_start_as_voxel(toy_checkpoint):
    env = gym.make("playground/WorldModel-v0", checkpoint=str(toy_checkpoint))
    check_env(env.unwrapped)
    voxel = gym.make("playground/VoxelWorld-v0")
    assert env.observation_space == voxel.observation_space and env.action_space == voxel.action_space
    o1, _ = env.reset(seed=5)
    o2, _ = voxel.reset(seed=5)
    assert np.array_equal(o1, o2)
    o, r, term, trunc, info = env.step(env.action_space.sample())
    assert o.shape == (64, 64, 3) and o.dtype == np.uint8 and r == 0.0
    assert all(isinstance(v, (int, float, str, bool, list, dict, type(None))) for v in info.values())


def test_discrete_mode_and_reward_hook(toy_checkpoint):
    env = gym.make("playground/WorldModel-v0", checkpoint=str(toy_checkpoint), action_mode="discrete",
                   reward_fn=lambda obs, a, info: float(obs.mean() > -1), max_episode_steps=2)
    env.reset(seed=1)
    _, r, _, trunc1, _ = env.step(1)
    _, _, _, trunc2, _ = env.step(2)
    assert r == 1.0 and not trunc1 and trunc2


def test_make_vec_uses_one_batched_model(toy_checkpoint):
    envs = gym.make_vec("playground/WorldModel-v0", num_envs=3, checkpoint=str(toy_checkpoint),
                        max_episode_steps=3)
    assert isinstance(envs.unwrapped, WorldModelVectorEnv)
    assert envs.metadata["autoreset_mode"] == gym.vector.AutoresetMode.NEXT_STEP
    obs, info = envs.reset(seed=10)
    assert obs.shape == (3, 64, 64, 3) and obs.dtype == np.uint8
    single = gym.make("playground/VoxelWorld-v0")
    assert np.array_equal(obs[1], single.reset(seed=11)[0])
    truncs = []
    for _ in range(4):
        obs, rew, term, trunc, info = envs.step(envs.action_space.sample())
        truncs.append(trunc.copy())
    assert truncs[2].all() and not truncs[3].any()        # ends at step 3, autoreset on step 4
    assert (info["tick"] == 0).all()
    world = envs.unwrapped.world                          # one model and one session for the batch
    assert world.session.dit is world.dit and world.session.s.noisy.shape[0] == 3


def test_per_env_reset_mask(toy_checkpoint):
    envs = WorldModelVectorEnv(num_envs=2, checkpoint=str(toy_checkpoint))
    envs.reset(seed=0)
    for _ in range(3):
        envs.step(envs.action_space.sample())
    obs, info = envs.reset(seed=[7, 8], options={"reset_mask": [False, True]})
    assert info["tick"].tolist() == [3, 0]
    assert np.array_equal(obs[1], gym.make("playground/VoxelWorld-v0").reset(seed=8)[0])
    obs, *_ = envs.step(envs.action_space.sample())
    assert obs.shape == (2, 64, 64, 3)


def test_vector_env_is_deterministic(toy_checkpoint):
    def run():
        envs = WorldModelVectorEnv(num_envs=2, checkpoint=str(toy_checkpoint))
        envs.reset(seed=3)
        acts = np.zeros((2, 25), np.float32)
        acts[:, 11] = 1
        return np.stack([envs.step(acts)[0] for _ in range(3)])
    assert np.array_equal(run(), run())


def test_voxel_vector_env_shapes():
    envs = gym.make_vec("playground/VoxelWorld-v0", num_envs=2)
    obs, _ = envs.reset(seed=1)
    assert obs.shape == (2, 64, 64, 3)


def test_missing_checkpoint_is_a_clear_error(tmp_path):
    from playground.checkpoint import CheckpointError
    with pytest.raises(CheckpointError, match="not found"):
        gym.make("playground/WorldModel-v0", checkpoint=str(tmp_path / "none.safetensors"))


@pytest.mark.parametrize("context", [0, -1, 2.5, True])
def test_a_context_that_is_not_a_positive_whole_number_is_refused(context):
    from playground.config import ConfigError
    with pytest.raises(ConfigError, match="context_frames"):
        gym.make("playground/WorldModel-v0", sampler={"context_frames": context})


def test_the_vector_env_refuses_a_short_context_it_cannot_hold(toy_checkpoint):
    from playground.dream.schedule import ScheduleError
    with pytest.raises(ScheduleError, match="full context"):
        gym.make_vec("playground/WorldModel-v0", num_envs=2, checkpoint=toy_checkpoint,
                     sampler={"context_frames": 2})


def test_the_vector_env_picks_the_faster_precision_for_its_batch(toy_checkpoint, monkeypatch):
    import gymnasium as gym
    from playground import device
    import torch
    monkeypatch.setattr(device, "native_bf16_cpu", lambda: True)
    small = gym.make_vec("playground/WorldModel-v0", num_envs=2, checkpoint=str(toy_checkpoint), device="cpu")
    large = gym.make_vec("playground/WorldModel-v0", num_envs=4, checkpoint=str(toy_checkpoint), device="cpu")
    forced = gym.make_vec("playground/WorldModel-v0", num_envs=4, checkpoint=str(toy_checkpoint), device="cpu",
                          sampler={"bf16": False})
    assert not small.unwrapped.settings.bf16 and large.unwrapped.settings.bf16
    assert not forced.unwrapped.settings.bf16
    assert device.fast_bf16(torch.device("cpu"), 8) and not device.fast_bf16(torch.device("cpu"), 1)


def test_a_cpu_without_native_bf16_keeps_fp32_at_any_batch(toy_checkpoint, monkeypatch):
    import gymnasium as gym
    from playground import device
    import torch
    monkeypatch.setattr(device, "native_bf16_cpu", lambda: False)
    large = gym.make_vec("playground/WorldModel-v0", num_envs=4, checkpoint=str(toy_checkpoint), device="cpu")
    assert not large.unwrapped.settings.bf16
    assert not device.fast_bf16(torch.device("cpu"), 8)


def test_native_bf16_follows_the_cpus_capabilities(monkeypatch):
    import torch
    from playground.device import native_bf16_cpu
    for caps, native in (({"avx512_bf16": True}, True), ({"amx_bf16": True, "avx512_bf16": False}, True),
                         ({"avx2": True, "avx512_bf16": False}, False), ({}, False)):
        monkeypatch.setattr(torch.cpu, "get_capabilities", lambda caps=caps: caps, raising=False)
        assert native_bf16_cpu() is native


def test_vector_env_with_the_world_memory_restarts_rows(toy_checkpoint):
    envs = WorldModelVectorEnv(num_envs=2, checkpoint=str(toy_checkpoint), sampler={"world_memory": True})
    envs.reset(seed=0)
    for _ in range(2):
        envs.step(envs.action_space.sample())
    hook = envs.world.session.hooks[0]
    obs, info = envs.reset(seed=[5, 6], options={"reset_mask": [True, False]})
    assert info["tick"].tolist() == [0, 2]
    assert len(hook.memory.clouds[0]) > 0 and hook.tracker.players[0].pos.tolist() == [0.0, 0.0, 0.0]
    obs, *_ = envs.step(envs.action_space.sample())
    assert obs.shape == (2, 64, 64, 3)
