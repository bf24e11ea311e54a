"""The dream's pose tracker (dream/pose.py): the world's movement rules against the
ground the dream knows."""
import numpy as np

from playground import actions as A
from playground.camera import CameraModel
from playground.dream.pose import Ground, PoseTracker, pose_error, surface_cells
from playground.voxel import VoxelWorld
from playground.rules import blocks as B
from playground.rules.physics import WALK_SPEED


def walk(ticks, **turn):
    return [A.make({"forward"}, **turn)] * ticks


def test_on_level_ground_it_moves_as_the_world_does():
    world = VoxelWorld()
    world.reset(3)
    tracker = PoseTracker(1)
    tracker.reset_rows([0], [world.player.pitch])
    yaw0, start = world.player.yaw, world.player.pos.copy()
    positions, tracked = [start.copy()], [np.zeros(3)]
    for a in walk(3) + walk(2, yaw=0.5):
        world.step(a)
        tracker.step(a[None])
        positions.append(world.player.pos.copy())
        tracked.append(tracker.players[0].pos.copy())
    moved = np.linalg.norm(positions[-1] - start)
    assert moved > 2 * WALK_SPEED   # it walked, on level ground (the spawn's first ticks)
    assert pose_error(np.array(positions), yaw0, np.array(tracked)).max() < 1e-6


def test_pose_error_turns_the_world_into_the_start_frame():
    yaw = 90.0   # the world's forward is -x
    world = np.array([[5.0, 1.0, 5.0], [3.0, 1.0, 5.0]])
    assert np.allclose(pose_error(world, yaw, np.array([[0, 0, 0], [0, 0, 2.0]])), 0)


def test_a_marked_wall_stops_the_player_and_unknown_ground_holds_it_up():
    tracker = PoseTracker(1)
    tracker.grounds[0].mark(np.array([[x, y, 2] for x in range(-2, 3) for y in range(0, 3)]))
    for a in walk(30):
        tracker.step(a[None])
    p = tracker.players[0]
    assert p.pos[1] == 0 and p.on_ground and 1.0 < p.pos[2] < 2.0   # against the wall at z = 2


def test_ground_below_the_lowest_seen_cell_of_a_column_is_solid():
    g = Ground()
    g.mark(np.array([[4, -3, 4]]))
    assert g.get(4, -3, 4) == B.STONE and g.get(4, -5, 4) == B.STONE and g.get(4, -2, 4) == B.AIR
    assert g.get(0, -1, 0) == B.STONE and g.get(0, 0, 0) == B.AIR     # unseen: the level
    g.set(4, -3, 4, B.AIR)                                            # broken
    assert g.get(4, -3, 4) == B.AIR


def test_surface_cells_of_the_worlds_own_depth_are_its_solid_blocks():
    world = VoxelWorld()
    world.reset(11)
    p = world.player
    cells, tops = surface_cells(p.eye(), p.yaw, p.pitch, world.depth(), CameraModel())
    assert len(cells) > 100 and tops.any()
    solid = [B.SOLID[world.store.get(*c)] or world.store.get(*c) == B.WATER for c in cells.tolist()]
    assert np.mean(solid) > 0.97
    above = [world.store.get(x, y + 1, z) == B.AIR for x, y, z in cells[tops].tolist()]
    assert np.mean(above) > 0.97   # seen from above: the top of its column


def test_drift_is_zero_while_standing_still_and_the_measure_reports_both_trackers(monkeypatch):
    from playground.eval import pose_drift as P
    monkeypatch.setattr(P, "script", lambda name, rng, ticks: [A.zero()] * ticks)
    assert all(P.drift(5, 8, source) == 0 for source in P.TRACKERS)
    r = P.pose_drift([5], ticks=4, progress=False)
    assert r["dead reckoning"]["median"] == 0 and r["world's depth"]["within_half_block"] == 1.0
    assert r["depth network"]["median"] == 0 and r["visual check"]["median"] == 0


def test_ground_records_edits_and_forgets_what_is_far():
    g = Ground()
    g.set(1, 0, 2, 0)
    g.mark(np.array([[1, 0, 2], [40, 3, 40]]), np.array([True, True]))
    assert g.edits == [(1, 0, 2)]
    g.keep_near(0.0, 0.0, 24.0)
    assert (1, 0, 2) in g.blocks and (40, 3, 40) not in g.blocks and (40, 40) not in g.lowest


def _wall_ahead(world, distance: int = 3):
    """Turn the player to face +z and build stone three blocks high and seven wide
    `distance` blocks ahead of it."""
    world.player.yaw = 0.0
    x, y, z = np.floor(world.player.pos).astype(int).tolist()
    for side in range(-3, 4):
        for up in range(3):
            world.store.set(x + side, y + up, z + distance, B.STONE)


def test_the_visual_check_stops_where_the_world_stops_and_the_rules_walk_on():
    world = VoxelWorld()
    frame = world.reset(3)
    _wall_ahead(world)
    frame = world.render()
    plain, checked = PoseTracker(1), PoseTracker(1)
    for t in (plain, checked):
        t.reset_rows([0], [world.player.pitch], [world.player.yaw])
    yaw0, start = world.player.yaw, world.player.pos.copy()
    positions, tracked_plain, tracked_checked = [start.copy()], [np.zeros(3)], [np.zeros(3)]
    for a in walk(30):
        before, depth = frame, world.depth()
        frame = world.step(a)
        plain.step(a[None])
        checked.step_seen(0, a, before, depth, frame)
        positions.append(world.player.pos.copy())
        tracked_plain.append(plain.players[0].pos.copy())
        tracked_checked.append(checked.players[0].pos.copy())
    positions = np.array(positions)
    assert np.linalg.norm(positions[-1] - positions[-10]) < 1e-6       # the world's player stands at the wall
    assert pose_error(positions, yaw0, np.array(tracked_plain))[-1] > 3.0
    assert pose_error(positions, yaw0, np.array(tracked_checked))[-1] < 0.3


def test_a_view_reprojects_onto_itself_and_a_step_changes_it():
    from playground.dream.visual_odometry import reprojection_error
    world = VoxelWorld()
    frame = world.reset(3)
    p = world.player
    view = (p.eye(), p.yaw, p.pitch)
    assert reprojection_error(frame, world.depth(), view, frame, view) < 1e-3
    moved = (p.eye() + np.array([0.0, 0.0, 0.5]), p.yaw, p.pitch)
    assert reprojection_error(frame, world.depth(), view, frame, moved) > 5.0
    sky = np.full(frame.shape[:2], np.inf)
    assert reprojection_error(frame, sky, view, frame, view) is None   # nothing near to compare
