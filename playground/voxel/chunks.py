"""Lazily generated, editable chunks and the dense region around the player that the
renderer and physics read."""
from __future__ import annotations

from collections import deque

import numpy as np

from playground.rules import blocks as B
from playground.voxel.terrain import CHUNK, HEIGHT, TerrainConfig, generate_chunk

BUILD_MARGIN = 4
EDIT_LOG = 1024     # the edits ChunkStore.edit_log keeps (one step makes at most two)


class ChunkStore:
    """Chunks generated on first touch; edits live in the chunk arrays.

    `region` is a dense (R*16, HEIGHT, R*16) copy of the R x R chunks centred on the
    player's chunk (R = 2 * radius + 1), rebuilt when the player changes chunk; edits are
    written to both. Unedited chunks far from the player are dropped (they regenerate
    identically), so walking forever does not grow memory.
    """

    def __init__(self, seed: int, radius: int = 2, cfg: TerrainConfig = TerrainConfig()):
        self.seed, self.radius, self.cfg = seed, radius, cfg
        self.chunks: dict[tuple[int, int], np.ndarray] = {}
        self.edited: set[tuple[int, int]] = set()
        # cells edited, in order, for a reader that empties it as it goes (the memory's
        # training pictures); bounded, so a world nobody reads it from does not grow
        self.edit_log: deque[tuple[int, int, int]] = deque(maxlen=EDIT_LOG)
        self.center: tuple[int, int] | None = None
        self.region = np.zeros((0, HEIGHT, 0), np.uint8)
        self.origin = (0, 0)  # world x, z of region[0, :, 0]
        self.top = HEIGHT     # no block of the region at or above this y

    def chunk(self, cx: int, cz: int) -> np.ndarray:
        key = (cx, cz)
        if key not in self.chunks:
            self.chunks[key] = generate_chunk(self.seed, cx, cz, self.cfg)
        return self.chunks[key]

    def recenter(self, x: float, z: float) -> None:
        """Make sure the region is centred on the chunk that holds world (x, z)."""
        c = (int(np.floor(x / CHUNK)), int(np.floor(z / CHUNK)))
        if c == self.center:
            return
        r = self.radius
        rows = [np.concatenate([self.chunk(c[0] + i, c[1] + j) for j in range(-r, r + 1)], axis=2)
                for i in range(-r, r + 1)]
        self.region = np.ascontiguousarray(np.concatenate(rows, axis=0))
        self.center = c
        filled = np.nonzero(self.region.any(axis=(0, 2)))[0]
        self.top = int(filled[-1]) + 1 if len(filled) else 0
        self.origin = ((c[0] - r) * CHUNK, (c[1] - r) * CHUNK)
        far = {k for k in self.chunks if max(abs(k[0] - c[0]), abs(k[1] - c[1])) > r + 2}
        for k in far - self.edited:
            del self.chunks[k]

    def get(self, x: int, y: int, z: int) -> int:
        if y < 0:
            return B.BEDROCK
        if y >= HEIGHT:
            return B.AIR
        rx, rz = x - self.origin[0], z - self.origin[1]
        if 0 <= rx < self.region.shape[0] and 0 <= rz < self.region.shape[2]:
            return int(self.region[rx, y, rz])
        return int(self.chunk(x // CHUNK, z // CHUNK)[x % CHUNK, y, z % CHUNK])

    def set(self, x: int, y: int, z: int, block: int) -> None:
        """Edit a block; building is capped 4 blocks under the top so eyes stay inside."""
        if not 0 <= y < HEIGHT - BUILD_MARGIN:
            return
        cx, cz = x // CHUNK, z // CHUNK
        self.chunk(cx, cz)[x % CHUNK, y, z % CHUNK] = block
        self.edited.add((cx, cz))
        self.edit_log.append((x, y, z))
        rx, rz = x - self.origin[0], z - self.origin[1]
        if 0 <= rx < self.region.shape[0] and 0 <= rz < self.region.shape[2]:
            self.region[rx, y, rz] = block
            if block != B.AIR:
                self.top = max(self.top, y + 1)

    def surface(self, x: int, z: int) -> int:
        """y of the first non-solid block above the highest solid or water block."""
        col = self.chunk(x // CHUNK, z // CHUNK)[x % CHUNK, :, z % CHUNK]
        filled = np.nonzero(col != B.AIR)[0]
        return int(filled[-1]) + 1 if len(filled) else 0
