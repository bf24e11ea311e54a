"""Procedural terrain: one chunk (16 x HEIGHT x 16 blocks) as a pure function of (seed, cx, cz).

Heights come from layered value noise: rolling hills and plains everywhere, mountains
where a slow "mountainness" field is high. Columns below sea level fill with water; low
shores turn to sand; high peaks to stone and snow. Trees grow on grass, decided per
column by a hash, so a tree near a chunk border is generated identically by both chunks.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.rules import blocks as B
from playground.voxel.noise import fbm, hash01, value_noise

CHUNK = 16
HEIGHT = 64


@dataclass(frozen=True)
class TerrainConfig:
    sea_level: int = 18          # water surface is at y = sea_level - 1
    base_height: float = 21.0
    hill_amplitude: float = 14.0
    hill_scale: float = 36.0     # blocks per noise lattice cell of the hills
    mountain_amplitude: float = 22.0
    mountain_scale: float = 110.0
    stone_height: int = 33       # bare stone tops from here
    snow_height: int = 38        # snow tops from here
    tree_density: float = 0.02   # per grass column in dense forest; plains have none


def heightmap(seed: int, x: np.ndarray, z: np.ndarray, cfg: TerrainConfig) -> np.ndarray:
    """Number of solid blocks in each column (the top block is at y = h - 1)."""
    hills = fbm(seed, x / cfg.hill_scale, z / cfg.hill_scale, octaves=4)
    m = value_noise(seed + 77, x / cfg.mountain_scale, z / cfg.mountain_scale)
    mountain = np.clip((m - 0.5) / 0.3, 0.0, 1.0) ** 2
    ridges = fbm(seed + 5, x / 24.0, z / 24.0, octaves=3)
    h = cfg.base_height + cfg.hill_amplitude * (hills - 0.35) \
        + cfg.mountain_amplitude * mountain * (0.5 + ridges)
    return np.clip(np.floor(h), 3, HEIGHT - 12).astype(np.int64)


def _tree_columns(seed, xs, zs, h, cfg):
    """Which of the given columns grow a tree (grass, above the shore, below the rocks)."""
    grass = (h > cfg.sea_level + 1) & (h < cfg.stone_height)
    forest = np.clip(value_noise(seed + 91, xs / 64.0, zs / 64.0) * 2.2 - 0.9, 0, 1)
    return grass & (hash01(seed + 31, xs, zs) < cfg.tree_density * forest)


def generate_chunk(seed: int, cx: int, cz: int, cfg: TerrainConfig = TerrainConfig()) -> np.ndarray:
    """The blocks of chunk (cx, cz) as uint8 (CHUNK, HEIGHT, CHUNK) indexed [x, y, z]."""
    m = 2  # trees reach 2 blocks from their trunk: look at neighbours' columns too
    gx = np.arange(cx * CHUNK - m, (cx + 1) * CHUNK + m)
    gz = np.arange(cz * CHUNK - m, (cz + 1) * CHUNK + m)
    xs, zs = np.meshgrid(gx, gz, indexing="ij")
    h_ext = heightmap(seed, xs.astype(np.float64), zs.astype(np.float64), cfg)
    h = h_ext[m:-m, m:-m]

    y = np.arange(HEIGHT)[None, :, None]
    hh = h[:, None, :]
    chunk = np.zeros((CHUNK, HEIGHT, CHUNK), np.uint8)
    chunk[y < hh] = B.STONE
    chunk[(y >= hh - 4) & (y < hh - 1)] = B.DIRT
    top = np.full(h.shape, B.GRASS, np.uint8)
    top[h <= cfg.sea_level + 1] = B.SAND
    top[h >= cfg.stone_height] = B.STONE
    top[h >= cfg.snow_height] = B.SNOW
    shore = (h <= cfg.sea_level + 1)[:, None, :]
    chunk[shore & (y >= hh - 4) & (y < hh - 1)] = B.SAND
    is_top = y == hh - 1
    chunk[is_top] = np.broadcast_to(top[:, None, :], chunk.shape)[is_top]
    chunk[(y >= hh) & (y < cfg.sea_level)] = B.WATER
    chunk[:, 0, :] = B.BEDROCK

    trees = _tree_columns(seed, xs, zs, h_ext, cfg)
    for i, j in zip(*np.nonzero(trees)):
        _place_tree(chunk, seed, int(xs[i, j]), int(zs[i, j]), int(h_ext[i, j]), cx, cz)
    return chunk


def _place_tree(chunk, seed, wx, wz, ground, cx, cz):
    """Write the parts of a tree rooted at world column (wx, wz) that fall in this chunk."""
    trunk = 4 + int(hash01(seed + 57, wx, wz) * 2)
    top = ground + trunk  # first y above the trunk
    for dy, r in ((-2, 2), (-1, 2), (0, 1), (1, 1)):
        ly = top + dy
        for dx in range(-r, r + 1):
            for dz in range(-r, r + 1):
                if r == 2 and abs(dx) == 2 and abs(dz) == 2:
                    continue  # round the corners
                _put(chunk, wx + dx - cx * CHUNK, ly, wz + dz - cz * CHUNK, B.LEAVES, only_air=True)
    for ly in range(ground, top):
        _put(chunk, wx - cx * CHUNK, ly, wz - cz * CHUNK, B.WOOD, only_air=False)


def _put(chunk, lx, ly, lz, block, only_air):
    if 0 <= lx < CHUNK and 0 <= lz < CHUNK and 0 <= ly < HEIGHT:
        if not only_air or chunk[lx, ly, lz] == B.AIR:
            chunk[lx, ly, lz] = block
