import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import torch  # noqa: E402

# Small test models are overhead-bound: one thread avoids OpenMP oversubscription when
# the machine is busy (and is as fast for these sizes).
torch.set_num_threads(1)

import pytest


@pytest.fixture(scope="session")
def toy_checkpoint(tmp_path_factory):
    """A dream checkpoint with small random weights (every path non-trivial)."""
    import torch

    from playground import checkpoint
    from playground.model.autoencoder import AEConfig, Autoencoder
    from playground.model.dit import DiT, DiTConfig

    torch.manual_seed(0)
    ae = Autoencoder(AEConfig(widths=(16, 16), blocks=1, decoder_blocks=(1, 1)))
    dit = DiT(DiTConfig(dim=32, depth=1, heads=2, max_frames=6, memory_frames=2))
    for p in dit.parameters():
        if p.abs().sum() == 0:
            torch.nn.init.normal_(p, std=0.05)
    path = tmp_path_factory.mktemp("ckpt") / "toy.safetensors"
    checkpoint.save(path, {"ae": ("conv-ae", ae.cfg, ae), "dit": ("st-dit", dit.cfg, dit)})
    return path


TOY_EVAL = {"depth_seeds": 1, "pose_seeds": 1, "idm_seeds": 1, "loops_per_bucket": 1, "free_play_seeds": 1, "free_play_ticks": 200,
            "rollout_seeds": 1, "follow_seeds": 1, "retrieval_trials": 1, "memory_sizes": (0, 2),
            "ticks": 3, "presets": ["frame-2"], "steps": 16, "scripts": ("walk", "turn_left"),
            "follow_steps": 4, "samplers": (("frame-2", True, True), ("progressive-4", False, False))}


@pytest.fixture(scope="session")
def toy_report(tmp_path_factory, toy_checkpoint):
    """(report, folder) of a tiny `playground eval --quick` run on the toy checkpoint."""
    from playground.eval.report import run
    out = tmp_path_factory.mktemp("eval")
    return run(toy_checkpoint, out, quick=True, progress=False, settings=TOY_EVAL), out
