"""Train a PPO agent (Stable-Baselines3) to look at the sky, in the voxel world or in the dream.

    pip install stable-baselines3
    python examples/sb3_ppo.py --steps 2048                      # the voxel world
    python examples/sb3_ppo.py --world dream --steps 512          # the shipped dream model

The reward is computed from the picture alone (playground.envs.tasks.SkyReward), so a policy
trained in one world can be tested in the other. Discrete macro-actions keep the policy small.
"""
from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import playground  # noqa: F401  (registers the environments)
from playground.envs.tasks import SkyReward


def make(world: str) -> gym.Env:
    name = "playground/VoxelWorld-v0" if world == "voxel" else "playground/WorldModel-v0"
    return gym.make(name, action_mode="discrete", reward_fn=SkyReward(), max_episode_steps=128)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--world", choices=("voxel", "dream"), default="voxel")
    p.add_argument("--steps", type=int, default=2048, help="environment steps to train for")
    p.add_argument("--out", default=None, help="save the policy here (a .zip)")
    a = p.parse_args(argv)
    try:
        from stable_baselines3 import PPO
    except ImportError:
        raise SystemExit("this example needs Stable-Baselines3: pip install stable-baselines3")
    env = make(a.world)
    model = PPO("CnnPolicy", env, n_steps=min(256, a.steps), batch_size=64, n_epochs=2, verbose=0, seed=0)
    model.learn(total_timesteps=a.steps)
    obs, _ = env.reset(seed=1_000_000)
    rewards = []
    for _ in range(64):
        action, _ = model.predict(obs, deterministic=True)
        obs, reward, terminated, truncated, _ = env.step(action)
        rewards.append(reward)
        if terminated or truncated:
            break
    print(f"mean sky fraction over {len(rewards)} ticks of a held-out world: {np.mean(rewards):.3f}")
    if a.out:
        model.save(a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
