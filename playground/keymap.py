"""The keyboard/mouse mapping as data (assets/keymap.yaml), independent of pygame.

`Keymap.action(held_keys, clicked, mouse_dx, mouse_dy)` turns the input state of one tick
into an action; key names are pygame's `pygame.key.name` strings, so this module needs
no pygame and the envs' `get_keys_to_action` shares it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from playground import actions
from playground.config import ConfigError, load_yaml
from playground.errors import PlaygroundError
from playground.shipped import shipped_path

DEFAULT_PATH = shipped_path("keymap.yaml")


class KeymapError(PlaygroundError, ValueError):
    """A keymap file that cannot be used."""


@dataclass(frozen=True)
class Keymap:
    buttons: dict[str, tuple[str, ...]]                   # button -> key names
    mouse_buttons: dict[str, int] = field(default_factory=dict)  # button -> mouse button
    camera_keys: dict[str, tuple[float, float]] = field(default_factory=dict)  # key -> (pitch, yaw)
    mouse_degrees_per_pixel: float = 0.15

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Keymap":
        path = Path(path) if path else DEFAULT_PATH
        try:
            raw = load_yaml(path)
        except ConfigError as e:
            raise KeymapError(str(e).replace("config file", "keymap file")) from None
        if "buttons" not in raw:
            raise KeymapError(f"keymap file {path} needs a 'buttons:' mapping")
        for name in list(raw["buttons"]) + list(raw.get("mouse_buttons", {})):
            if name not in actions.INDEX or name.startswith("camera"):
                raise KeymapError(f"{path}: unknown button {name!r}; "
                                  f"known: {', '.join(actions.BUTTONS)}")
        cam = {k: (float(v.get("pitch", 0.0)), float(v.get("yaw", 0.0)))
               for k, v in raw.get("camera_keys", {}).items()}
        return cls(buttons={b: tuple(str(k) for k in ks) for b, ks in raw["buttons"].items()},
                   mouse_buttons={b: int(m) for b, m in raw.get("mouse_buttons", {}).items()},
                   camera_keys=cam,
                   mouse_degrees_per_pixel=float(raw.get("mouse_degrees_per_pixel", 0.15)))

    def action(self, held_keys: set[str], mouse_buttons: set[int] = frozenset(),
               mouse_dx: float = 0.0, mouse_dy: float = 0.0):
        """The action for one tick: keys held (or tapped) during it, mouse buttons, and
        mouse motion in pixels accumulated over it (dy > 0 = mouse moved down = look down)."""
        pressed = {b for b, keys in self.buttons.items() if any(k in held_keys for k in keys)}
        pressed |= {b for b, m in self.mouse_buttons.items() if m in mouse_buttons}
        pitch = sum(self.camera_keys[k][0] for k in held_keys if k in self.camera_keys)
        yaw = sum(self.camera_keys[k][1] for k in held_keys if k in self.camera_keys)
        scale = self.mouse_degrees_per_pixel / actions.MAX_TURN_DEGREES
        pitch = float(max(-1.0, min(1.0, pitch + mouse_dy * scale)))
        yaw = float(max(-1.0, min(1.0, yaw + mouse_dx * scale)))
        return actions.make(pressed, pitch=pitch, yaw=yaw)

    def key_names(self) -> set[str]:
        return {k for ks in self.buttons.values() for k in ks} | set(self.camera_keys)
