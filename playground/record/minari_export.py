"""Recordings -> a Minari dataset (gymnasium's offline-RL format), one episode each.

    playground export recordings/a recordings/b --minari playground/voxel-walks-v0

Observations are the recorded frames (N of them), actions the N - 1 actions between them
(frame t is what action t made of frame t - 1), rewards 0, the last step truncated. The
dataset goes where Minari keeps local datasets (`MINARI_DATASETS_PATH`, default
~/.minari/datasets) and loads with `minari.load_dataset(dataset_id)`. Needs Minari with its
HDF5 backend (`pip install -e ".[agents]"`).
"""
from __future__ import annotations

import warnings

import numpy as np
from gymnasium import spaces

from playground.errors import PlaygroundError
from playground.record.reader import Recording


class MinariExportError(PlaygroundError, ValueError):
    """The recordings cannot be written as one Minari dataset."""


def episode(rec: Recording, index: int):
    """One recording as a Minari EpisodeBuffer."""
    from minari.data_collector.episode_buffer import EpisodeBuffer
    frames, acts = rec.frames, rec.frame_actions[1:]
    if len(frames) < 2:
        raise MinariExportError(f"{rec.path} holds {len(frames)} frame(s): an episode needs at least two")
    steps = len(frames) - 1
    seed = rec.manifest.get("seed")
    return EpisodeBuffer(id=index, seed=None if seed is None else int(seed), observations=list(frames),
                         actions=list(acts.astype(np.float32)), rewards=[0.0] * steps,
                         terminations=[False] * steps, truncations=[False] * (steps - 1) + [True])


def to_minari(recordings: list[Recording], dataset_id: str):
    """Write the recordings as the episodes of Minari dataset `dataset_id`; returns it."""
    try:
        import minari
    except ImportError:
        raise MinariExportError("Minari is not installed: pip install \"minari[hdf5]\"") from None
    shapes = {r.frames.shape[1:] for r in recordings}
    if len(shapes) != 1:
        raise MinariExportError(f"the recordings have frames of different sizes {sorted(shapes)}: one dataset "
                                "holds one observation shape")
    from playground.envs.spaces import action_space
    buffer = [episode(r, i) for i, r in enumerate(recordings)]
    try:
        with warnings.catch_warnings():   # Minari asks for contact details and an env spec: not ours to give
            warnings.simplefilter("ignore", UserWarning)
            return minari.create_dataset_from_buffers(
                dataset_id, buffer, observation_space=spaces.Box(0, 255, shapes.pop(), np.uint8),
                action_space=action_space("vector"), algorithm_name="playground recordings",
                description="Recordings of playground sessions (a person or a script playing).",
                jpeg_encoding=False)    # frames exactly as recorded
    except ValueError as e:   # a malformed id or an existing dataset: Minari says which
        raise MinariExportError(f"Minari refused {dataset_id!r}: {e}") from None
