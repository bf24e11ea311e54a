"""Block types of the voxel world: ids, whether they are solid, and their face colours."""
from __future__ import annotations

import numpy as np

AIR, GRASS, DIRT, STONE, SAND, WATER, WOOD, LEAVES, SNOW, PLANKS, BRICK, COBBLE, BEDROCK, \
    GLOWSTONE, MARKER = range(15)
NAMES = ("air", "grass", "dirt", "stone", "sand", "water", "wood", "leaves", "snow",
         "planks", "brick", "cobblestone", "bedrock", "glowstone", "marker")
NUM_BLOCKS = len(NAMES)

# Blocks the player can place, in hotbar order 1-9.
HOTBAR = (DIRT, STONE, PLANKS, BRICK, COBBLE, SAND, WOOD, LEAVES, GLOWSTONE)

# Collides with the player (water and air do not).
SOLID = np.ones(NUM_BLOCKS, dtype=bool)
SOLID[[AIR, WATER]] = False
# Stops a ray (everything but air; water is drawn as an opaque surface).
OPAQUE = np.ones(NUM_BLOCKS, dtype=bool)
OPAQUE[AIR] = False
# Can be broken by the player.
BREAKABLE = SOLID.copy()
BREAKABLE[BEDROCK] = False

# Face colours (top, side, bottom) as RGB 0-255, before light, texture and fog.
_COLORS = {
    AIR: ((0, 0, 0),) * 3,
    GRASS: ((96, 168, 58), (134, 102, 66), (121, 85, 58)),
    DIRT: ((134, 96, 67),) * 3,
    STONE: ((128, 128, 130),) * 3,
    SAND: ((219, 207, 142),) * 3,
    WATER: ((52, 94, 200),) * 3,
    WOOD: ((150, 117, 70), (103, 80, 48), (150, 117, 70)),
    LEAVES: ((52, 128, 40),) * 3,
    SNOW: ((244, 248, 252), (200, 200, 205), (134, 96, 67)),
    PLANKS: ((180, 144, 90),) * 3,
    BRICK: ((150, 74, 58),) * 3,
    COBBLE: ((110, 110, 110),) * 3,
    BEDROCK: ((50, 50, 50),) * 3,
    GLOWSTONE: ((250, 214, 110),) * 3,
    MARKER: ((230, 40, 200),) * 3,
}
FACE_COLORS = np.array([_COLORS[b] for b in range(NUM_BLOCKS)], dtype=np.float32)  # (NB, 3, 3)
# How strongly the per-texel noise shows on each block (leaves and stone are rough).
TEXTURE = np.array([0, .10, .08, .10, .05, .04, .10, .22, .03, .08, .12, .18, .15, .06, 0],
                   dtype=np.float32)
EMISSIVE = np.zeros(NUM_BLOCKS, dtype=bool)
EMISSIVE[[GLOWSTONE, MARKER]] = True
assert len(TEXTURE) == NUM_BLOCKS
