"""The shipped checkpoint: loads by default, is the `tiny` preset, plays, passes check_env."""
import json

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env

import playground  # noqa: F401
from playground.dream.load import SHIPPED, load_dream
from playground.model.presets import PRESETS


def test_shipped_checkpoint_is_small_and_the_tiny_preset():
    assert SHIPPED.exists() and SHIPPED.stat().st_size < 30 * 2**20
    dit, ae, info = load_dream()
    assert dit.cfg == PRESETS["tiny"] and ae.cfg.image_size == (64, 64)
    assert info["extra"]["dit_train"]["steps"] > 0


def test_check_env_with_the_shipped_checkpoint():
    env = gym.make("playground/WorldModel-v0")
    check_env(env.unwrapped)
    o1, _ = env.reset(seed=1_000_321)
    o2, _ = gym.make("playground/VoxelWorld-v0").reset(seed=1_000_321)
    assert np.array_equal(o1, o2)


def test_play_defaults_to_the_dream(capsys):
    from playground.cli import main
    assert main(["play", "--headless", "--ticks", "10", "--seed", "3"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["info"]["world"] == "dream" and summary["ticks"] == 10
