"""How close the world memory's picture (the render network's input, train/renders.py) is
to the frame it stands in for, in the autoencoder's latent space: per fully covered latent
cell, the squared error of the picture's latent against the frame's, with the frames lifted
by the world's exact depth and by the shipped depth network, at the exact pose or with the
training pictures' pose drift; beside it, the same error of the frame before (what a network
has without any picture).

    python tools/picture_fidelity.py DATA_FOLDER [--episodes 6] [--drift 0] [--skip 8] [--relearn]

DATA_FOLDER is a `playground datagen` folder (its episodes are re-simulated for their poses
and depth). Prints one line per depth source: median and mean error, the share of covered
cells under 0.1 (the latents have unit variance), and the mean squared error of the covered
pixels (colours in [0, 1])."""
import argparse
import json
from pathlib import Path

import numpy as np
import torch

from playground.camera import CameraModel
from playground.dream.memory_warp import render_input, shipped_depth
from playground.model.autoencoder import frames_to_tensor
from playground.model.depth import predict
from playground.train.datagen import load_episodes
from playground.train.renders import episode_pictures, replay_episode


def summary(errors: list[np.ndarray], pixels: list[np.ndarray]) -> str:
    e, p = np.concatenate(errors), np.concatenate(pixels)
    return f"median {np.median(e):.3f}  mean {e.mean():.3f}  share < 0.1: {(e < 0.1).mean():.0%}  ({e.size} cells)" \
           f"  | pixels covered: mean squared error {p.mean():.4f}"


def pixel_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Squared error (..., H, W) of uint8 pictures (..., H, W, 3), colours scaled to [0, 1]."""
    return (((a.astype(np.float32) - b.astype(np.float32)) / 255.0) ** 2).mean(-1)


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path)
    ap.add_argument("--episodes", type=int, default=6)
    ap.add_argument("--drift", type=float, default=0.0, help="blocks a tick of pose random walk (training: 0.03)")
    ap.add_argument("--skip", type=int, default=8, help="leave out each episode's first ticks (little memory yet)")
    ap.add_argument("--ae", default="checkpoints/tiny.safetensors")
    ap.add_argument("--relearn", action="store_true", help="the memory's rules for the world's own frames (WorldMemory)")
    a = ap.parse_args()
    from playground.train.dit import load_ae
    config = json.loads((a.data / "meta.json").read_text()).get("config", {})
    camera = CameraModel(fov_degrees=config.get("fov", CameraModel().fov_degrees))
    ae, depth_net = load_ae(a.ae), shipped_depth()
    errors: dict[str, list] = {"world's depth": [], "depth network": [], "the frame before": []}
    pixels: dict[str, list] = {name: [] for name in errors}
    for e, (frames, actions, seed) in enumerate(load_episodes(a.data)):
        if e >= a.episodes:
            break
        poses, exact, edits = zip(*((pose, world.depth(), cells)
                                    for pose, world, cells in replay_episode(seed, actions, config, frames[0])))
        exact = np.stack(exact)
        z = ae.encode(frames_to_tensor(frames)).float().numpy()                 # (T, C, h, w)
        errors["the frame before"].append(((z[a.skip:] - z[a.skip - 1:-1]) ** 2).mean(1).ravel())
        pixels["the frame before"].append(pixel_error(frames[a.skip - 1:-1], frames[a.skip:]).ravel())
        for name, depth in (("world's depth", exact), ("depth network", predict(depth_net, frames))):
            pictures, covered = episode_pictures(frames, poses, depth, camera, a.drift, np.random.default_rng(e), edits,
                                                 a.relearn)
            r = render_input(ae.encode(frames_to_tensor(pictures)), covered).float().numpy()
            err = ((r[a.skip:, :-1] - z[a.skip:]) ** 2).mean(1)                 # (T', h, w)
            errors[name].append(err[r[a.skip:, -1] >= 0.999])
            pixels[name].append(pixel_error(pictures[a.skip:], frames[a.skip:])[covered[a.skip:]])
    for name, errs in errors.items():
        print(f"{name:17s} {summary(errs, pixels[name])}")


if __name__ == "__main__":
    main()
