"""Closing the gaps a splatted picture leaves."""
import numpy as np

from playground.dream.picture_gaps import close_holes, fill_row_gaps, seen_through
from playground.dream.world_memory import DEPTH_TOLERANCE


def test_cracks_between_splats_close_only_when_asked():
    image, solid = np.full((5, 5, 3), 200, np.uint8), np.ones((5, 5), bool)
    solid[:, 2] = False                                     # a one-pixel crack down the middle
    image[:, 2] = 0
    kept, kept_solid = image.copy(), solid.copy()
    close_holes(kept, kept_solid)
    assert not kept_solid[1:4, 2].any()                     # two neighbours each: left open by default
    close_holes(image, solid, cracks=True)
    assert solid.all() and (image == 200).all()


def test_gaps_inside_a_row_take_the_nearest_colour_and_its_ends_are_left():
    image = np.zeros((2, 1, 7, 3), np.uint8)
    image[..., 1, :], image[..., 5, :] = 10, 50
    seen = np.zeros((2, 1, 7), bool)
    seen[..., [1, 5]] = True
    fill_row_gaps(image, seen)
    assert image[0, 0, :, 0].tolist() == [0, 10, 10, 10, 50, 50, 0] and np.array_equal(image[0], image[1])


def test_a_far_point_seen_through_a_gap_in_a_nearer_surface_is_a_hole():
    distance = np.full((5, 5), 2.0, np.float32)
    distance[2, 2] = 9.0                       # between four nearer points
    distance[0, 0] = 9.0                       # a corner: two nearer neighbours, an edge of the surface
    through = seen_through(distance, DEPTH_TOLERANCE)
    assert through[2, 2] and through.sum() == 1


def test_one_pixel_gaps_are_closed_from_a_neighbour():
    image = np.zeros((5, 5, 3), np.uint8)
    image[:] = 200
    solid = np.ones((5, 5), bool)
    solid[2, 2] = solid[0, 4] = False
    image[2, 2] = image[0, 4] = 0
    close_holes(image, solid)
    assert solid[2, 2] and (image[2, 2] == 200).all()      # a gap inside: closed
    assert not solid[0, 4] and (image[0, 4] == 0).all()    # a corner with 2 neighbours drawn: left open
