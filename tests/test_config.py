"""Typed configs: values of the wrong type are refused by key before anything runs."""
from dataclasses import dataclass

import pytest

from playground.cli import main
from playground.config import ConfigError, build, overrides


@dataclass(frozen=True)
class Inner:
    steps: int = 10
    lr: float = 1e-3
    name: str = "a"
    on: bool = True
    limit: int | None = None
    weight: float | None = None
    widths: tuple[int, ...] = (8, 8)
    size: tuple[int, int] = (64, 64)


@dataclass(frozen=True)
class Outer:
    train: Inner = Inner()


def test_exponents_are_numbers_as_on_any_command_line():
    assert overrides(["a=3e-4", "b=1E3", "c=.5e1", "d=abc", "e=1.5"]) == {"a": 3e-4, "b": 1000.0, "c": 5.0,
                                                                          "d": "abc", "e": 1.5}
    assert build(Outer, overrides(["train.lr=3e-4"])).train.lr == 3e-4


def test_good_values_build_and_ints_stand_for_floats():
    cfg = build(Outer, overrides(["train.steps=5", "train.lr=1", "train.limit=3", "train.widths=[4,4,4]",
                                  "train.size=[32,48]", "train.on=false", "train.name=b"]))
    assert cfg.train == Inner(steps=5, lr=1.0, name="b", on=False, limit=3, widths=(4, 4, 4), size=(32, 48))
    assert isinstance(cfg.train.lr, float) and build(Outer, {"train": {"limit": None}}).train.limit is None
    assert build(Outer, {"train": {"weight": 4}}).train.weight == 4.0      # an optional float too


@pytest.mark.parametrize("pair, words", [
    ("train.steps=abc", "cfg.train.steps: expected int, got 'abc'"),
    ("train.steps=1.5", "cfg.train.steps: expected int, got 1.5"),
    ("train.steps=true", "cfg.train.steps: expected int, got True"),
    ("train.lr=fast", "cfg.train.lr: expected float, got 'fast'"),
    ("train.on=1", "cfg.train.on: expected bool, got 1"),
    ("train.name=3", "cfg.train.name: expected str, got 3"),
    ("train.limit=x", "cfg.train.limit: expected int | None, got 'x'"),
    ("train.widths=[4,x]", "cfg.train.widths: expected tuple[int, ...], got [4, 'x']"),
    ("train.size=[32]", "cfg.train.size: expected tuple[int, int], got [32]"),
])
def test_a_value_of_the_wrong_type_names_its_key(pair, words):
    with pytest.raises(ConfigError) as e:
        build(Outer, overrides([pair]), "cfg")
    assert words in str(e.value)


def test_train_refuses_a_mistyped_override_before_training(tmp_path, capsys):
    argv = ["train", "ae", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "run"),
            "--set", "train.steps=abc"]
    assert main(argv) == 2
    assert "ae.train.steps: expected int, got 'abc'" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
