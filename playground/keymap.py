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
        """The keymap of a YAML file, checked entry by entry: every mistake is one line that
        names the entry and says what is expected."""
        path = Path(path) if path else DEFAULT_PATH
        try:
            raw = load_yaml(path)
        except ConfigError as e:
            raise KeymapError(str(e).replace("config file", "keymap file")) from None
        return _checked(raw, path)

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


SECTIONS = ("buttons", "mouse_buttons", "camera_keys", "mouse_degrees_per_pixel")
# Every name pygame.key.name gives a key (the names the client looks keys up by; kept here so
# this module needs no pygame; tests/test_keymap.py holds it to pygame's own list).
KEY_NAMES = frozenset(
    list("!\"#$%&'()*+,-./0123456789:;<=>?@[\\]^_`abcdefghijklmnopqrstuvwxyz")
    + [f"[{c}]" for c in "*+-./0123456789"] + [f"f{i}" for i in range(1, 16)]
    + ["AC Back", "CurrencySubUnit", "alt gr", "backspace", "break", "caps lock", "clear", "delete", "down",
       "end", "enter", "equals", "escape", "euro", "help", "home", "insert", "left", "left alt", "left ctrl",
       "left meta", "left shift", "menu", "numlock", "page down", "page up", "power", "print screen", "return",
       "right", "right alt", "right ctrl", "right meta", "right shift", "scroll lock", "space", "sys req", "tab",
       "up"])


def _checked(raw, path: Path) -> Keymap:
    def fail(msg: str):
        raise KeymapError(f"keymap file {path}: {msg}")

    if not isinstance(raw, dict) or not isinstance(raw.get("buttons"), dict):
        fail("needs a 'buttons:' mapping of button names to lists of keys")
    for section in raw:
        if section not in SECTIONS:
            fail(f"unknown entry {section!r}; known: {', '.join(SECTIONS)}")
    for name in list(raw["buttons"]) + list(raw.get("mouse_buttons") or {}):
        if name not in actions.INDEX or name.startswith("camera"):
            fail(f"unknown button {name!r}; known: {', '.join(actions.BUTTONS)}")
    buttons = {}
    for name, keys in raw["buttons"].items():
        if not isinstance(keys, list):
            fail(f"buttons.{name} must be a list of key names, e.g. {name}: [{keys}]")
        buttons[name] = tuple(_key_name(k, f"buttons.{name}", fail) for k in keys)
    mouse = {}
    for name, button in (raw.get("mouse_buttons") or {}).items():
        if not isinstance(button, int) or isinstance(button, bool) or not 1 <= button <= 5:
            fail(f"mouse_buttons.{name} must be a mouse button number 1-5 (1 left, 2 middle, 3 right), not {button!r}")
        mouse[name] = button
    camera = {}
    for key, turn in (raw.get("camera_keys") or {}).items():
        if not isinstance(turn, dict) or not turn or set(turn) - {"pitch", "yaw"}:
            fail(f"camera_keys.{key} must be a mapping like {{pitch: -0.5}} or {{yaw: 0.5}}, not {turn!r}")
        if not all(_number(v) and -1 <= v <= 1 for v in turn.values()):
            fail(f"camera_keys.{key}: pitch and yaw are numbers in [-1, 1], not {turn!r}")
        camera[_key_name(key, "camera_keys", fail)] = (float(turn.get("pitch", 0.0)), float(turn.get("yaw", 0.0)))
    degrees = raw.get("mouse_degrees_per_pixel", 0.15)
    if not _number(degrees) or degrees <= 0:
        fail(f"mouse_degrees_per_pixel must be a positive number, not {degrees!r}")
    return Keymap(buttons=buttons, mouse_buttons=mouse, camera_keys=camera, mouse_degrees_per_pixel=float(degrees))


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _key_name(key, where: str, fail) -> str:
    name = str(key)
    if name not in KEY_NAMES:
        fail(f"{where}: {name!r} is not a key name pygame knows (e.g. w, space, left shift, up, f5)")
    return name
