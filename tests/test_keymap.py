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


@pytest.mark.parametrize("text,message", [
    ("buttons: {jump: space}", r"buttons.jump must be a list of key names, e.g. jump: \[space\]"),
    ("buttons: {forward: [w]}\ncamera_keys: {up: 0.5}", "camera_keys.up must be a mapping"),
    ("buttons: {forward: [w]}\ncamera_keys: {up: {pitch: 3}}", r"numbers in \[-1, 1\]"),
    ("buttons: {forward: [spcae]}", "'spcae' is not a key name pygame knows"),
    ("buttons: {forward: [w]}\ncamera_keys: {upp: {pitch: -0.5}}", "'upp' is not a key name"),
    ("buttons: {forward: [w]}\nmouse_buttons: {attack: left}", "mouse button number 1-5"),
    ("buttons: {forward: [w]}\nmouse_degree_per_pixel: 0.2", "unknown entry 'mouse_degree_per_pixel'"),
    ("buttons: {forward: [w]}\nmouse_degrees_per_pixel: -1", "must be a positive number"),
    ("forward: [w]", "needs a 'buttons:' mapping"),
])
def test_each_keymap_mistake_is_one_line_that_says_what_is_expected(tmp_path, text, message):
    p = tmp_path / "k.yaml"
    p.write_text(text)
    with pytest.raises(KeymapError, match=message) as e:
        Keymap.load(p)
    assert "\n" not in str(e.value)


def test_the_key_names_are_pygames():
    import warnings

    import pygame
    from playground.keymap import KEY_NAMES
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pygame.init()
        names = {pygame.key.name(getattr(pygame, k)) for k in dir(pygame) if k.startswith("K_")} - {""}
    assert KEY_NAMES == names
