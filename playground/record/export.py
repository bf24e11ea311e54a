"""Export a recording to PNG frames, a GIF, or an MP4 (optional `video` extra)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from playground.record.layout import RecordingError


def _scaled(frame: np.ndarray, scale: int) -> Image.Image:
    img = Image.fromarray(frame)
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST) if scale > 1 else img


def to_png(frames: np.ndarray, out: str | Path, scale: int = 4) -> Path:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for i, f in enumerate(frames):
        _scaled(f, scale).save(out / f"frame_{i:05d}.png")
    return out


def to_gif(frames: np.ndarray, out: str | Path, fps: float = 20, scale: int = 4) -> Path:
    if not len(frames):
        raise RecordingError("the recording has no frames to export")
    imgs = [_scaled(f, scale) for f in frames]
    imgs[0].save(out, save_all=True, append_images=imgs[1:], duration=int(1000 / fps), loop=0, optimize=False)
    return Path(out)


def to_mp4(frames: np.ndarray, out: str | Path, fps: float = 20, scale: int = 4) -> Path:
    try:
        import imageio.v2 as imageio
    except ImportError:
        raise RecordingError("MP4 export needs the video extra: pip install -e '.[video]'") from None
    with imageio.get_writer(out, fps=fps, codec="libx264", quality=8) as w:
        for f in frames:
            w.append_data(np.asarray(_scaled(f, scale)))
    return Path(out)
