"""The one thread that does the world's tensor work: building it, resetting it, stepping it.

The window's loop must stay responsive while a tick is generated, so generation runs on
another thread. PyTorch's CPU kernels then run their parallel regions from that thread.
If the main thread has also run any (loading the checkpoint, a reset), the process keeps two
OpenMP thread teams, and on a 2-core CPU they compete. A dream step then took 60-70 ms on
the worker instead of 33-37 ms on one thread (measured with the shipped checkpoint and the
default settings). So everything that touches the model runs here, and the main thread only
draws.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor

_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="world")


def submit(fn, *args, **kwargs) -> Future:
    """Run fn(*args, **kwargs) on the world thread; its Future."""
    return _THREAD.submit(fn, *args, **kwargs)


def call(fn, *args, **kwargs):
    """Run fn(*args, **kwargs) on the world thread and wait for its result (or exception)."""
    return submit(fn, *args, **kwargs).result()
