"""Scripted action policies: exploring with sticky keys, and revisiting places.

Used for training data (`playground datagen`), headless play and evaluation scripts.
Every policy is a deterministic function of its numpy Generator, so a trajectory is
reproducible from (world seed, policy seed).
"""
from __future__ import annotations

import itertools
from typing import Iterator

import numpy as np

from playground import actions as A
from playground.errors import PlaygroundError


class PolicyError(PlaygroundError, ValueError):
    """A policy name that is not one of NAMES."""


def explore(rng: np.random.Generator, ticks: int) -> Iterator[np.ndarray]:
    """Sticky-key exploration: walk mostly forward, turn in held bursts, look up and down
    a little, jump (more often when it may be stuck), sometimes sprint, strafe, sneak,
    stand still, look around, break or place a block."""
    keys: set[str] = {"forward"}
    yaw = pitch = 0.0
    hold = 0
    pitch_level = 0.0  # the policy's own idea of where it is looking, to stay near level
    for _ in range(ticks):
        if hold <= 0:
            hold = int(rng.integers(4, 30))
            mode = rng.choice(["walk", "walk", "walk", "turn", "strafe", "still", "look", "sprint"])
            keys = {"forward"} if mode in ("walk", "turn", "sprint") else set()
            if mode == "sprint":
                keys |= {"sprint"}
            if mode == "strafe":
                keys = {str(rng.choice(["left", "right"]))} | ({"forward"} if rng.random() < .5 else set())
            if mode == "walk" and rng.random() < 0.05:
                keys = {"back"}
            if rng.random() < 0.08:
                keys.add("sneak")
            yaw = float(rng.choice([-1, 1]) * rng.uniform(0.15, 0.8)) if mode in ("turn", "look") \
                else float(rng.normal(0, 0.05))
            pitch = float(rng.uniform(-0.4, 0.4)) if mode == "look" else 0.0
        hold -= 1
        p = pitch + float(rng.normal(0, 0.03)) - 0.02 * pitch_level
        p = float(np.clip(p, -1, 1))
        pitch_level = float(np.clip(pitch_level + p * A.MAX_TURN_DEGREES, -60, 60))
        y = float(np.clip(yaw + rng.normal(0, 0.03), -1, 1))
        now = set(keys)
        if rng.random() < (0.12 if "forward" in keys else 0.03):
            now.add("jump")
        r = rng.random()
        if r < 0.01:
            now.add("attack")
        elif r < 0.015:
            now.add("use")
        if rng.random() < 0.01:
            now.add(f"hotbar.{int(rng.integers(1, 10))}")
        yield A.make(now, pitch=p, yaw=y)


def revisit(rng: np.random.Generator, ticks: int) -> Iterator[np.ndarray]:
    """Look at a place, turn away and walk off, then come back and look again:
    the trajectories that teach (and test) memory of places out of view."""
    produced = 0

    def emit(buttons=(), pitch=0.0, yaw=0.0):
        nonlocal produced
        produced += 1
        return A.make(buttons, pitch=pitch, yaw=yaw)

    while produced < ticks:
        for _ in range(int(rng.integers(3, 12))):          # look
            yield emit()
        turn = int(rng.choice([-1, 1]))
        speed = 1.0
        n_turn = 18                                         # 18 x 10 degrees = 180
        walk = int(rng.integers(0, 24))
        # Half-turn, walk off, half-turn, walk back: the original place and heading.
        legs = [("turn", n_turn), ("walk", walk), ("turn", n_turn), ("walk", walk)] \
            if walk else [("turn", int(rng.integers(6, 36))), ("still", int(rng.integers(0, 20))),
                          ("back", 0)]
        turned = 0
        for kind, n in legs:
            if kind == "back":
                for _ in range(turned):
                    yield emit(yaw=-turn * speed)
                continue
            for _ in range(n):
                if kind == "turn":
                    turned += 1
                    yield emit(yaw=turn * speed)
                elif kind == "walk":
                    yield emit({"forward"} | ({"jump"} if rng.random() < 0.1 else set()))
                else:
                    yield emit()


def steady(rng: np.random.Generator, ticks: int) -> Iterator[np.ndarray]:
    """Held spans of exact actions, as a player on keyboard and mouse gives them: stand
    still, walk straight (hopping every few ticks), walk back, strafe, turn or walk while turning
    at one steady rate, look up or down and back. No jitter: the exploring policy always
    nudges the camera, so it never shows the world standing exactly still or walking
    exactly straight, and a model trained on it alone confuses the two."""
    pitch_level = 0.0   # degrees; looks aim within +-40 so the view does not stay on sky or ground
    produced = 0
    while produced < ticks:
        mode = rng.choice(["still", "still", "walk", "walk", "walk_turn", "turn", "look", "back", "strafe"])
        hold = int(rng.integers(6, 40))
        rate = float(rng.choice([-1, 1]) * rng.uniform(0.2, 1.0))
        # Walks hop every few ticks, as the exploring policy does: a walk that stops against a
        # one-block step leaves the picture unchanged, which teaches that W may do nothing
        # (15% of walking ticks without hops, 2% in exploring data).
        jump_every = int(rng.integers(5, 12)) if mode in ("walk", "walk_turn") else 0
        side = str(rng.choice(["left", "right"]))
        pitch = 0.0
        if mode == "look":
            hold = int(rng.integers(4, 12))
            target = float(rng.uniform(-40, 40))
            pitch = float(np.clip((target - pitch_level) / (hold * A.MAX_TURN_DEGREES), -1, 1))
        keys = {"walk": {"forward"}, "walk_turn": {"forward"}, "back": {"back"}, "strafe": {side}}.get(mode, set())
        yaw = rate if mode in ("turn", "walk_turn") else 0.0
        for i in range(hold):
            hop = jump_every and i % jump_every == jump_every - 1
            pitch_level = float(np.clip(pitch_level + pitch * A.MAX_TURN_DEGREES, -60, 60))
            yield A.make(keys | {"jump"} if hop else keys, pitch=pitch, yaw=yaw)
            produced += 1
            if produced >= ticks:
                return


def stroll(rng: np.random.Generator, ticks: int) -> Iterator[np.ndarray]:
    """Long walks on plain W, as a player holding the key gives them: straight walks of
    24-96 ticks, walks while turning slowly, short stops and turns in place. Exploring and
    steady data hop every few ticks (only 12% and 2.5% of their plain-W runs reach 11
    ticks), and a model trained on them stalls after about that many ticks of walking
    (tools/progress.py). Never hops by itself: datagen adds a hop only when the world
    blocks the walk (`datagen.HOP_WHEN_BLOCKED`)."""
    produced = 0
    while produced < ticks:
        mode = rng.choice(["walk", "walk", "walk", "walk_turn", "still", "turn"])
        hold = int(rng.integers(24, 97)) if mode == "walk" else int(rng.integers(6, 40))
        rate = float(rng.choice([-1, 1]) * rng.uniform(0.05, 0.3 if mode == "walk_turn" else 1.0))
        keys = {"forward"} if mode in ("walk", "walk_turn") else set()
        yaw = rate if mode in ("walk_turn", "turn") else 0.0
        for _ in range(min(hold, ticks - produced)):
            yield A.make(keys, yaw=yaw)
            produced += 1


FIXED = {
    "walk": lambda i: A.make({"forward"}),
    "turn_left": lambda i: A.make(yaw=-0.5),
    "turn_right": lambda i: A.make(yaw=0.5),
    "look_around": lambda i: A.make(pitch=0.3 * np.sin(i / 6), yaw=0.4 * np.cos(i / 9)),
    "still": lambda i: A.zero(),
}
STREAMS = {"explore": explore, "revisit": revisit, "steady": steady, "stroll": stroll}
NAMES = tuple(STREAMS) + tuple(FIXED)


def stream(name: str, rng: np.random.Generator, ticks: int | None = None) -> Iterator[np.ndarray]:
    """A lazy stream of actions of a named policy (endless when ticks is None)."""
    if name in FIXED:
        return (FIXED[name](i) for i in (range(ticks) if ticks is not None else itertools.count()))
    if name not in STREAMS:
        raise PolicyError(f"unknown policy {name!r}; known: {', '.join(NAMES)}")
    return itertools.islice(STREAMS[name](rng, ticks if ticks is not None else 2**62), ticks)


def script(name: str, rng: np.random.Generator, ticks: int) -> list[np.ndarray]:
    """`ticks` actions of a named policy: explore, revisit, steady, stroll, or one of the fixed scripts
    walk, turn_left, turn_right, look_around, still (used for evaluation)."""
    return list(stream(name, rng, ticks))
