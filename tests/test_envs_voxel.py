import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import playground  # noqa: F401  (registers the envs)
from playground import actions as A
from playground.envs.spaces import MACRO_NAMES, to_schema


@pytest.mark.parametrize("mode", ["vector", "discrete"])
def test_check_env(mode):
    env = gym.make("playground/VoxelWorld-v0", action_mode=mode)
    check_env(env.unwrapped, skip_render_check=False)
    assert env.observation_space.shape == (64, 64, 3) and env.observation_space.dtype == np.uint8


def test_seeded_reset_is_deterministic_and_seeds_differ():
    env = gym.make("playground/VoxelWorld-v0")
    o1, _ = env.reset(seed=7)
    acts = [env.action_space.sample() for _ in range(10)]
    t1 = [env.step(a)[0] for a in acts]
    o2, _ = env.reset(seed=7)
    t2 = [env.step(a)[0] for a in acts]
    assert np.array_equal(o1, o2) and all(np.array_equal(a, b) for a, b in zip(t1, t2))
    o3, _ = env.reset(seed=8)
    assert not np.array_equal(o1, o3)


def test_info_is_plain_python():
    env = gym.make("playground/VoxelWorld-v0")
    _, info = env.reset(seed=1)
    _, _, _, _, info = env.step(env.action_space.sample())
    for v in info.values():
        assert isinstance(v, (int, float, str, bool, list)), type(v)


def test_reward_hook_and_time_limit():
    calls = []

    def reward(obs, action, info):
        calls.append(action)
        return 1.5

    env = gym.make("playground/VoxelWorld-v0", reward_fn=reward, max_episode_steps=3)
    env.reset(seed=1)
    out = [env.step(env.action_space.sample()) for _ in range(3)]
    assert [o[1] for o in out] == [1.5] * 3 and out[-1][3] is True and len(calls) == 3
    assert calls[0].shape == (25,)


def test_vector_actions_threshold_buttons_and_discrete_macros():
    a = np.zeros(25, np.float32)
    a[A.INDEX["forward"]], a[A.INDEX["jump"]], a[A.YAW] = 0.9, 0.2, -0.3
    s = to_schema(a, "vector")
    assert A.pressed(s) == {"forward"} and s[A.YAW] == pytest.approx(-0.3)
    assert A.pressed(to_schema(MACRO_NAMES.index("forward_jump"), "discrete")) == {"forward", "jump"}


def test_bad_vector_actions_say_what_is_wrong():
    with pytest.raises(A.ActionError, match=r"got shape \(3,\)"):
        to_schema(np.zeros(3), "vector")
    a = np.zeros(25, np.float32)
    a[A.INDEX["jump"]], a[A.YAW] = np.nan, np.inf
    with pytest.raises(A.ActionError, match="not finite: camera_yaw, jump"):
        to_schema(a, "vector")


def test_bad_discrete_actions_are_refused():
    assert A.pressed(to_schema(np.array(MACRO_NAMES.index("forward_jump")), "discrete")) == {"forward", "jump"}
    for bad in (-1, len(MACRO_NAMES), 3.7, True):
        with pytest.raises(A.ActionError, match="an integer in"):
            to_schema(bad, "discrete")


def test_keys_to_action_for_gymnasium_play():
    env = gym.make("playground/VoxelWorld-v0", action_mode="discrete")
    mapping = env.unwrapped.get_keys_to_action()
    assert mapping[("w",)] == MACRO_NAMES.index("forward")
    env = gym.make("playground/VoxelWorld-v0")
    assert A.pressed(env.unwrapped.get_keys_to_action()[("w",)]) == {"forward"}


def test_sync_vector_env():
    envs = gym.make_vec("playground/VoxelWorld-v0", num_envs=2, vectorization_mode="sync")
    obs, _ = envs.reset(seed=3)
    assert obs.shape == (2, 64, 64, 3) and obs.dtype == np.uint8
    obs, *_ = envs.step(envs.action_space.sample())
    assert obs.shape == (2, 64, 64, 3)
