"""Frame -> screen: the one place that turns a uint8 frame into a scaled pygame surface."""
from __future__ import annotations

import time

import numpy as np
import pygame


def frame_surface(frame: np.ndarray, size: tuple[int, int]) -> pygame.Surface:
    """uint8 (H, W, 3) -> a surface of `size`, scaled with nearest neighbour."""
    surf = pygame.surfarray.make_surface(np.ascontiguousarray(frame.swapaxes(0, 1)))
    return pygame.transform.scale(surf, size)


def blit_cost_ms(frame: np.ndarray, scale: int = 8, repeats: int = 50) -> float:
    """Milliseconds to turn a frame into a scaled surface and blit it (off-screen)."""
    h, w = frame.shape[:2]
    target = pygame.Surface((w * scale, h * scale))
    t0 = time.perf_counter()
    for _ in range(repeats):
        target.blit(frame_surface(frame, target.get_size()), (0, 0))
    return (time.perf_counter() - t0) * 1000 / repeats
