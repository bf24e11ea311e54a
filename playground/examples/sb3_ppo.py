"""Train a PPO agent (Stable-Baselines3) in the dream, then test it in the real voxel world.

    pip install -e '.[agents]'
    python -m playground.examples.sb3_ppo --steps 2048

The task is to look at the sky (playground.envs.tasks.SkyReward): its reward is computed
from the picture alone, so the same policy runs in the dream it learnt in and in the voxel
world that dream imitates. Training steps one model for all envs (playground.envs.sb3);
the policy is then run on the same held-out world seeds in both worlds, and both returns
are printed: how far the dream's lesson carries over to the world.
"""
from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import playground  # noqa: F401  (registers the environments)
from playground.envs.tasks import SkyReward

SEEDS = range(1_000_000, 1_000_004)   # held-out worlds (training data uses seeds below 1,000,000)


def episode_return(model, env: gym.Env, seed: int) -> float:
    obs, _ = env.reset(seed=seed)
    total, done = 0.0, False
    while not done:
        action, _ = model.predict(obs, deterministic=True)
        obs, reward, terminated, truncated, _ = env.step(action)
        total, done = total + float(reward), terminated or truncated
    return total


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2048, help="environment steps to train for (all envs)")
    p.add_argument("--envs", type=int, default=4, help="dream envs stepped together by one model")
    p.add_argument("--episode", type=int, default=64, help="ticks per episode")
    p.add_argument("--checkpoint", default=None, help="dream checkpoint (default: the shipped one)")
    p.add_argument("--out", default=None, help="save the policy here (a .zip)")
    a = p.parse_args(argv)
    try:
        from stable_baselines3 import PPO
    except ImportError:
        raise SystemExit("this example needs Stable-Baselines3: pip install -e '.[agents]'")
    from playground.envs.sb3 import dream_vec_env
    common = dict(action_mode="discrete", reward_fn=SkyReward(), max_episode_steps=a.episode)
    dream = {"checkpoint": a.checkpoint} if a.checkpoint else {}
    venv = dream_vec_env(num_envs=a.envs, **common, **dream)
    n_steps = max(8, min(128, a.steps // a.envs))
    model = PPO("CnnPolicy", venv, n_steps=n_steps, batch_size=min(64, n_steps * a.envs), n_epochs=2,
                verbose=0, seed=0)
    model.learn(total_timesteps=a.steps, progress_bar=False)
    worlds = {"dream": gym.make("playground/WorldModel-v0", **common, **dream),
              "voxel world": gym.make("playground/VoxelWorld-v0", **common)}
    for name, env in worlds.items():
        returns = [episode_return(model, env, s) for s in SEEDS]
        print(f"{name:>12}: mean return {np.mean(returns):6.2f} over {len(returns)} held-out worlds "
              f"({a.episode} ticks each)")
    if a.out:
        model.save(a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
