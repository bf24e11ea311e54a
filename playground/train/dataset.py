"""In-memory episode bank for training: frames uint8 (E, T, H, W, 3), actions (E, T, 25)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from playground import actions as A
from playground.train.datagen import DatasetError, load_shards

MOVE_KEYS = ("forward", "back", "left", "right")
TURNING = 0.12   # |yaw| above this is a turn; the exploring policy's jitter (std ~0.06) stays under it


def action_changes(actions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(episode, tick) of every tick whose movement keys or turning direction differ from
    the previous tick's, for actions (E, T, 25). At such a tick only the action, not the
    motion in the frames before it, says what comes next: a model trained mostly on steady
    stretches learns to continue the motion it sees and ignore the keys."""
    keys = actions[..., [A.INDEX[k] for k in MOVE_KEYS]] > 0.5
    yaw = actions[..., A.YAW]
    turn = (np.sign(yaw) * (np.abs(yaw) > TURNING))[..., None]
    state = np.concatenate([keys, turn], -1)
    e, t = np.nonzero((state[:, 1:] != state[:, :-1]).any(-1))
    return e, t + 1


class EpisodeBank:
    def __init__(self, frames: np.ndarray, actions: np.ndarray):
        assert frames.shape[:2] == actions.shape[:2] and frames.dtype == np.uint8
        self.frames, self.actions = frames, actions

    @classmethod
    def load(cls, folder: str | Path, max_episodes: int | None = None) -> "EpisodeBank":
        f, a = [], []
        for frames, actions in load_shards(folder):
            f.append(frames), a.append(actions)
            if max_episodes and len(f) >= max_episodes:
                break
        lengths = {x.shape for x in f}
        if len(lengths) > 1:
            raise DatasetError(f"{folder}: episodes have different shapes {sorted(lengths)}")
        return cls(np.stack(f), np.stack(a))

    @property
    def episodes(self) -> int:
        return self.frames.shape[0]

    @property
    def length(self) -> int:
        return self.frames.shape[1]

    @property
    def frame_size(self) -> tuple[int, int]:
        """(height, width) of the frames."""
        return tuple(self.frames.shape[2:4])

    def check_frame_size(self, folder, size, advice: str) -> None:
        """DatasetError unless the frames are `size` (height, width) pixels."""
        if self.frame_size != tuple(size):
            (h, w), (want_h, want_w) = self.frame_size, size
            raise DatasetError(f"{folder} holds {w}x{h} frames but the model takes {want_w}x{want_h}: {advice}")

    def sample_frames(self, rng: np.random.Generator, n: int) -> np.ndarray:
        e = rng.integers(0, self.episodes, n)
        t = rng.integers(0, self.length, n)
        return self.frames[e, t]

    def sample_clips(self, rng: np.random.Generator, n: int, length: int):
        """n clips of `length` consecutive frames: frames (n, L, H, W, 3), actions (n, L, 25)."""
        if length > self.length:
            raise DatasetError(f"clips of {length} frames need episodes at least that long "
                               f"(these have {self.length}); regenerate with --ticks {length}")
        e = rng.integers(0, self.episodes, n)
        s = rng.integers(0, self.length - length + 1, n)
        idx = s[:, None] + np.arange(length)[None]
        return self.frames[e[:, None], idx], self.actions[e[:, None], idx]
