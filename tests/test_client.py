"""The client through its real event loop under SDL's dummy video driver."""
import time

import numpy as np
import pygame
import pytest

from playground.game import world_thread
from playground import actions as A
from playground.game.client import Client, ClientOptions
from playground.voxel import VoxelWorld


class Spy(VoxelWorld):
    """A voxel world that remembers the actions it was stepped with."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def step(self, action):
        self.seen.append(np.array(action))
        return super().step(action)


def post_key(key, up=False):
    pygame.event.post(pygame.event.Event(pygame.KEYUP if up else pygame.KEYDOWN, key=key,
                                         mod=0, unicode="", scancode=0))


def make_client(tmp_path, **kw):
    world = Spy()
    opts = ClientOptions(seed=3, scale=2, tick_rate=200, screenshot_dir=str(tmp_path), **kw)
    return Client(world, opts), world


def test_held_keys_become_actions(tmp_path):
    client, world = make_client(tmp_path, max_ticks=3)
    post_key(pygame.K_w)
    post_key(pygame.K_SPACE)
    post_key(pygame.K_SPACE, up=True)      # a tap within the tick still counts
    post_key(pygame.K_3)
    assert client.run() == 3
    first = world.seen[0]
    assert {"forward", "jump", "hotbar.3"} <= A.pressed(first)
    assert "forward" in A.pressed(world.seen[-1]) and "jump" not in A.pressed(world.seen[-1])
    assert world.info()["hotbar_slot"] == 2


def test_arrow_keys_turn_the_camera(tmp_path):
    client, world = make_client(tmp_path, max_ticks=2)
    post_key(pygame.K_RIGHT)
    client.run()
    assert world.seen[0][A.YAW] == 0.5


def test_escape_quits_and_f1_f2_work(tmp_path):
    client, world = make_client(tmp_path, max_ticks=None)
    post_key(pygame.K_F1)
    post_key(pygame.K_F2)
    post_key(pygame.K_ESCAPE)
    client.run()
    assert client.show_help
    shots = list(tmp_path.glob("*.png"))
    assert len(shots) == 1 and shots[0].stat().st_size > 0


def test_screenshots_in_one_second_get_their_own_files_and_say_so_on_screen(tmp_path):
    client, _ = make_client(tmp_path, max_ticks=None)
    client.reset(3)
    client.draw()
    first, second = client.screenshot(), client.screenshot()
    assert first != second and first.exists() and second.exists()
    assert client.current_notice() == f"screenshot saved to {second}"


def test_a_screenshot_or_recording_that_cannot_be_written_does_not_end_the_game(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    client, _ = make_client(tmp_path, max_ticks=3)
    client.opt.screenshot_dir = str(blocker / "shots")
    client.opt.recordings_dir = str(blocker / "recordings")
    post_key(pygame.K_F2)
    post_key(pygame.K_r)
    assert client.run() == 3
    assert client.recorder is None
    assert client.current_notice().startswith("recording failed: ")


def test_the_help_overlay_hides_the_hud_text_behind_it(tmp_path):
    client, _ = make_client(tmp_path, max_ticks=None, show_help=True)
    drawn = []

    def help_then_close(*a, **k):          # F1 pressed again after the first frame
        drawn.append("help")
        client.show_help = False

    def hud_then_quit(*a, **k):
        drawn.append("hud")
        client.running = False

    client.hud.draw_help, client.hud.draw = help_then_close, hud_then_quit
    client.run()
    assert drawn == ["help", "hud"]


def test_the_loop_waits_on_a_generating_step_rather_than_polling(tmp_path):
    """A step of 100 ms: the loop wakes about 60 times a second to handle events, not every
    few ms (each wake-up takes the interpreter lock from the generating thread)."""
    class Slow(Spy):
        def step(self, action):
            time.sleep(0.1)
            return super().step(action)

    client = Client(Slow(), ClientOptions(seed=3, scale=2, tick_rate=200, max_ticks=3, screenshot_dir=str(tmp_path)))
    wakes, handle = [], client.handle_events
    client.handle_events = lambda: wakes.append(1) or handle()
    draws, draw = [], client.draw
    client.draw = lambda: draws.append(1) or draw()
    assert client.run() == 3
    assert len(wakes) <= 3 * 10            # ~7 a step at 1/60 s; polling every 1-4 ms made 25-100
    assert len(draws) <= 3 + 3 * 2         # a new frame each tick, plus HUD refreshes 0.25 s apart


def test_pause_stops_ticks(tmp_path):
    client, world = make_client(tmp_path, max_ticks=None)
    client.reset(3)
    client.paused = True
    for _ in range(20):
        client.handle_events()
        client._collect()
    assert client.tick == 0


def test_r_key_records_and_record_dir_from_first_tick(tmp_path):
    from playground.record import load
    client, world = make_client(tmp_path, max_ticks=6, record_dir=str(tmp_path / "rec"))
    client.run()
    r = load(tmp_path / "rec")
    assert r.complete and len(r.frames) == 7 and r.start_tick == 0   # reset frame + 6 ticks
    client, world = make_client(tmp_path, max_ticks=5)
    client.opt.recordings_dir = str(tmp_path / "many")
    client.reset(3)
    for _ in range(2):
        client.pending_action = A.zero()
        client.pending = world_thread.submit(client._timed, world.step, A.zero())
        client.pending.result()
        client._collect()
    post_key(pygame.K_r)
    client.handle_events()
    assert client.recorder is not None
    client.pending_action = A.make({"forward"})
    client.pending = world_thread.submit(client._timed, world.step, client.pending_action)
    client.pending.result()
    client._collect()
    post_key(pygame.K_r)
    client.handle_events()
    (folder,) = list((tmp_path / "many").iterdir())
    r = load(folder)
    assert r.start_tick == 2 and len(r.frames) == 1 and len(r.actions) == 3


def test_dream_controls_and_side_by_side(tmp_path, toy_checkpoint):
    from playground.dream.world import DreamConfig, DreamWorld
    world = DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint)))
    client = Client(world, ClientOptions(seed=4, scale=2, tick_rate=200, max_ticks=4,
                                         screenshot_dir=str(tmp_path)))
    for key in (pygame.K_g, pygame.K_EQUALS, pygame.K_RIGHTBRACKET, pygame.K_m, pygame.K_F3):
        post_key(key)
    client.run()
    info = world.info()
    assert client.truth is not None and client.truth_frame is not None
    assert any("PSNR" in line for line in client.status_lines())
    ref = VoxelWorld()                   # the ground truth took every tick's action, in order
    expected = ref.reset(client.seed)
    for a in client.history:
        expected = ref.step(a)
    assert np.array_equal(client.truth_frame, expected) and not client.truth_due
    assert info["memory"] == "off"
    assert world.settings.schedule == "frame" and world.settings.schedule_params == {"steps": 4, "context_label": 0}
    hud = "\n".join(client.hud_lines())          # F3: the full HUD
    for word in ("schedule", "steps", "latency_ticks", "device", "kernels"):
        assert word in hud
    client.show_details = False
    (line,) = client.hud_lines()                   # by default one line: world, tick, ticks/s
    assert "dream" in line and "ticks/s" in line and "schedule" not in line


def test_replay_window_steps_through_a_recording(tmp_path):
    from playground.game.replay import replay_window
    from playground.record import Recorder, RecordingError, load
    world = VoxelWorld()
    recorder = Recorder(tmp_path / "rec", world)
    recorder.add(A.zero(), world.reset(3))
    for _ in range(12):
        recorder.add(A.make({"forward"}), world.step(A.make({"forward"})))
    recorder.close()
    rec = load(tmp_path / "rec")
    pygame.display.init()                     # events can be queued only once the display is up
    for key in (pygame.K_SPACE, pygame.K_END, pygame.K_LEFT, pygame.K_LEFT, pygame.K_PAGEDOWN, pygame.K_RIGHT):
        post_key(key)
    # Space pauses; End goes to frame 12, two back 10, ten back 0, one on 1.
    assert replay_window(rec, scale=2, max_seconds=0.2) == 1
    empty = Recorder(tmp_path / "empty", world)
    empty.close()
    with pytest.raises(RecordingError, match="holds no frames to show"):
        replay_window(load(tmp_path / "empty"))


def test_a_resized_window_keeps_the_picture_aspect_and_esc_first_frees_the_mouse():
    from playground.game.display import blit_frames, fitted
    assert fitted((64, 64), (0, 0, 800, 400)) == ((400, 400), (200, 0))
    assert fitted((64, 64), (400, 0, 400, 600)) == ((400, 400), (400, 100))
    screen = pygame.Surface((300, 100))
    frame = np.full((64, 64, 3), 200, np.uint8)
    blit_frames(screen, [frame, frame])
    assert screen.get_at((0, 50))[:3] == (0, 0, 0) and screen.get_at((75, 50))[:3] == (200, 200, 200)
    client = Client(VoxelWorld(), ClientOptions(seed=1, scale=2, max_ticks=1))
    client._set_mouse_look(True)
    client._on_key(pygame.K_ESCAPE)
    assert client.running and not client.mouse_look
    client._on_key(pygame.K_ESCAPE)
    assert not client.running


def test_side_by_side_catches_up_a_few_ticks_a_pass(toy_checkpoint):
    from playground.dream.world import DreamConfig, DreamWorld
    from playground.game.client import TRUTH_STEPS_PER_PASS
    client = Client(DreamWorld(DreamConfig(checkpoint=str(toy_checkpoint))), ClientOptions(seed=4, scale=2))
    walk = A.zero()
    walk[A.INDEX["forward"]] = 1.0
    client.seed, client.history = 4, [walk] * (2 * TRUTH_STEPS_PER_PASS + 1)
    client.toggle_truth()
    assert any(f"catching up: {2 * TRUTH_STEPS_PER_PASS + 1} ticks" in line for line in client.status_lines())
    assert client._step_truth() and len(client.truth_due) == TRUTH_STEPS_PER_PASS + 1
    while client._step_truth():
        pass
    ref = VoxelWorld()
    expected = ref.reset(4)
    for a in client.history:
        expected = ref.step(a)
    assert np.array_equal(client.truth_frame, expected)
    pygame.display.quit()
