"""What the dream has shown, kept in world space: a bounded cloud of coloured points.

Each frame the dream shows is lifted to 3D with its depth (the depth network's) from the
camera pose it was shown at (pose.py's tracker): every pixel within `max_distance` (by default
`MAX_DISTANCE`) becomes a point on the surface it saw. Points are indexed by cells of `CELL` blocks, and a later
view adds none to a cell that holds some, so a place seen again and again takes no more room (Memory Forcing and VMem index past views by
the 3D points they saw; this keeps the points themselves, as Matrix-Game 3.5 re-projects
lifted frames). A render for a new pose splats each point over the pixels it covers there,
nearest first, and says which pixels it covered. What lies beyond `max_distance` (sky, and
terrain the fog is hiding) is kept by direction alone in a sky map of `SKY_BINS` bins a
degree, as if at infinity, and fills the pixels no point covers. Terrain kept that way does
not grow as the player walks towards it, and covers the view there, so nothing nearer is
learned in its place; a `max_distance` as far as the depth network sees keeps only the sky
by direction.

Which evidence wins: the dream's own frames are redrawn from this memory every tick, so
taking a place's colour again from each redraw would copy the redraw's blur forward (the
first, sharper view of a place is the better one), and lifting it again with a new depth
estimate would scatter spurious points in front of it. So by default a frame adds only the
pixels its render for the pose (`Drawn`) did not cover, by a point or the sky map: what was
shown first stays, until an edit (breaking, placing) clears it. Bounded: past `capacity`
points, those not seen (drawn in a render) for longest are evicted, down to `EVICT_TO` of it.
Per cell is not per ray: a later view's point can lie in front of a place an earlier view
saw, in space that view showed empty. With `seen_here`, a render draws the points seen
from near its own eye first, so a return to a pose shows what was seen there.

Frames that are the world's own (a dataset's) deserve more trust: with `relearn`, a frame
also adds pixels only the sky map covered (its colour by direction is no point), pixels
whose surface lies more than `DEPTH_TOLERANCE` nearer than the point drawn there (something
in front the memory never saw), and pixels drawn by a point seen from more than `REFINE`
times farther, whose cell the nearer view's points then replace (detail, and fog); and a
render treats a point that wins a pixel only through a gap in a nearer surface as a hole,
closes one-pixel cracks between splats, and gives the gaps left inside a row the nearest
covered colour (for the encoder; they stay uncovered). With the world's frames, depth and poses
(`tools/picture_fidelity.py`) this cuts the picture's pixel error by a quarter; in the dream, with the
shipped network, the same rules let its blurred redraws and their depth back into the
memory and a minute of play smears (docs/experiments.md), so they are off there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from playground.camera import CameraModel, camera_rays, project, view_rotation
from playground.dream.picture_gaps import close_holes, fill_row_gaps, seen_through

CELL = 0.1              # blocks: the cells that say whether a place is already kept
MAX_DISTANCE = 16.0     # blocks: beyond this the fog hides too much to keep
CAPACITY = 100_000      # points per row (about 3.5 MB; 4.7 with seen_here)
DEPTH_TOLERANCE = 0.1   # a surface this share nearer than the point drawn there is new to the memory
REFINE = 2.0            # a point seen with this many times a new view's sample spacing is replaced
EVICT_TO = 0.9          # share of capacity kept after an eviction (so it runs rarely)
MAX_SPLAT = 7           # pixels: the largest square one point is drawn as
SKY_BINS = 0.5          # degrees per sky-map bin (a pixel of the 64-pixel view spans about 1.1)
_BIAS = 1 << 20         # cell coordinates are packed into one int64 key, 21 bits each


def cell_keys(cells: np.ndarray) -> np.ndarray:
    """Integer cells (N, 3) -> int64 keys (N,), one per cell (|coordinate| < 2**20)."""
    c = cells.astype(np.int64) + _BIAS
    return (c[:, 0] << 42) | (c[:, 1] << 21) | c[:, 2]


class Drawn(NamedTuple):
    """What a render drew at each pixel: `covered` (..., H, W) bool, by a point or the sky
    map; `distance` (..., H, W) float32 of the point drawn (blocks; inf where only the sky
    map or nothing drew it); `coarse` (..., H, W) bool, the point was seen with more than
    REFINE times the sample spacing it has now. A memory without `relearn` leaves those two
    None (it has no use for them, and they cost a millisecond a render). `sure` (..., H, W)
    bool: drawn by the sky map or by a point no wider than a pixel, so shown as it was seen
    (not magnified, not a closed hole): the share of the view a render can be trusted with.
    """
    covered: np.ndarray
    distance: np.ndarray | None
    coarse: np.ndarray | None
    sure: np.ndarray | None = None

    def row(self, k) -> "Drawn":
        return Drawn(*(None if a is None else a[k] for a in self))

    def put(self, k, other: "Drawn") -> None:
        """Row(s) `k` become `other`'s, in place."""
        for mine, theirs in zip(self, other):
            if mine is not None:
                mine[k] = theirs

    def lacks(self, depth: np.ndarray, relearn: bool) -> np.ndarray:
        """(H, W) bool: where a frame with `depth` (H, W) (inf: sky or fog) shows what this
        render (of one row) does not hold: what it did not cover; with `relearn`, also where
        no point drew it, the surface is nearer than the point drawn, or the point is coarse."""
        if not relearn:
            return ~self.covered
        return ~np.isfinite(self.distance) | (depth < self.distance * (1 - DEPTH_TOLERANCE)) | self.coarse


@dataclass
class Cloud:
    """One row's points, sorted by key: key (N,) int64, xyz (N, 3) float32, rgb (N, 3)
    uint8, spacing (N,) float32 (blocks between neighbouring samples where it was seen),
    seen (N,) int64 (the tick it was last seen), eye (N, 3) float32 (where it was seen from;
    None where the memory does not ask: WorldMemory.seen_here off)."""
    key: np.ndarray
    xyz: np.ndarray
    rgb: np.ndarray
    spacing: np.ndarray
    seen: np.ndarray
    eye: np.ndarray | None = None

    @classmethod
    def empty(cls, eyes: bool = False) -> "Cloud":
        return cls(np.empty(0, np.int64), np.empty((0, 3), np.float32), np.empty((0, 3), np.uint8),
                   np.empty(0, np.float32), np.empty(0, np.int64), np.empty((0, 3), np.float32) if eyes else None)

    def take(self, index) -> "Cloud":
        return Cloud(self.key[index], self.xyz[index], self.rgb[index], self.spacing[index], self.seen[index],
                     None if self.eye is None else self.eye[index])

    def __len__(self) -> int:
        return len(self.key)


class WorldMemory:
    """One point cloud per batch row, in the pose tracker's world frame (blocks)."""

    def __init__(self, rows: int, camera: CameraModel = CameraModel(), capacity: int = CAPACITY,
                 relearn: bool = False, seen_here: float | None = None, max_distance: float = MAX_DISTANCE):
        """relearn: later views correct what is kept (the rules in the module's docstring),
        for frames that are the world's own; off, the dream's default, a place keeps the
        first view that covered it, sky map included, and renders close only the gaps
        three neighbours surround. seen_here (blocks): a render draws the points seen from
        within this distance of its eye before all others, nearest first among each (a view
        from here saw the space in front of them empty); None: the nearest point wins.
        max_distance (blocks): pixels up to this far become points, farther ones (and the sky)
        go to the sky map by direction."""
        self.camera, self.capacity, self.relearn, self.seen_here = camera, capacity, relearn, seen_here
        self.max_distance = max_distance
        self.clouds = [self._empty() for _ in range(rows)]
        n_up, n_around = int(round(180 / SKY_BINS)), int(round(360 / SKY_BINS))
        self.sky = np.zeros((rows, n_up, n_around, 3), np.uint8)     # colour by direction
        self.sky_seen = np.zeros((rows, n_up, n_around), bool)

    def clear(self, rows) -> None:
        for r in np.asarray(rows).tolist():
            self.clouds[r] = self._empty()
            self.sky_seen[r] = False

    def _empty(self) -> Cloud:
        return Cloud.empty(eyes=self.seen_here is not None)

    def _sky_bins(self, directions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The sky map's (row, column) of unit world directions (N, 3)."""
        up = np.degrees(np.arcsin(np.clip(directions[:, 1], -1, 1))) + 90
        around = np.degrees(np.arctan2(directions[:, 0], directions[:, 2])) % 360
        n_up, n_around = self.sky.shape[1:3]
        return (np.minimum(up / SKY_BINS, n_up - 1).astype(np.int64),
                np.minimum(around / SKY_BINS, n_around - 1).astype(np.int64))

    def points(self) -> int:
        return sum(len(c) for c in self.clouds)

    def _pixel_angle(self, H: int) -> float:
        """Radians between neighbouring pixels at the centre of an H-pixel-high view."""
        return 2 * np.tan(np.radians(self.camera.fov_degrees) / 2) / H

    def add(self, row: int, frame: np.ndarray, depth: np.ndarray, eye: np.ndarray, yaw: float, pitch: float,
            tick: int, drawn: Drawn | None = None) -> None:
        """Row `row` learns what `frame` (H, W, 3) uint8 shows at distances `depth` (H, W)
        (inf: sky or fog) seen from `eye` (3,) at (yaw, pitch) degrees, at `tick`: where
        `drawn`, its render for this pose (one row's), lacks it (Drawn.lacks), or all of it."""
        H, W = depth.shape
        rays = camera_rays(W, H, self.camera.fov_degrees) @ view_rotation(yaw, pitch).T   # (H*W, 3)
        t = depth.reshape(-1)
        unknown = np.ones(H * W, bool) if drawn is None else drawn.lacks(depth, self.relearn).reshape(-1)
        colour = frame.reshape(-1, 3)
        far, near = unknown & ~(t < self.max_distance), unknown & (t < self.max_distance)
        self._add_sky(row, rays[far], colour[far], np.degrees(self._pixel_angle(H)))
        xyz = (eye + rays[near] * t[near, None]).astype(np.float32)
        spacing = (t[near] * self._pixel_angle(H)).astype(np.float32)
        keys = cell_keys(np.floor(xyz / CELL))
        order = np.argsort(keys, kind="stable")     # every pixel a point: the view renders back exactly
        eyes = None if self.seen_here is None else np.broadcast_to(np.float32(eye), (len(keys), 3))
        new = Cloud(keys[order], xyz[order], colour[near][order], spacing[order], np.full(len(keys), tick, np.int64),
                    eyes)
        self.clouds[row] = self._merge(self.clouds[row], new)

    def _add_sky(self, row: int, directions: np.ndarray, colour: np.ndarray, pixel_degrees: float) -> None:
        """Sky samples fill their bins, then the empty bins around them, out to half a pixel
        (`pixel_degrees` apart: the bins between samples would stay empty); what a bin saw
        first stays, and a sample's own bin before its neighbours'."""
        i, j = self._sky_bins(directions)
        n_up, n_around = self.sky.shape[1:3]
        r = int(np.ceil(pixel_degrees / (2 * SKY_BINS)))
        ring = sorted(((di, dj) for di in range(-r, r + 1) for dj in range(-r, r + 1)),
                      key=lambda d: max(abs(d[0]), abs(d[1])))
        for di, dj in ring:
            bi, bj = np.clip(i + di, 0, n_up - 1), (j + dj) % n_around
            fresh = ~self.sky_seen[row, bi, bj]
            self.sky[row, bi[fresh], bj[fresh]] = colour[fresh]
            self.sky_seen[row, bi[fresh], bj[fresh]] = True

    def _merge(self, old: Cloud, new: Cloud) -> Cloud:
        """New points join in key order, except in cells that already hold points; a cell
        whose points are REFINE times coarser than a new one in it is replaced by the new."""
        at, known = self._cells_held(old, new)
        finer = known & self.relearn
        finer[finer] = new.spacing[finer] * REFINE < old.spacing[at[finer]]
        if finer.any():
            old = old.take(~np.isin(old.key, new.key[finer]))
            at, known = self._cells_held(old, new)
        add = new.take(~known)
        # np.insert's placement, worked out once for the five arrays: the new points (sorted,
        # so their insertion points never decrease) land at their insertion point plus the
        # number of new points before them; the old ones fill the rest in order.
        at_new = at[~known] + np.arange(len(add))
        old_slots = np.ones(len(old) + len(add), bool)
        old_slots[at_new] = False

        def merge(a_old: np.ndarray, a_new: np.ndarray) -> np.ndarray:
            out = np.empty((len(old_slots), *a_old.shape[1:]), a_old.dtype)
            out[at_new], out[old_slots] = a_new, a_old
            return out
        merged = Cloud(*(None if getattr(old, f) is None else merge(getattr(old, f), getattr(add, f))
                         for f in Cloud.__dataclass_fields__))
        return self._evict(merged) if len(merged) > self.capacity else merged

    @staticmethod
    def _cells_held(old: Cloud, new: Cloud) -> tuple[np.ndarray, np.ndarray]:
        """Where each new point's key falls in `old` (N,) and whether `old` holds its cell (N,)."""
        at = np.searchsorted(old.key, new.key)
        known = at < len(old)
        known[known] = old.key[at[known]] == new.key[known]
        return at, known

    def _evict(self, cloud: Cloud) -> Cloud:
        """The points seen most recently, EVICT_TO of capacity, in key order."""
        keep = np.sort(np.argpartition(-cloud.seen, int(self.capacity * EVICT_TO))[:int(self.capacity * EVICT_TO)])
        return cloud.take(keep)

    def count_in_box(self, row: int, lo: np.ndarray, hi: np.ndarray) -> int:
        """How many of row `row`'s points lie in the box [lo, hi] (3,) each."""
        xyz = self.clouds[row].xyz
        return int(np.count_nonzero(np.all((xyz >= lo) & (xyz <= hi), axis=1)))

    def forget(self, row: int, cell) -> None:
        """Row `row` forgets the block at integer `cell` (x, y, z): broken, or placed anew."""
        c = self.clouds[row]
        inside = np.all(np.floor(c.xyz).astype(np.int64) == np.asarray(cell, np.int64), axis=1)
        if inside.any():
            self.clouds[row] = c.take(~inside)

    def render(self, row: int, eye: np.ndarray, yaw: float, pitch: float, hw: tuple[int, int],
               tick: int | None = None):
        """Row `row`'s points seen from `eye` at (yaw, pitch): (image (H, W, 3) uint8, covered
        (H, W) bool, Drawn of (H, W)). See render_rows."""
        images, covered, drawn = self.render_rows([row], [eye], [yaw], [pitch], hw, tick)
        return images[0], covered[0], drawn.row(0)

    def render_rows(self, rows, eyes, yaws, pitches, hw: tuple[int, int], tick: int | None = None):
        """Each of `rows`' (n,) points seen from its `eyes` (n, 3) at its (yaw, pitch)
        degrees: (images (n, H, W, 3) uint8, covered (n, H, W) bool, Drawn of (n, H, W)).
        Each point is a square as wide as its sample spacing there, up to MAX_SPLAT pixels;
        the nearest point wins a pixel (with `relearn`, unless it wins only through a gap in
        a nearer surface: seen_through). With `tick`, the points drawn count as seen then
        (eviction keeps what is seen). The rows share one splat and one hole-closing pass (a
        batch of rows costs about what one does in numpy's per-call overhead); each row's
        picture is exactly what rendering it alone gives."""
        H, W = hw
        rows = np.asarray(rows).tolist()
        images, covered = np.empty((len(rows), H, W, 3), np.uint8), np.empty((len(rows), H, W), bool)
        cams, us, vs, spacing, where, here = [], [], [], [], [], []   # here: only with seen_here
        for k, (r, eye, yaw, pitch) in enumerate(zip(rows, eyes, yaws, pitches)):
            rotation = view_rotation(yaw, pitch)
            i, j = self._sky_bins(camera_rays(W, H, self.camera.fov_degrees) @ rotation.T)   # (H*W,) each
            images[k], covered[k] = self.sky[r, i, j].reshape(H, W, 3), self.sky_seen[r, i, j].reshape(H, W)
            c = self.clouds[r]
            # (N, 3) camera coordinates, in float32 as the points are (the cloud is large)
            cam = (c.xyz - np.float32(eye)) @ rotation.astype(np.float32)
            u, v, seen = project(cam, H, W, self.camera.fov_degrees)
            seen = np.flatnonzero(seen)
            cams.append(cam[seen]), us.append(u[seen] + k * W), vs.append(v[seen]), spacing.append(c.spacing[seen])
            if self.seen_here is not None:
                here.append(((c.eye[seen] - np.float32(eye)) ** 2).sum(1) < np.float32(self.seen_here) ** 2)
            where.append(seen)
        # Rows side by side in one image n*W wide; a splat crossing into the next row's
        # columns is dropped by its own row's bounds below.
        first = np.cumsum([0] + [len(w) for w in where])
        row_of = np.repeat(np.arange(len(rows)), np.diff(first))
        cams, spacing = np.concatenate(cams), np.concatenate(spacing)
        pixel, drawn, grown = self._splat(cams, np.concatenate(us), np.concatenate(vs), spacing, H, W, row_of,
                                          np.concatenate(here) if here else None)
        near = self._drawn(covered, cams[drawn], spacing[drawn], pixel) if self.relearn else Drawn(covered, None, None)
        sure = covered.copy()
        sure.reshape(-1)[pixel] = ~grown
        solid = np.zeros((len(rows), H, W), bool)
        k_of = row_of[drawn]
        for k, r in enumerate(rows):
            mine = k_of == k
            c, point = self.clouds[r], where[k][drawn[mine] - first[k]]
            flat = pixel[mine] - k * H * W
            images[k].reshape(-1, 3)[flat] = c.rgb[point]
            solid[k].reshape(-1)[flat] = True
            if tick is not None:
                c.seen[point] = tick
        if self.relearn:
            through = seen_through(near.distance, DEPTH_TOLERANCE)
            solid &= ~through
            sure[through] = covered[through]
            near.distance[through] = np.inf
        close_holes(images, solid, near if self.relearn else None, cracks=self.relearn)
        seen = covered | solid
        if self.relearn:
            fill_row_gaps(images, seen)
        return images, seen, near._replace(covered=seen, sure=sure)

    def _drawn(self, covered: np.ndarray, cam: np.ndarray, spacing: np.ndarray, pixel: np.ndarray) -> Drawn:
        """Drawn of a render whose winning points (m, 3 camera coordinates; m spacings) drew
        the flat `pixel`s (m,) of images shaped like `covered` (n, H, W)."""
        distance = np.linalg.norm(cam, axis=1)                                  # (m,)
        near = Drawn(covered, np.full(covered.shape, np.inf, np.float32), np.zeros(covered.shape, bool))
        near.distance.reshape(-1)[pixel] = distance
        near.coarse.reshape(-1)[pixel] = spacing > REFINE * distance * self._pixel_angle(covered.shape[1])
        return near

    def _splat(self, cam: np.ndarray, u: np.ndarray, v: np.ndarray, spacing: np.ndarray, H: int, W: int,
               row_of: np.ndarray, priority: np.ndarray | None = None):
        """Points in view (n, 3 camera coordinates; pixels u, v, u offset by W per image row
        `row_of` (n,); sample spacing) as squares as wide as their pixel's footprint spans
        now, nearest first, but the `priority` (n,) bool points, where given, before all others: the pixels drawn
        (m,) flat over the images (image k's pixels from k*H*W), the point (index into the
        n) that wins each, and whether its square is wider than a pixel (m,) bool."""
        z = cam[:, 2]
        # One pixel from where a point was seen, more from nearer (a quarter pixel of slack,
        # so a view is not grown by rounding).
        now = np.linalg.norm(cam, axis=1) * self._pixel_angle(H)
        size = np.clip(np.ceil(spacing / now - 0.25), 1, MAX_SPLAT).astype(np.int64)
        us, vs, zs, idx = [np.empty(0, np.int64)], [np.empty(0, np.int64)], [np.empty(0, z.dtype)], \
            [np.empty(0, np.int64)]
        for s in np.unique(size):
            pick = np.flatnonzero(size == s)
            du, dv = np.meshgrid(np.arange(s) - s // 2, np.arange(s) - s // 2)
            us.append((u[pick, None] + du.reshape(1, -1)).reshape(-1))
            vs.append((v[pick, None] + dv.reshape(1, -1)).reshape(-1))
            # A splat's own pixel before its neighbours' overlap at about the same depth.
            ring = np.maximum(np.abs(du), np.abs(dv)).reshape(1, -1)
            zs.append((z[pick, None] * (1 + 0.1 * ring)).reshape(-1))
            idx.append(np.repeat(pick, s * s))
        us, vs, zs, idx = (np.concatenate(a) for a in (us, vs, zs, idx))
        left = row_of[idx] * W                                            # each image's first column
        inside = (us >= left) & (us < left + W) & (vs >= 0) & (vs < H)
        pixel = (left * H + vs * W + us - left)[inside]
        zs, idx = zs[inside], idx[inside]
        keys = (zs, pixel) if priority is None else (zs, ~priority[idx], pixel)
        order = np.lexsort(keys)                                          # by pixel, priority, nearest
        pixel, first = np.unique(pixel[order], return_index=True)
        winner = idx[order][first]
        return pixel, winner, size[winner] > 1
