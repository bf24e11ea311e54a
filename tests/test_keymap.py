import pytest

from playground import actions as A
from playground.keymap import Keymap, KeymapError


def test_default_keymap_maps_wasd_and_mouse():
    km = Keymap.load()
    a = km.action({"w", "space", "left ctrl", "3"}, {1}, mouse_dx=20, mouse_dy=-10)
    assert A.pressed(a) == {"forward", "jump", "sprint", "hotbar.3", "attack"}
    assert a[A.YAW] > 0 and a[A.PITCH] < 0


def test_arrow_keys_turn_and_mouse_clamps():
    km = Keymap.load()
    assert km.action({"left"})[A.YAW] == -0.5
    assert km.action(set(), mouse_dx=10_000)[A.YAW] == 1.0


def test_bad_keymap_files(tmp_path):
    with pytest.raises(KeymapError, match="not found"):
        Keymap.load(tmp_path / "nope.yaml")
    p = tmp_path / "k.yaml"
    p.write_text("buttons: {fly: [w]}")
    with pytest.raises(KeymapError, match="unknown button"):
        Keymap.load(p)
    p.write_text("buttons: [")
    with pytest.raises(KeymapError, match="YAML"):
        Keymap.load(p)
