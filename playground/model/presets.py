"""The model preset registry: named (DiT, autoencoder) configurations."""
from __future__ import annotations

from playground.model.autoencoder import AEConfig
from playground.model.dit import DiTConfig

PRESETS: dict[str, DiTConfig] = {
    # The shipped CPU model: 64x64 frames -> 8x16x16 latents -> 64 tokens per frame.
    "tiny": DiTConfig(in_channels=8, input_size=(16, 16), patch=2, dim=128, depth=4, heads=4,
                      max_frames=12, spatial_max_freq=32.0, memory_frames=8, memory_tokens=4),
    # tiny with the world memory's picture as an input (zero-initialised: grown from tiny's
    # weights it starts as tiny; train.dit's init_from).
    "tiny-render": DiTConfig(in_channels=8, input_size=(16, 16), patch=2, dim=128, depth=4, heads=4,
                             max_frames=12, spatial_max_freq=32.0, memory_frames=8, memory_tokens=4,
                             render_input=True),
    # The public 500M Minecraft world model's layout (OASIS.md): 16x18x32 latents, patch 2,
    # 144 tokens per frame, hidden 1024, 16 blocks, 16 heads, 32-frame window, no memory.
    "oasis-500m": DiTConfig(in_channels=16, input_size=(18, 32), patch=2, dim=1024, depth=16,
                            heads=16, max_frames=32, spatial_max_freq=256.0, memory_frames=0),
}
AE_PRESETS: dict[str, AEConfig] = {"tiny": AEConfig()}




def dit_preset(name: str) -> DiTConfig:
    from playground.config import ConfigError
    if name not in PRESETS:
        raise ConfigError(f"unknown model preset {name!r}; known: {sorted(PRESETS)}")
    return PRESETS[name]
