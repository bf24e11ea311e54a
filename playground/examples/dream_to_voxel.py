"""Train a policy inside the dream, evaluate it in the voxel world.

REINFORCE (Williams, 1992) with a running baseline; a small CNN policy over the discrete
macro-actions; reward = fraction of sky in view (SkyReward), which both worlds compute
from pixels alone. The dream runs 8 envs as one batch (gymnasium.make_vec).

    python -m playground.examples.dream_to_voxel --iterations 20
"""
import argparse

import gymnasium as gym
import numpy as np
import torch
import torch.nn as nn

import playground  # noqa: F401
from playground.envs.tasks import SkyReward


class Policy(nn.Module):
    def __init__(self, n_actions: int):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, 16, 8, 4), nn.ReLU(), nn.Conv2d(16, 32, 4, 2), nn.ReLU(),
                                 nn.Flatten(), nn.Linear(32 * 6 * 6, 64), nn.ReLU(), nn.Linear(64, n_actions))

    def forward(self, obs):  # (N, 64, 64, 3) uint8 -> logits
        return self.net(torch.as_tensor(obs).permute(0, 3, 1, 2).float() / 255.0)


def evaluate(policy, env_id, episodes, steps, seed, **kw):
    env = gym.make(env_id, action_mode="discrete", reward_fn=SkyReward(), **kw)
    total = []
    for e in range(episodes):
        obs, _ = env.reset(seed=seed + e)
        ret = 0.0
        for _ in range(steps):
            with torch.no_grad():
                a = int(policy(obs[None]).argmax(-1))
            obs, r, *_ = env.step(a)
            ret += r
        total.append(ret)
    return float(np.mean(total))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--iterations", type=int, default=20)
    p.add_argument("--envs", type=int, default=8)
    p.add_argument("--horizon", type=int, default=24)
    p.add_argument("--checkpoint", default=None)
    args = p.parse_args(argv)
    torch.manual_seed(0)
    envs = gym.make_vec("playground/WorldModel-v0", num_envs=args.envs, action_mode="discrete",
                        reward_fn=SkyReward(), checkpoint=args.checkpoint)
    policy = Policy(envs.single_action_space.n)
    opt = torch.optim.Adam(policy.parameters(), lr=3e-4)
    baseline = None
    kw = {"checkpoint": args.checkpoint}
    before_dream = evaluate(policy, "playground/WorldModel-v0", 2, args.horizon, 1_000_900, **kw)
    before_voxel = evaluate(policy, "playground/VoxelWorld-v0", 2, args.horizon, 1_000_900)
    for it in range(args.iterations):
        obs, _ = envs.reset(seed=it * args.envs)
        logps, rewards = [], []
        for _ in range(args.horizon):
            dist = torch.distributions.Categorical(logits=policy(obs))
            a = dist.sample()
            logps.append(dist.log_prob(a))
            obs, r, *_ = envs.step(a.numpy())
            rewards.append(torch.as_tensor(r, dtype=torch.float32))
        ret = torch.stack(rewards).sum(0)                        # (envs,)
        baseline = ret.mean() if baseline is None else 0.9 * baseline + 0.1 * ret.mean()
        loss = -((ret - baseline) * torch.stack(logps).sum(0)).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        print(f"iteration {it + 1:3d}: mean return in the dream {ret.mean():.3f}")
    after_dream = evaluate(policy, "playground/WorldModel-v0", 2, args.horizon, 1_000_900, **kw)
    after_voxel = evaluate(policy, "playground/VoxelWorld-v0", 2, args.horizon, 1_000_900)
    print(f"greedy policy return before training: dream {before_dream:.3f}, voxel {before_voxel:.3f}")
    print(f"greedy policy return after training:  dream {after_dream:.3f}, voxel {after_voxel:.3f}")


if __name__ == "__main__":
    main()
