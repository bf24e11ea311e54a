"""HUD text, crosshair and the F1 help overlay."""
from __future__ import annotations

import pygame

HELP = [
    ("W A S D", "walk"), ("Space", "jump"), ("Shift", "sneak"), ("Ctrl", "sprint"),
    ("Mouse / arrows", "look (Tab captures the mouse)"), ("Left click", "break block"),
    ("Right click", "place block"), ("1-9", "hotbar"), ("P", "pause"),
    ("N", "single tick while paused"), ("Enter", "reset with a new seed"),
    ("F2", "screenshot (PNG)"), ("R", "start / stop recording"), ("+ / -", "denoising steps"),
    ("[ / ]", "previous / next sampler preset"), ("G", "side-by-side ground truth + PSNR"),
    ("M", "memory on / off"), ("F3", "details: ms per stage, position, sampler"), ("F1", "this help"),
    ("Esc", "free the mouse, then quit"),
]


class Hud:
    def __init__(self):
        pygame.font.init()
        self.font = pygame.font.Font(None, 20)
        self.big = pygame.font.Font(None, 26)

    def _panel(self, surf, lines, pos, font, align_right=False, align_bottom=False, centered=False,
               bg=(0, 0, 0, 140), pad=6):
        rendered = [font.render(t, True, (255, 255, 255)) for t in lines]
        w = max(r.get_width() for r in rendered) + 2 * pad
        h = sum(r.get_height() + 2 for r in rendered) + 2 * pad
        x, y = pos
        if align_right:
            x -= w
        if align_bottom:
            y -= h
        if centered:
            x, y = (surf.get_width() - w) // 2, (surf.get_height() - h) // 2
        panel = pygame.Surface((w, h), pygame.SRCALPHA)
        panel.fill(bg)
        surf.blit(panel, (x, y))
        yy = y + pad
        for r in rendered:
            surf.blit(r, (x + pad, yy))
            yy += r.get_height() + 2

    def draw(self, surf, lines: list[str], warning: str | None = None, right: list[str] | None = None,
             notice: str | None = None):
        """HUD `lines` top left, `right` top right, a `notice` bottom left (above `warning`,
        which is centred at the bottom), and the crosshair."""
        self._panel(surf, lines, (6, 6), self.font)
        if right:
            self._panel(surf, right, (surf.get_width() - 6, 6), self.font, align_right=True)
        if notice:
            self._panel(surf, [notice], (6, surf.get_height() - (40 if warning else 6)), self.font, align_bottom=True)
        if warning:
            text = self.big.render(warning, True, (255, 210, 80))
            surf.blit(text, (surf.get_width() // 2 - text.get_width() // 2, surf.get_height() - 34))
        cx, cy = surf.get_width() // 2, surf.get_height() // 2
        for a, b in (((cx - 7, cy), (cx + 7, cy)), ((cx, cy - 7), (cx, cy + 7))):
            pygame.draw.line(surf, (255, 255, 255), a, b, 2)

    def draw_help(self, surf, extra: list[tuple[str, str]] = ()):
        lines = ["Controls"] + [f"{k:<16} {v}" for k, v in list(HELP) + list(extra)]
        mono = pygame.font.SysFont("monospace", 15) if pygame.font.get_fonts() else self.font
        self._panel(surf, lines, (0, 0), mono, centered=True, bg=(10, 10, 30, 210), pad=14)
