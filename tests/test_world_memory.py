"""The world memory: points lifted from frames with depth, rendered for new poses."""
import numpy as np
import pytest

from playground.camera import CameraModel, reproject
from playground.dream import world_memory as WM
from playground.dream.world_memory import Drawn, WorldMemory

EYE = np.zeros(3)


def picture(seed=0, hw=(32, 48)):
    return np.random.default_rng(seed).integers(0, 255, (*hw, 3), dtype=np.uint8)


def test_a_view_renders_back_as_it_was_shown():
    frame = picture()
    memory = WorldMemory(1)
    memory.add(0, frame, np.full(frame.shape[:2], 5.0), EYE, 0.0, 0.0, tick=0)
    image, covered, _ = memory.render(0, EYE, 0.0, 0.0, frame.shape[:2])
    assert covered.mean() > 0.97
    assert (image[covered] == frame[covered]).all(axis=-1).mean() > 0.9


def test_the_sky_turns_like_a_rotation_and_keeps_its_first_view():
    frame, later = picture(1), picture(2)
    memory = WorldMemory(1)
    sky = np.full(frame.shape[:2], np.inf)
    memory.add(0, frame, sky, EYE, 0.0, 0.0, tick=0)
    memory.add(0, later, sky, EYE, 0.0, 0.0, tick=1)          # seen again: the first view stays
    image, covered, _ = memory.render(0, EYE, 10.0, 0.0, frame.shape[:2])
    want, saw = reproject(frame, (0.0, 0.0), (10.0, 0.0), CameraModel().fov_degrees)
    both = covered & saw
    assert 0.6 < covered.mean() < 0.95 and both.mean() > 0.6
    assert (np.abs(image[both].astype(int) - want[both]) == 0).all(axis=-1).mean() > 0.6


def test_terrain_beyond_max_distance_is_kept_by_direction_and_within_it_as_points():
    frame = picture()
    far = np.full(frame.shape[:2], 20.0)
    by_direction, as_points = WorldMemory(1), WorldMemory(1, max_distance=28.0)
    for memory in (by_direction, as_points):
        memory.add(0, frame, far, EYE, 0.0, 0.0, tick=0)
    assert by_direction.points() == 0 and by_direction.sky_seen.any()
    assert as_points.points() == frame.shape[0] * frame.shape[1] and not as_points.sky_seen.any()
    # Ten blocks nearer, the sky map shows the same picture; the points have grown.
    ahead = EYE + np.array([0.0, 0.0, 10.0])
    grown, _, _ = as_points.render(0, ahead, 0.0, 0.0, frame.shape[:2])
    fixed, _, _ = by_direction.render(0, ahead, 0.0, 0.0, frame.shape[:2])
    assert np.array_equal(fixed, by_direction.render(0, EYE, 0.0, 0.0, frame.shape[:2])[0])
    assert not np.array_equal(grown, as_points.render(0, EYE, 0.0, 0.0, frame.shape[:2])[0])


def test_what_the_render_drew_is_not_lifted_again():
    frame = picture()
    memory = WorldMemory(1)
    depth = np.full(frame.shape[:2], 4.0)
    drawn_there = Drawn(np.ones(frame.shape[:2], bool), np.full(frame.shape[:2], 4.2, np.float32),
                        np.zeros(frame.shape[:2], bool))
    memory.add(0, frame, depth, EYE, 0.0, 0.0, tick=0, drawn=drawn_there)
    assert memory.points() == 0
    memory.add(0, frame, depth, EYE, 0.0, 0.0, tick=0)
    n = memory.points()
    memory.add(0, picture(3), depth, EYE, 0.0, 0.0, tick=1)        # the same cells: kept, not added
    assert n > 0 and memory.points() == n


def test_a_surface_in_front_of_what_was_drawn_is_learned():
    frame = picture()
    memory = WorldMemory(1, relearn=True)
    memory.add(0, frame, np.full(frame.shape[:2], 8.0), EYE, 0.0, 0.0, tick=0)
    image, covered, drawn = memory.render(0, EYE, 0.0, 0.0, frame.shape[:2])
    assert np.isfinite(drawn.distance[covered]).mean() > 0.97
    nearer = np.full(frame.shape[:2], 8.0)
    nearer[10:20, 10:20] = 3.0                                      # a block placed in front
    assert drawn.lacks(nearer, relearn=True).sum() == 100 and not drawn.lacks(nearer, relearn=False).any()
    front = picture(5)
    memory.add(0, front, nearer, EYE, 0.0, 0.0, tick=1, drawn=drawn)
    image, covered, drawn = memory.render(0, EYE, 0.0, 0.0, frame.shape[:2])
    assert (image[11:19, 11:19] == front[11:19, 11:19]).all(axis=-1).mean() > 0.9
    assert np.allclose(drawn.distance[11:19, 11:19], 3.0, rtol=0.05)


def test_the_sky_map_is_no_point_so_ground_seen_there_later_is_learned():
    memory = WorldMemory(1, relearn=True)
    far = np.full((32, 48), np.inf)
    memory.add(0, picture(1), far, EYE, 0.0, 0.0, tick=0)
    image, covered, drawn = memory.render(0, EYE, 0.0, 0.0, (32, 48))
    assert covered.mean() > 0.9 and not np.isfinite(drawn.distance).any()
    assert drawn.lacks(np.full((32, 48), 5.0), relearn=True).all()
    assert not drawn.lacks(np.full((32, 48), 5.0), relearn=False)[covered].any()


def test_a_place_seen_far_away_is_replaced_by_a_view_from_near():
    memory = WorldMemory(1, relearn=True)
    wall_far, wall_near = np.full((32, 48, 3), 40, np.uint8), np.full((32, 48, 3), 200, np.uint8)
    memory.add(0, wall_far, np.full((32, 48), 12.0), EYE, 0.0, 0.0, tick=0)
    eye = np.array([0.0, 0.0, 9.0])                                 # walked up to 3 blocks from it
    image, covered, drawn = memory.render(0, eye, 0.0, 0.0, (32, 48))
    assert drawn.coarse[covered].mean() > 0.9
    assert (image[covered] == 40).all()
    memory.add(0, wall_near, np.full((32, 48), 3.0), eye, 0.0, 0.0, tick=1, drawn=drawn)
    image, covered, drawn = memory.render(0, eye, 0.0, 0.0, (32, 48))
    assert (image[covered] == 200).all(axis=-1).mean() > 0.97 and not drawn.coarse.any()


@pytest.mark.parametrize("relearn", [False, True])
def test_a_view_is_sure_where_shown_as_it_was_seen_and_not_where_magnified(relearn):
    memory = WorldMemory(1, relearn=relearn)
    memory.add(0, picture(), np.full((32, 48), 12.0), EYE, 0.0, 0.0, tick=0)
    _, covered, drawn = memory.render(0, EYE, 0.0, 0.0, (32, 48))
    assert drawn.sure.shape == covered.shape and drawn.sure.mean() > 0.97     # the pose it was seen from
    _, covered, drawn = memory.render(0, np.array([0.0, 0.0, 6.0]), 0.0, 0.0, (32, 48))
    assert covered.mean() > 0.7 and drawn.sure.mean() < 0.1                   # walked halfway up to it


def test_without_relearn_the_first_view_of_a_place_stays():
    memory = WorldMemory(1)
    wall_far, wall_near = np.full((32, 48, 3), 40, np.uint8), np.full((32, 48, 3), 200, np.uint8)
    memory.add(0, wall_far, np.full((32, 48), 12.0), EYE, 0.0, 0.0, tick=0)
    eye = np.array([0.0, 0.0, 9.0])
    image, covered, drawn = memory.render(0, eye, 0.0, 0.0, (32, 48))
    memory.add(0, wall_near, np.full((32, 48), 3.0), eye, 0.0, 0.0, tick=1, drawn=drawn)
    image, again, _ = memory.render(0, eye, 0.0, 0.0, (32, 48))
    assert (image[covered] == 40).all() and (image[again & ~covered] == 200).all()


def test_memory_stays_within_capacity_and_keeps_what_it_saw_last():
    memory = WorldMemory(1, capacity=3000)              # two views of 48 x 32
    frame = picture()
    for t in range(40):                                             # walking along: new ground each view
        eye = np.array([0.0, 0.0, 3.0 * t])
        memory.add(0, frame, np.full(frame.shape[:2], 3.0), eye, 0.0, 0.0, tick=t)
        assert memory.points() <= 3000
    image, covered, _ = memory.render(0, np.array([0.0, 0.0, 117.0]), 0.0, 0.0, frame.shape[:2])
    assert covered.mean() > 0.9                                     # the newest view is still there


def test_forgetting_a_block_removes_its_points():
    memory = WorldMemory(1)
    frame = picture()
    memory.add(0, frame, np.full(frame.shape[:2], 2.5), EYE, 0.0, 0.0, tick=0)
    before = memory.points()
    memory.forget(0, (0, 0, 2))           # the block straight ahead, 2 to 3 blocks away
    assert 0 < memory.points() < before
    cloud = memory.clouds[0]
    assert not np.all(np.floor(cloud.xyz) == [0, 0, 2], axis=1).any()


def test_clear_forgets_a_row_only():
    memory = WorldMemory(2)
    for r in range(2):
        memory.add(r, picture(r), np.full((32, 48), 3.0), EYE, 0.0, 0.0, tick=0)
    kept = len(memory.clouds[1])
    memory.clear([0])
    assert len(memory.clouds[0]) == 0 and len(memory.clouds[1]) == kept
    assert not memory.sky_seen[0].any()


@pytest.mark.parametrize("cell", [(0, 0, 0), (-5, 7, 1_000), (2**20 - 1, -2**20, 3)])
def test_cell_keys_are_distinct(cell):
    cells = np.array([cell, (cell[0] + 1, cell[1], cell[2]), (cell[0], cell[1] + 1, cell[2])])
    assert len(np.unique(WM.cell_keys(cells))) == 3


@pytest.mark.parametrize("relearn", [False, True])
def test_rows_rendered_together_are_each_what_rendering_it_alone_gives(relearn):
    memory = WorldMemory(3, relearn=relearn)
    for r in range(3):
        frame = picture(r)
        depth = np.random.default_rng(r).uniform(2.0, 9.0, frame.shape[:2])
        memory.add(r, frame, depth, EYE, 10.0 * r, -5.0 * r, tick=0)
    eyes, yaws, pitches = [np.array([0.2 * r, 0.1, 0.5]) for r in range(3)], [3.0, 15.0, 24.0], [0.0, -4.0, -12.0]
    images, covered, drawn = memory.render_rows(range(3), eyes, yaws, pitches, (32, 48))
    for r in range(3):
        image, cover, alone = memory.render(r, eyes[r], yaws[r], pitches[r], (32, 48))
        assert np.array_equal(images[r], image) and np.array_equal(covered[r], cover)
        for together, by_itself in zip(drawn.row(r), alone):
            assert (together is None and by_itself is None and not relearn) or np.array_equal(together, by_itself)
        assert cover.mean() > 0.3


@pytest.mark.parametrize("seen_here", [None, 0.25])
def test_a_view_from_here_keeps_its_place_before_a_later_point_in_front(seen_here):
    """A wall seen from EYE, then a post from 2 blocks aside in the space EYE saw empty:
    from EYE the post wins by depth alone; with `seen_here`, the view from here wins."""
    wall, post = picture(3), np.full((32, 48, 3), 7, np.uint8)
    memory = WorldMemory(1, seen_here=seen_here)
    memory.add(0, wall, np.full(wall.shape[:2], 8.0), EYE, 0.0, 0.0, tick=0)
    aside = np.array([2.0, 0.0, 0.0])
    memory.add(0, post, np.full(post.shape[:2], 3.0), aside, 0.0, 0.0, tick=1)    # drawn nowhere: all new
    image, covered, _ = memory.render(0, EYE, 0.0, 0.0, wall.shape[:2])
    posts = (image == 7).all(-1) & covered
    assert posts.mean() > 0.3 if seen_here is None else not posts.any()
    image_aside, _, _ = memory.render(0, aside, 0.0, 0.0, wall.shape[:2])
    assert (image_aside == 7).all(-1).mean() > 0.9          # seen from its own eye, the post is in front
