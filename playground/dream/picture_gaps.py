"""The gaps a splatted picture leaves (world_memory.py's renders), closed in place: one-pixel
holes and cracks between splats, a farther surface showing through them, and gaps inside a
row before the picture meets the encoder. Arrays are (..., H, W) masks or distances and
(..., H, W, 3) pictures: one picture or a batch."""
from __future__ import annotations

import numpy as np


def fill_row_gaps(image: np.ndarray, seen: np.ndarray) -> None:
    """Pixels not `seen` (..., H, W) between two seen pixels of their row take the nearer
    one's colour in `image` (..., H, W, 3), in place: the encoder meets no dark gap inside a
    surface (the coverage still says they are not seen, and an edge fill does the rows' ends)."""
    W = seen.shape[-1]
    cols = np.arange(W)
    left = np.maximum.accumulate(np.where(seen, cols, -1), axis=-1)                 # nearest seen at or before
    right = np.minimum.accumulate(np.where(seen, cols, 2 * W)[..., ::-1], axis=-1)[..., ::-1]   # at or after
    gap = ~seen & (left >= 0) & (right < W)
    source = np.where(gap, np.where(right - cols < cols - left, right, left), cols)
    image[...] = np.take_along_axis(image, source[..., None], axis=-2)


def four_neighbours(a: np.ndarray, border=None, channels: int = 0) -> tuple[np.ndarray, ...]:
    """Each pixel's neighbour above, below, left and right, as arrays shaped like `a`
    (..., H, W) followed by `channels` trailing axes (0 or 1); beyond the image's edge,
    `border`, or with None the edge pixel's own value."""
    width = [(0, 0)] * (a.ndim - 2 - channels) + [(1, 1), (1, 1)] + [(0, 0)] * channels
    pad = np.pad(a, width, mode="edge") if border is None else np.pad(a, width, constant_values=border)
    tail = (slice(None),) * channels
    inner, before, after = slice(1, -1), slice(None, -2), slice(2, None)
    return tuple(pad[(Ellipsis, rows, cols) + tail]
                 for rows, cols in ((before, inner), (after, inner), (inner, before), (inner, after)))


def seen_through(distance: np.ndarray, tolerance: float) -> np.ndarray:
    """(..., H, W) bool: pixels whose point (at `distance` (..., H, W)) lies the share
    `tolerance` farther than the points drawn at 3 or 4 of their neighbours: a farther surface
    showing through a gap between a nearer one's splats (its points rounded apart at this pose)."""
    far = distance * (1 - tolerance)
    nearer = sum((n < far).astype(np.int8) for n in four_neighbours(distance, border=np.inf))
    return np.isfinite(distance) & (nearer >= 3)


def close_holes(image: np.ndarray, solid: np.ndarray, drawn=None, cracks: bool = False) -> None:
    """Pixels no point drew but at least 3 of their 4 neighbours did (a re-projection's
    rounding gaps), or with `cracks` any between two that did, above and below or left and
    right (one-pixel cracks between splats), take a neighbour's colour, in place, and its
    `drawn` distance and coarseness (a world_memory.Drawn with both); `solid` (..., H, W)
    gains them (`image` (..., H, W, 3): one picture or a batch)."""
    neighbours = four_neighbours(solid, border=False)
    up, down, left, right = neighbours
    holes = ~solid & (((up & down) | (left & right)) if cracks else (np.sum(neighbours, axis=0) >= 3))
    if not holes.any():
        return
    layers = [image] + ([] if drawn is None else [drawn.distance[..., None], drawn.coarse[..., None]])
    for layer in layers:
        shifted = four_neighbours(layer, channels=1)
        for has, value in zip(neighbours[::-1], shifted[::-1]):           # the first such neighbour wins
            take = holes & has
            layer[take] = value[take]
    solid[holes] = True
