"""`playground bench`: throughput measurements (voxel renderer)."""
from __future__ import annotations

import os
import platform
import time

import numpy as np

from playground.policies import script
from playground.voxel import VoxelConfig, VoxelWorld


def bench_voxel(seeds: int = 4, ticks: int = 300, width: int = 64, height: int = 64) -> dict:
    """Frames/s of the voxel world on one core: full ticks (physics + render) under the
    exploring policy, and render-only, over `seeds` worlds (reset excluded)."""
    world = VoxelWorld(VoxelConfig.make(width, height))
    step_s = render_s = 0.0
    for s in range(seeds):
        world.reset(10_000 + s)
        acts = script("explore", np.random.default_rng(s), ticks)
        world.step(acts[0])  # warm caches
        t0 = time.perf_counter()
        for a in acts:
            world.step(a)
        t1 = time.perf_counter()
        for _ in range(ticks):
            world.render()
        step_s += t1 - t0
        render_s += time.perf_counter() - t1
    n = seeds * ticks
    res = {"width": width, "height": height, "frames": n,
           "ticks_per_s": round(n / step_s, 1), "render_fps": round(n / render_s, 1),
           "ms_per_tick": round(1000 * step_s / n, 3), "cpu": platform.processor() or platform.machine(),
           "threads": 1, "numpy": np.__version__}
    res["table"] = (f"voxel world {width}x{height}, {seeds} seeds x {ticks} ticks, one core\n"
                    f"  full tick (physics + render): {res['ticks_per_s']:8.1f} ticks/s "
                    f"({res['ms_per_tick']:.2f} ms)\n"
                    f"  render only:                  {res['render_fps']:8.1f} frames/s")
    return res


def single_core() -> None:
    """Pin BLAS/OpenMP pools to one thread (call before numpy/torch do real work)."""
    for v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(v, "1")
