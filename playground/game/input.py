"""Per-tick input sampling: keys held now plus keys tapped since the last tick, mouse
buttons likewise, and mouse motion accumulated since the last tick."""
from __future__ import annotations

import pygame

from playground.keymap import Keymap


class TickInput:
    def __init__(self, keymap: Keymap):
        self.keymap = keymap
        self.held: set[str] = set()
        self.tapped: set[str] = set()
        self.mouse_held: set[int] = set()
        self.mouse_tapped: set[int] = set()
        self.dx = self.dy = 0.0

    def handle(self, event) -> None:
        """Feed one pygame event."""
        if event.type == pygame.KEYDOWN:
            name = pygame.key.name(event.key)
            self.held.add(name)
            self.tapped.add(name)
        elif event.type == pygame.KEYUP:
            self.held.discard(pygame.key.name(event.key))
        elif event.type == pygame.MOUSEBUTTONDOWN:
            self.mouse_held.add(event.button)
            self.mouse_tapped.add(event.button)
        elif event.type == pygame.MOUSEBUTTONUP:
            self.mouse_held.discard(event.button)
        elif event.type == pygame.MOUSEMOTION:
            self.dx += event.rel[0]
            self.dy += event.rel[1]
        elif event.type == pygame.WINDOWFOCUSLOST:
            self.held.clear()
            self.mouse_held.clear()

    def take_action(self, mouse_look: bool):
        """The action for the tick that ends now; resets taps and motion."""
        a = self.keymap.action(self.held | self.tapped, self.mouse_held | self.mouse_tapped,
                               self.dx if mouse_look else 0.0, self.dy if mouse_look else 0.0)
        self.tapped.clear()
        self.mouse_tapped.clear()
        self.dx = self.dy = 0.0
        return a
