"""Deterministic integer hashing and value noise (numpy, vectorised, seedable).

Everything in the world that looks random is a pure function of (seed, integer
coordinates) through `hash01`, so chunks can be generated in any order, lazily, and
always come out the same.
"""
from __future__ import annotations

import numpy as np

_M1, _M2, _M3, _M4 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35), np.uint32(0x27D4EB2F), \
    np.uint32(0x165667B1)


def hash_u32(seed: int, *coords) -> np.ndarray:
    """A well-mixed uint32 hash of integer coordinate arrays (murmur3-style finaliser)."""
    h = np.full(np.broadcast(*coords).shape if coords else (), seed & 0xFFFFFFFF, np.uint32)
    with np.errstate(over="ignore"):  # wrap-around multiplication is the point
        return _mix(h, coords)


def _mix(h, coords):
    for i, c in enumerate(coords):
        c = np.asarray(c).astype(np.int64).astype(np.uint32)
        h = h ^ (c * (_M3 + np.uint32(2 * i + 1) * _M4))
        h = (h ^ (h >> np.uint32(15))) * _M1
        h = (h ^ (h >> np.uint32(13))) * _M2
        h = h ^ (h >> np.uint32(16))
    return h


def hash01(seed: int, *coords) -> np.ndarray:
    """Uniform floats in [0, 1) from integer coordinates."""
    return hash_u32(seed, *coords).astype(np.float64) / 4294967296.0


def value_noise(seed: int, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Smooth 2-D value noise in [0, 1] at real coordinates (lattice spacing 1)."""
    x0, z0 = np.floor(x), np.floor(z)
    fx, fz = x - x0, z - z0
    sx, sz = fx * fx * (3 - 2 * fx), fz * fz * (3 - 2 * fz)
    x0, z0 = x0.astype(np.int64), z0.astype(np.int64)
    a, b = hash01(seed, x0, z0), hash01(seed, x0 + 1, z0)
    c, d = hash01(seed, x0, z0 + 1), hash01(seed, x0 + 1, z0 + 1)
    return (a + (b - a) * sx) * (1 - sz) + (c + (d - c) * sx) * sz


def fbm(seed: int, x: np.ndarray, z: np.ndarray, octaves: int = 4,
        lacunarity: float = 2.0, gain: float = 0.5) -> np.ndarray:
    """Fractal sum of value noise, normalised to [0, 1]."""
    total, amp, norm, freq = 0.0, 1.0, 0.0, 1.0
    for o in range(octaves):
        total = total + amp * value_noise(seed + 1013 * o, x * freq, z * freq)
        norm += amp
        amp *= gain
        freq *= lacunarity
    return total / norm
