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
