"""The pygame client: fixed tick rate, one action per tick, generation on a worker thread.

The main thread owns pygame (events, drawing). Each tick it turns the input gathered
since the previous tick into one action and hands it to the worker, which steps the
World. A new tick starts only when the previous one is finished: if generation is slower
than the tick rate the game slows down (and the HUD says so) instead of queueing stale
frames.
"""
from __future__ import annotations

import logging

import os
import sys
import time
from collections import deque
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pygame

from playground import actions as A
from playground.errors import PlaygroundError
from playground.game import world_thread
from playground.game.display import blit_frames
from playground.game.hud import Hud
from playground.game.input import TickInput
from playground.keymap import Keymap
from playground.psnr import psnr
from playground.record import Recorder
from playground.world import TICK_RATE, World, world_seed

log = logging.getLogger(__name__)

HUD_REFRESH_S = 0.25   # the HUD's rates and timings are redrawn this often even with no new frame
# A fixed-rate game clock catches up this much lost time with ticks back to back (a slow
# tick, a garbage collection, the window being dragged); the game only slows down, and says
# so, when generation stays slower than the tick rate.
CATCH_UP_S = 0.25
# G starts the ground truth at tick 0 and replays the ticks played so far, this many per
# pass of the loop with one render at the end (physics is about 0.2 ms a tick, a render
# about 4 ms), so the dream keeps its tick rate meanwhile.
TRUTH_STEPS_PER_PASS = 32
NOTICE_S = 4.0         # how long a notice (screenshot saved, recording failed...) stays on screen


def unused_path(base: Path, suffix: str = "") -> Path:
    """base + suffix, or base-1 + suffix, base-2 + suffix... whichever does not exist yet (names
    made from the time of day meet when two are made in one second)."""
    path, n = base.with_name(base.name + suffix), 1
    while path.exists():
        path, n = base.with_name(f"{base.name}-{n}{suffix}"), n + 1
    return path


class NoDisplayError(PlaygroundError, RuntimeError):
    """No display to open a window on."""


@dataclass
class ClientOptions:
    scale: int = 8
    tick_rate: float = TICK_RATE
    seed: int | None = None
    screenshot_dir: str = "screenshots"
    max_ticks: int | None = None      # quit after this many ticks (scripted runs, tests)
    show_help: bool = False
    record_dir: str | None = None     # record from the first tick into this folder
    recordings_dir: str = "recordings"  # where R puts new recordings


def open_window(size: tuple[int, int]) -> pygame.Surface:
    """A resizable window, or NoDisplayError. SDL falls back to an invisible driver when
    there is no display; that only counts as a window if asked for (SDL_VIDEODRIVER)."""
    advice = ("run without a window with `playground play --headless --ticks 200`, or start "
              "a virtual display (e.g. `xvfb-run -a playground play`)")
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            or os.environ.get("SDL_VIDEODRIVER") or sys.platform in ("win32", "darwin")):
        raise NoDisplayError(f"no display available (DISPLAY is not set): {advice}")
    try:
        pygame.display.init()
        return pygame.display.set_mode(size, pygame.RESIZABLE)
    except pygame.error as e:
        raise NoDisplayError(f"cannot open a window ({e}): {advice}") from None


class Client:
    def __init__(self, world: World, options: ClientOptions = ClientOptions(),
                 keymap: Keymap | None = None):
        self.world, self.opt = world, options
        self.input = TickInput(keymap or Keymap.load())
        h, w, _ = world.frame_shape
        self.screen = open_window((w * options.scale, h * options.scale))
        pygame.display.set_caption("playground")
        self.hud = Hud()
        self.pending: Future | None = None
        self.frame: np.ndarray | None = None
        self.tick = 0
        self.paused = False
        self.single_step = False
        self.show_help = options.show_help
        self.show_details = False      # F3: the full HUD
        self.ticks_per_s = 0.0         # over the whole of run()
        self.mouse_look = False
        self.behind = False
        self.last_step_ms = 0.0
        self.tick_times: deque[float] = deque(maxlen=40)
        self.frame_times: deque[float] = deque(maxlen=60)
        self.running = True
        self.seed = options.seed
        self.history: list[np.ndarray] = []     # actions since the last reset
        self.recorder: Recorder | None = None
        self.pending_action: np.ndarray | None = None
        self.truth = None                          # VoxelWorld for the G view
        self.truth_frame: np.ndarray | None = None
        self.truth_due: list[np.ndarray] = []      # actions the ground truth has yet to take
        self.notice: tuple[str, float] | None = None   # (text, shown until perf_counter)

    def notify(self, text: str) -> None:
        """Say something to the player: on screen for NOTICE_S, and in the log."""
        log.info(text)
        self.notice = (text, time.perf_counter() + NOTICE_S)

    # ---- world on the worker thread -------------------------------------------------
    def _timed(self, fn, *args):
        t0 = time.perf_counter()
        frame = fn(*args)
        return frame, (time.perf_counter() - t0) * 1000

    def reset(self, seed: int | None) -> None:
        if self.pending is not None:
            self.pending.result()
        self.seed = world_seed(seed)
        self.frame, self.last_step_ms = world_thread.call(self._timed, self.world.reset, self.seed)
        self.pending, self.tick, self.history = None, 0, []
        if self.truth is not None:
            self.truth_frame, self.truth_due = self.truth.reset(self.seed), []
        if self.recorder is not None and self.recorder.ticks:   # a new episode: a new recording
            self.stop_recording()
            self.start_recording()
        if self.recorder is not None:
            self.recorder.add(A.zero(), self.frame)

    def _collect(self) -> bool:
        """Take the finished step's frame, if there is one; whether there was."""
        if self.pending is not None and self.pending.done():
            self.frame, self.last_step_ms = self.pending.result()
            self.pending = None
            self.tick += 1
            self.history.append(self.pending_action)
            if self.truth is not None:
                self.truth_due.append(self.pending_action)
            self._step_truth()   # before the next tick is submitted: numpy here would slow it down
            if self.recorder is not None:
                self.recorder.add(self.pending_action, self.frame)
            self.tick_times.append(time.perf_counter())
            return True
        return False

    # ---- events ------------------------------------------------------------------------
    def _set_mouse_look(self, on: bool) -> None:
        self.mouse_look = on
        try:
            pygame.mouse.set_relative_mode(on)
        except (AttributeError, pygame.error):
            pygame.event.set_grab(on)
            pygame.mouse.set_visible(not on)

    def _on_key(self, key: int) -> None:
        if key == pygame.K_ESCAPE and self.mouse_look:   # first the captured mouse is freed
            self._set_mouse_look(False)
        elif key == pygame.K_ESCAPE:
            self.running = False
        elif key == pygame.K_F1:
            self.show_help = not self.show_help
        elif key == pygame.K_F3:
            self.show_details = not self.show_details
        elif key == pygame.K_TAB:
            self._set_mouse_look(not self.mouse_look)
        elif key == pygame.K_p:
            self.paused = not self.paused
        elif key == pygame.K_n and self.paused:
            self.single_step = True
        elif key in (pygame.K_RETURN, pygame.K_KP_ENTER):
            self.reset(None)
        elif key == pygame.K_F2:
            try:
                self.screenshot()
            except (OSError, pygame.error) as e:   # a full disk or a read-only folder: keep playing
                self.notify(f"screenshot failed: {e}")
        elif key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS, pygame.K_MINUS, pygame.K_KP_MINUS):
            up = key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS)
            self._sampler_change(lambda w: w.change_steps(1 if up else -1))
        elif key in (pygame.K_LEFTBRACKET, pygame.K_RIGHTBRACKET):
            self._sampler_change(lambda w: w.cycle_preset(1 if key == pygame.K_RIGHTBRACKET else -1))
        elif key == pygame.K_m and hasattr(self.world, "set_memory"):
            world_thread.call(self.world.set_memory, self.world.info().get("memory") != "on")
        elif key == pygame.K_g:
            self.toggle_truth()
        elif key == pygame.K_r:
            try:
                self.start_recording() if self.recorder is None else self.stop_recording()
            except (OSError, PlaygroundError) as e:
                self.recorder = None
                self.notify(f"recording failed: {e}")

    # ---- sampler controls and the side-by-side ground truth ----------------------------
    def _sampler_change(self, change) -> None:
        """Apply a sampler change between ticks. Recording stops: a recording replays with
        one sampler setting."""
        if not hasattr(self.world, "set_schedule"):
            return
        if self.pending is not None:
            self.pending.result()
            self._collect()
        if self.recorder is not None:
            self.stop_recording()
            self.notify("sampler changed: recording stopped")
        world_thread.call(change, self.world)

    def toggle_truth(self) -> None:
        """G: the voxel world stepped with the same actions, beside the dream."""
        w, h = self.screen.get_size()
        if self.truth is not None or getattr(self.world, "name", "") == "voxel":
            if self.truth is not None:
                self.screen = pygame.display.set_mode((w // 2, h), pygame.RESIZABLE)
            self.truth = self.truth_frame = None
            self.truth_due = []
            return
        self.screen = pygame.display.set_mode((w * 2, h), pygame.RESIZABLE)
        from playground.voxel import VoxelWorld
        self.truth = VoxelWorld()
        self.truth_frame = self.truth.reset(self.seed)
        self.truth_due = list(self.history)      # caught up a few ticks a pass (_step_truth)

    def _step_truth(self) -> bool:
        """The ground truth takes some of its due actions; whether it took any. Between
        ticks: run beside generation, its numpy calls and the model's many small tensor ops
        contend for the interpreter lock and cost more than they do in turn."""
        if self.truth is None or not self.truth_due:
            return False
        self.truth_frame = self.truth.advance(self.truth_due[:TRUTH_STEPS_PER_PASS])
        del self.truth_due[:TRUTH_STEPS_PER_PASS]
        return True

    # ---- recording ---------------------------------------------------------------------
    def start_recording(self, folder: str | Path | None = None) -> None:
        if self.pending is not None:
            self.pending.result()
            self._collect()
        if folder is None:
            folder = unused_path(Path(self.opt.recordings_dir) / time.strftime("session-%Y%m%d-%H%M%S"))
        self.recorder = Recorder(folder, self.world, history=self.history)
        self.notify(f"recording to {folder}")

    def stop_recording(self) -> None:
        if self.recorder is not None:
            recorder, self.recorder = self.recorder, None
            self.notify(f"recording saved: {recorder.close()}")

    def handle_events(self) -> int:
        """Handle the queued window events; how many there were."""
        events = pygame.event.get()
        for event in events:
            if event.type == pygame.QUIT:
                self.running = False
            elif event.type == pygame.VIDEORESIZE and not hasattr(pygame, "WINDOWRESIZED"):
                self.screen = pygame.display.set_mode(event.size, pygame.RESIZABLE)
            if event.type == pygame.KEYDOWN:
                self._on_key(event.key)
            self.input.handle(event)
        return len(events)

    # ---- drawing -----------------------------------------------------------------------
    def screenshot(self, path: str | Path | None = None) -> Path:
        d = Path(self.opt.screenshot_dir)
        d.mkdir(parents=True, exist_ok=True)
        if path is None:   # F2 twice in a second: a second file, not the first overwritten
            path = unused_path(d / time.strftime("playground-%Y%m%d-%H%M%S"), ".png")
        pygame.image.save(self.screen, str(path))
        self.notify(f"screenshot saved to {path}")
        return Path(path)

    def hud_lines(self) -> list[str]:
        """One line by default (the picture is the game); F3 shows every stage's cost and
        the sampler, as Minecraft's F3 screen does."""
        info = self.world.info()
        now = time.perf_counter()
        fps = (len(self.frame_times) - 1) / (now - self.frame_times[0]) if len(self.frame_times) > 1 else 0
        tps = (len(self.tick_times) - 1) / (now - self.tick_times[0]) if len(self.tick_times) > 1 else 0
        if not self.show_details:
            state = "paused (P)" if self.paused else "F1 help  F3 details"
            return [f"{info.get('world', '?')}  tick {self.tick}  {tps:4.1f}/{self.opt.tick_rate:g} ticks/s  {state}"]
        lines = [f"{info.get('world', '?')} world  seed {self.seed}  tick {self.tick}",
                 f"fps {fps:5.1f}  ticks/s {tps:5.1f} (target {self.opt.tick_rate:g})",
                 f"step {self.last_step_ms:5.1f} ms"]
        timings = getattr(self.world, "timings", dict)()
        for k, v in timings.items():
            lines.append(f"  {k} {v:5.1f} ms")
        if "position" in info:
            x, y, z = info["position"]
            lines.append(f"pos {x:7.1f} {y:5.1f} {z:7.1f}  yaw {info['yaw']:5.1f} pitch {info['pitch']:5.1f}")
        if "hotbar_block" in info:
            lines.append(f"hotbar {info['hotbar_slot'] + 1}: {info['hotbar_block']}")
        for k in ("schedule", "steps", "latency_ticks", "device", "kernels"):
            if k in info:
                lines.append(f"{k} {info[k]}")
        lines.append("paused (P)" if self.paused else "F1 help")
        return lines

    def status_lines(self) -> list[str]:
        lines = ["REC  (R stops)"] if self.recorder is not None else []
        if self.truth_due:
            lines += ["left: dream   right: ground truth", f"ground truth catching up: {len(self.truth_due)} ticks"]
        elif self.truth_frame is not None and self.frame is not None:
            lines += ["left: dream   right: ground truth",
                      f"PSNR {float(psnr(self.frame, self.truth_frame)):.1f} dB"]
        return lines

    def current_notice(self) -> str | None:
        if self.notice is not None and time.perf_counter() < self.notice[1]:
            return self.notice[0]
        return None

    def draw(self) -> None:
        if self.frame is not None:
            blit_frames(self.screen, [self.frame] + ([self.truth_frame] if self.truth_frame is not None else []))
        warning = "generation slower than the tick rate: game slowed down" if self.behind else None
        if self.show_help:   # alone over the picture: HUD text behind its panel would show through
            self.hud.draw_help(self.screen)
        else:
            self.hud.draw(self.screen, self.hud_lines(), warning, right=self.status_lines(),
                          notice=self.current_notice())
        pygame.display.flip()
        self.frame_times.append(time.perf_counter())

    # ---- main loop ---------------------------------------------------------------------
    def _idle(self, next_tick: float) -> None:
        """Wait a little for the next thing to do. While a step is generating, block on it
        rather than poll: each wake-up of this thread takes the interpreter lock from the
        generating thread, whose many small tensor ops each need it (polling every few ms
        cost about a tenth of the ticks on 2 cores)."""
        if self.pending is not None:
            wait([self.pending], timeout=1 / 60)
        else:
            time.sleep(max(0.001, min(0.004, next_tick - time.perf_counter())))

    def run(self) -> int:
        """Play until Esc / window close / max_ticks. Returns the number of ticks played."""
        if self.opt.record_dir:
            self.recorder = Recorder(self.opt.record_dir, self.world)
            log.info(f"recording to {self.opt.record_dir}")
        self.reset(self.seed)
        period = 1.0 / self.opt.tick_rate
        next_tick = last_draw = started = time.perf_counter()
        stale = True   # something to show that the window does not show yet
        try:
            while self.running:
                stale |= self.handle_events() > 0
                stale |= self._collect()
                now = time.perf_counter()
                can_tick = (not self.paused or self.single_step) and \
                    (self.opt.max_ticks is None or self.tick < self.opt.max_ticks)
                if self.pending is None and can_tick and now >= next_tick:
                    self.behind = now - next_tick > CATCH_UP_S
                    next_tick = max(next_tick + period, now - CATCH_UP_S)
                    action = self.input.take_action(self.mouse_look)
                    self.pending_action = action
                    self.pending = world_thread.submit(self._timed, self.world.step, action)
                    self.single_step = False
                elif self.paused:
                    self.input.take_action(self.mouse_look)  # drop input gathered while paused
                    next_tick = now
                # Drawing competes with generation for the CPU: redraw only for a new frame or
                # an event (at most 60 times a second), and HUD_REFRESH_S apart for its timings.
                since = time.perf_counter() - last_draw
                if (stale and since >= 1 / 60) or since >= HUD_REFRESH_S:
                    self.draw()
                    last_draw, stale = time.perf_counter(), False
                if self.opt.max_ticks is not None and self.tick >= self.opt.max_ticks:
                    break
                self._idle(next_tick)
        finally:
            if self.pending is not None:
                self.pending.result()
                self._collect()
            while self._step_truth():
                pass
            self.stop_recording()
            pygame.display.quit()
        self.ticks_per_s = self.tick / max(time.perf_counter() - started, 1e-9)   # paused time included
        return self.tick

