"""Vectorised voxel ray-caster: all pixels march through the block grid together (numpy).

Each ray walks the grid with Amanatides & Woo's DDA ("A Fast Voxel Traversal Algorithm",
1987): one voxel per iteration, all rays in lock-step, rays that hit something or pass
the far plane leave the active set. Shading is per-face colour x face light x a
per-texel hash texture, darkened block edges (so blocks read at 64x64), distance fog
into a sky gradient with a sun and blocky clouds.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.camera import FOV_DEGREES, camera_rays, view_rotation
from playground.rules import blocks as B
from playground.voxel.noise import hash_u32

SUN = np.array([0.35, 0.8, 0.48]) / np.linalg.norm([0.35, 0.8, 0.48])
SUN = SUN.astype(np.float32)
SKY_TOP = np.array([92, 140, 230], np.float32)
SKY_HORIZON = np.array([178, 208, 250], np.float32)
SUN_COLOR = np.array([255, 250, 215], np.float32)
CLOUD_COLOR = np.array([245, 245, 250], np.float32)
CLOUD_Y = 58.5
# Face light by hit axis and the sign of the step that entered the face (Minecraft-like:
# tops brightest, x-facing sides a little brighter than z-facing, bottoms darkest) times
# a soft sun term, so turning around changes the picture.
_FACE_BASE = {(0, 1): .78, (0, -1): .66, (1, 1): .50, (1, -1): 1.0, (2, 1): .72, (2, -1): .84}
# Indexed by axis * 2 + (step sign > 0); the face normal is minus the step direction.
_FACE_LIGHT = np.array([_FACE_BASE[a, s] * (0.8 + 0.2 * max(0.0, -s * SUN[a]))
                        for a in range(3) for s in (-1, 1)], np.float32)


@dataclass(frozen=True)
class Camera:
    width: int = 64
    height: int = 64
    fov_degrees: float = FOV_DEGREES   # vertical field of view
    far: float = 28.0           # fully fogged beyond this distance (blocks)
    fog_start: float = 0.45     # fog begins at this fraction of `far`


def render(region: np.ndarray, origin: tuple[int, int], eye: np.ndarray, yaw: float,
           pitch: float, cam: Camera = Camera(), top: int | None = None) -> np.ndarray:
    """Render the (X, Y, Z) uint8 block `region` whose [0, :, 0] is world (origin[0], 0,
    origin[1]) from `eye` (world coords); `top` bounds the highest block (optional).
    Returns a uint8 (H, W, 3) frame."""
    dirs, o = _view_rays(origin, eye, yaw, pitch, cam)
    t, block, axis, sign, voxel = march(region, o, dirs, cam.far, top)
    # Shade in world coordinates: textures and clouds hash the world position, so a block looks
    # the same whichever region holds it (the region is re-centred at every chunk the player
    # crosses; hashing region indices re-drew every texture and cloud there).
    rgb = shade(np.asarray(eye, np.float64), dirs, t, block, axis, sign,
                voxel + np.array([origin[0], 0, origin[1]]), cam)
    return rgb.reshape(cam.height, cam.width, 3)


def ray_depth(region: np.ndarray, origin: tuple[int, int], eye: np.ndarray, yaw: float, pitch: float,
              cam: Camera = Camera(), top: int | None = None) -> np.ndarray:
    """The distance along each pixel's ray to the block it shows, as `render` sees it
    (blocks; inf where it shows sky, beyond the far plane included): float64 (H, W)."""
    dirs, o = _view_rays(origin, eye, yaw, pitch, cam)
    return march(region, o, dirs, cam.far, top)[0].reshape(cam.height, cam.width)


def _view_rays(origin: tuple[int, int], eye, yaw: float, pitch: float, cam: Camera):
    """A view's world ray directions (H*W, 3) and its eye in the coordinates of the region
    whose [0, :, 0] is world (origin[0], 0, origin[1]), as `march` takes them."""
    dirs = camera_rays(cam.width, cam.height, cam.fov_degrees) @ view_rotation(yaw, pitch).T
    return dirs, np.asarray(eye, np.float64) - np.array([origin[0], 0.0, origin[1]])


def march(region: np.ndarray, o: np.ndarray, dirs: np.ndarray, far: float, top: int | None = None):
    """DDA through `region` from local origin `o` along unit `dirs` (N, 3).

    `top`: no block at or above this y (rays rising above it see only sky).
    Returns per ray: hit distance t (inf for none), block id (0 for none), hit axis
    (0/1/2), step sign along that axis (+1/-1) and the hit voxel (N, 3) int.

    Speed (numpy is per-call overhead bound at 4096 rays): each ray carries one flat
    voxel index moved by per-axis strides, so a step is ~20 array ops; rays that finish
    are masked and the arrays compacted only every few steps; each ray stops at its own
    limit (far plane, region box, or rising above the highest block).
    """
    n = len(dirs)
    X, Y, Z = region.shape
    top = Y if top is None else min(top, Y)
    start = np.floor(o).astype(np.int64)
    if not (0 <= start[0] < X and 0 <= start[2] < Z and 0 <= start[1] < Y):
        return (np.full(n, np.inf), np.zeros(n, np.uint8), np.zeros(n, np.int8),
                np.zeros(n, np.int8), np.zeros((n, 3), np.int64))
    state, istate = _ray_state(region.shape, top, o, dirs, start, far)
    flat = region.reshape(-1)
    out_t, out_idx = _step_rays(flat, state, istate, int(np.ceil(far * 1.75)) + 3)  # <= sqrt(3)*far voxels
    hit = np.isfinite(out_t)
    block = np.where(hit, flat[out_idx], 0).astype(np.uint8)
    vox = np.stack(np.unravel_index(out_idx, region.shape), 1)
    # The entry face: the coordinate of the hit point that lies on a voxel boundary.
    p = o + dirs * np.where(hit, out_t, 0.0)[:, None]
    off = np.abs(p - np.round(p))
    axis = np.where(off[:, 0] < np.minimum(off[:, 1], off[:, 2]), 0,
                    np.where(off[:, 1] < off[:, 2], 1, 2)).astype(np.int8)
    sign = np.where(np.take_along_axis(dirs, axis[:, None].astype(np.int64), 1)[:, 0] > 0, 1, -1)
    return out_t, block, axis, sign.astype(np.int8), vox


def _ray_state(shape, top: int, o: np.ndarray, dirs: np.ndarray, start: np.ndarray, far: float):
    """The DDA's per-ray state: float32 (7, N) tx ty tz dtx dty dtz limit, and int32
    (5, N) flat voxel index, per-axis index steps, ray id."""
    X, Y, Z = shape
    n = len(dirs)
    d = np.where(np.abs(dirs) < 1e-9, 1e-9, dirs)
    inv = 1.0 / d
    pos = d > 0
    # Where each ray leaves the box [0, X] x [0, top] x [0, Z] (slab test).
    box_hi = np.array([X, max(top, start[1] + 1), Z], np.float64)
    e = (np.where(pos, box_hi, 0.0) - o) * inv
    exit_t = np.minimum(np.minimum(e[:, 0], e[:, 1]), e[:, 2])  # (axis=1 reductions are slow)
    limit = np.minimum(exit_t - 1e-3, far)   # the voxel entered at exit_t is outside the box
    strides = np.array([Y * Z, Z, 1], np.int64)
    # float32/int32: the step is overhead bound and these halve it (t <= far needs no more).
    state = np.empty((7, n), np.float32)
    state[0:3] = (((start + pos) - o) * inv).T
    state[3:6] = np.abs(inv).T
    state[6] = limit
    istate = np.empty((5, n), np.int32)
    istate[0] = start @ strides
    istate[1:4] = (np.where(pos, 1, -1) * strides).T
    istate[4] = np.arange(n)
    return state, istate


def _step_rays(flat: np.ndarray, state: np.ndarray, istate: np.ndarray, max_steps: int):
    """Step every ray a voxel at a time until it hits a block or passes its limit; the hit
    distance (inf for none) and flat voxel index per ray."""
    n = state.shape[1]
    out_t = np.full(n, np.inf)
    out_idx = np.zeros(n, np.int64)
    res_t = np.full(n, np.inf, np.float32)
    res_idx = np.zeros(n, np.int32)
    alive = np.ones(n, bool)
    for i in range(max_steps):
        tx, ty, tz, dx, dy, dz, lim = state
        idx, sx, sy, sz, _ = istate
        t = np.minimum(np.minimum(tx, ty), tz)
        mx, my, mz = tx == t, ty == t, tz == t
        idx += mx * sx
        idx += my * sy
        idx += mz * sz
        tx += mx * dx
        ty += my * dy
        tz += mz * dz
        alive &= t <= lim                 # first: a voxel entered past the box or the far plane is no hit
        blk = flat.take(idx, mode="clip")
        first = alive & (blk != 0)
        np.copyto(res_t, t, where=first)
        np.copyto(res_idx, idx, where=first)
        alive &= ~first
        if i % 6 == 5 or i == max_steps - 1:
            dead = ~alive
            gone = istate[4][dead]
            out_t[gone] = res_t[dead]
            out_idx[gone] = res_idx[dead]
            keep = np.nonzero(alive)[0]
            if len(keep) == 0:
                break
            state, istate = state[:, keep], istate[:, keep]
            res_t, res_idx, alive = res_t[keep], res_idx[keep], alive[keep]
    return out_t, out_idx


def shade(o, dirs, t, block, axis, sign, voxel, cam: Camera) -> np.ndarray:
    """Colours (N, 3) uint8 for the marched rays, from the eye `o` and hit voxels `voxel` in
    world coordinates (textures and clouds hash them).

    Works on all N rays at once (misses masked at the end) rather than on the subset of
    hits: numpy here is overhead bound, and boolean gathers cost more than the extra lanes.
    """
    hit = np.isfinite(t)
    th = np.where(hit, t, 0.0).astype(np.float32)
    p = o + dirs * th[:, None].astype(np.float64)
    ah = axis.astype(np.int64)
    # Face: 0 = top (entered moving down), 1 = side, 2 = bottom.
    face = np.where(ah == 1, np.where(sign < 0, 0, 2), 1)
    color = B.FACE_COLORS[block, face]                                  # (N, 3)
    light = _FACE_LIGHT[ah * 2 + (sign > 0)]
    # Coordinates within the face, for a 4x4 texel texture and darkened block edges.
    pu = np.take_along_axis(p, _FACE_U[ah][:, None], 1)[:, 0]
    pv = np.take_along_axis(p, _FACE_V[ah][:, None], 1)[:, 0]
    fu, fv = (pu - np.floor(pu)).astype(np.float32), (pv - np.floor(pv)).astype(np.float32)
    tex = hash_u32(1234, voxel[:, 0], voxel[:, 1], voxel[:, 2],
                   (fu * 4).astype(np.int32) * 4 + (fv * 4).astype(np.int32) + 16 * face)
    tex = (tex >> np.uint32(8)).astype(np.float32) * np.float32(1 / 16777216.0) - 0.5
    # Texture and edge lines fade out with distance, as mip-mapping would: far texels are
    # smaller than a pixel and would only alias into noise.
    near = np.clip(1.6 - th / 9.0, 0, 1)
    edge = np.minimum(np.minimum(fu, 1 - fu), np.minimum(fv, 1 - fv)) < 0.06
    k = light * (1 + 2 * B.TEXTURE[block] * tex * near) * (1 - 0.18 * edge * near)
    k = np.where(B.EMISSIVE[block], 1.0 + 0.1 * tex, k)
    fog = np.clip((th / cam.far - cam.fog_start) / (1 - cam.fog_start), 0, 1)
    fog = np.where(hit, fog, 1.0).astype(np.float32)[:, None]
    rgb = color * (k[:, None] * (1 - fog))
    seen = fog[:, 0] > 0
    if seen.all():
        rgb += sky(o, dirs) * fog
    elif seen.any():
        rgb[seen] += sky(o, dirs[seen]) * fog[seen]
    return np.clip(rgb, 0, 255).astype(np.uint8)


# The two in-face coordinates for faces across each axis (x: z, y; y: x, z; z: x, y).
_FACE_U = np.array([2, 0, 0])
_FACE_V = np.array([1, 2, 1])


def sky(o: np.ndarray, dirs: np.ndarray) -> np.ndarray:
    """Sky colour (N, 3) float32: gradient, sun disc and blocky clouds at a fixed height."""
    dy = dirs[:, 1].astype(np.float32)
    up = np.sqrt(np.clip(dy, 0, 1))[:, None]
    rgb = SKY_HORIZON + (SKY_TOP - SKY_HORIZON) * up
    sun = np.clip((dirs @ SUN - 0.985) / 0.01, 0, 1).astype(np.float32)
    if sun.any():
        rgb += (SUN_COLOR - rgb) * sun[:, None]
    upward = dy > 0.02
    if upward.any():
        tc = (CLOUD_Y - o[1]) / np.where(upward, dy, 1.0)
        cx = np.floor((o[0] + dirs[:, 0] * tc) / 6).astype(np.int32)
        cz = np.floor((o[2] + dirs[:, 2] * tc) / 6).astype(np.int32)
        cloud = ((hash_u32(99, cx, cz) >> np.uint32(24)) < 56) & upward
        a = (cloud * np.clip(1 - tc / 160.0, 0, 1) * 0.85).astype(np.float32)[:, None]
        rgb += (CLOUD_COLOR - rgb) * a
    return rgb
