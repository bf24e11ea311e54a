"""Frame -> screen: the one place that turns a uint8 frame into a scaled pygame surface."""
from __future__ import annotations

import time

import numpy as np
import pygame


def frame_surface(frame: np.ndarray, size: tuple[int, int]) -> pygame.Surface:
    """uint8 (H, W, 3) -> a surface of `size`, scaled with nearest neighbour."""
    surf = pygame.surfarray.make_surface(np.ascontiguousarray(frame.swapaxes(0, 1)))
    return pygame.transform.scale(surf, size)


def fitted(frame_hw: tuple[int, int], box: tuple[int, int, int, int]) -> tuple[tuple[int, int], tuple[int, int]]:
    """(size, top-left) of the largest picture of the frame's aspect inside box (x, y, w, h),
    centred: a resized window shows the frame whole and unstretched, with black bars."""
    x, y, w, h = box
    scale = min(w / frame_hw[1], h / frame_hw[0])
    size = (max(1, int(frame_hw[1] * scale)), max(1, int(frame_hw[0] * scale)))
    return size, (x + (w - size[0]) // 2, y + (h - size[1]) // 2)


def blit_frames(screen: pygame.Surface, frames: list[np.ndarray]) -> None:
    """Frames side by side, each in an equal share of the screen's width, aspect kept."""
    width, height = screen.get_size()
    share = width // len(frames)
    screen.fill((0, 0, 0))
    for i, frame in enumerate(frames):
        size, pos = fitted(frame.shape[:2], (i * share, 0, share, height))
        screen.blit(frame_surface(frame, size), pos)


def blit_cost_ms(frame: np.ndarray, scale: int = 8, repeats: int = 50) -> float:
    """Milliseconds to turn a frame into a scaled surface and blit it (off-screen)."""
    h, w = frame.shape[:2]
    target = pygame.Surface((w * scale, h * scale))
    t0 = time.perf_counter()
    for _ in range(repeats):
        target.blit(frame_surface(frame, target.get_size()), (0, 0))
    return (time.perf_counter() - t0) * 1000 / repeats
