"""Play a recording back in the window: arrows +-1 tick, PgUp/PgDn +-10, Home/End first and
last frame, Space play/pause."""
from __future__ import annotations

import time

import pygame

from playground import actions as A
from playground.game.client import open_window
from playground.game.display import frame_surface
from playground.game.hud import Hud
from playground.record import Recording, RecordingError


def replay_window(rec: Recording, scale: int = 8, fps: float | None = None, max_seconds: float | None = None) -> int:
    """Show `rec` until Esc; returns the index of the last frame shown."""
    frames = rec.frames
    if not len(frames):
        raise RecordingError(f"{rec.path} holds no frames to show (a session killed before its first "
                             "chunk of frames was written)")
    h, w = frames.shape[1:3]
    screen = open_window((w * scale, h * scale))
    pygame.display.set_caption(f"playground replay: {rec.path.name}")
    hud, i, playing = Hud(), 0, True
    period = 1.0 / (fps or rec.manifest.get("tick_rate", 20))
    t_next, t_end = time.perf_counter(), (time.perf_counter() + max_seconds) if max_seconds else None
    running = True
    while running:
        for e in pygame.event.get():
            if e.type == pygame.QUIT or (e.type == pygame.KEYDOWN and e.key == pygame.K_ESCAPE):
                running = False
            elif e.type == pygame.KEYDOWN:
                step = {pygame.K_RIGHT: 1, pygame.K_LEFT: -1, pygame.K_PAGEUP: 10, pygame.K_PAGEDOWN: -10,
                        pygame.K_HOME: -len(frames), pygame.K_END: len(frames)}.get(e.key)
                if step:
                    i, playing = max(0, min(len(frames) - 1, i + step)), False
                elif e.key == pygame.K_SPACE:
                    playing = not playing
        now = time.perf_counter()
        if playing and now >= t_next:
            i, t_next = min(i + 1, len(frames) - 1), now + period
        screen.blit(frame_surface(frames[i], screen.get_size()), (0, 0))
        act = rec.frame_actions[i] if i < len(rec.frame_actions) else A.zero()
        status = "complete" if rec.complete else "INCOMPLETE (recovered)"
        hud.draw(screen, [f"replay {rec.path.name}  {status}", f"frame {i + 1}/{len(frames)}  "
                          f"{'playing' if playing else 'paused'} (Space)", A.describe(act),
                          "arrows +-1  PgUp/PgDn +-10  Home/End  Esc quit"])
        pygame.display.flip()
        if t_end and now > t_end:
            running = False
        time.sleep(0.005)
    pygame.display.quit()
    return i
