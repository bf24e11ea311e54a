"""A random agent in both worlds, same seed, same actions: prints returns and how far the
dream's frames drift from the ground truth.

    python -m playground.examples.random_agent --steps 100
"""
import argparse

import gymnasium as gym
import numpy as np

import playground  # noqa: F401  (registers the envs)
from playground.envs.tasks import SkyReward
from playground.eval.metrics import psnr


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--seed", type=int, default=1_000_123)
    p.add_argument("--checkpoint", default=None)
    args = p.parse_args(argv)
    truth = gym.make("playground/VoxelWorld-v0", action_mode="discrete", reward_fn=SkyReward())
    dream = gym.make("playground/WorldModel-v0", action_mode="discrete", reward_fn=SkyReward(),
                     checkpoint=args.checkpoint)
    o1, _ = truth.reset(seed=args.seed)
    o2, _ = dream.reset(seed=args.seed)
    rng = np.random.default_rng(0)
    returns, drift = [0.0, 0.0], []
    for _ in range(args.steps):
        a = int(rng.integers(truth.action_space.n))
        o1, r1, *_ = truth.step(a)
        o2, r2, *_ = dream.step(a)
        returns[0] += r1
        returns[1] += r2
        drift.append(float(psnr(o1, o2)))
    print(f"random agent, {args.steps} steps, seed {args.seed}")
    print(f"  return (sky reward): voxel {returns[0]:.2f}   dream {returns[1]:.2f}")
    print(f"  dream vs voxel PSNR: first 16 steps {np.mean(drift[:16]):.1f} dB, last 16 {np.mean(drift[-16:]):.1f} dB")


if __name__ == "__main__":
    main()
