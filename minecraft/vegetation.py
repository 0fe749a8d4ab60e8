"""Trees and plants on land cover, placed deterministically.

Whether a column holds a trunk, which species it is and what grows on the ground are decided by
a hash of the column's global block coordinates, never by a random generator's order, so a region
built alone, resumed or built by another worker holds exactly the same trees. Crowns reach up to
2 blocks from their trunk; the build gives every region a margin wider than that, so a crown
crossing a region seam is drawn whole from both sides.
"""
from __future__ import annotations

import numpy as np

from . import cover
from .blocks import Block
from .terrain import NO_WATER, TREE_REACH

MAX_SCALE = 4.0  # metres per block beyond which single trees and plants make no sense
SOIL = (Block.GRASS_BLOCK, Block.PODZOL, Block.MOSS_BLOCK, Block.FARMLAND)


def column_hash(x: np.ndarray, z: np.ndarray, salt: int = 0) -> np.ndarray:
    """A deterministic pseudo-random uint32 per global block column (and salt)."""
    h = ((x.astype(np.uint32) * np.uint32(0x9E3779B1))
         ^ (z.astype(np.uint32) * np.uint32(0x85EBCA77)) ^ np.uint32(salt * 0x27D4EB2F))
    h ^= h >> np.uint32(15)
    h *= np.uint32(0x2C1B3C6D)
    h ^= h >> np.uint32(12)
    return h


def _oak(log, leaves, trunk):
    """A round crown: trunk 1..trunk, leaves from two below its top to two above."""
    t = trunk
    return ([(0, 0, dy, log) for dy in range(1, t + 1)]
            + [(dx, dz, dy, leaves) for dy in (t - 1, t) for dx in range(-2, 3)
               for dz in range(-2, 3) if not (abs(dx) == 2 and abs(dz) == 2)]
            + [(dx, dz, dy, leaves) for dy in (t + 1, t + 2) for dx in range(-1, 2)
               for dz in range(-1, 2) if dy == t + 1 or (dx == 0 or dz == 0)])


def _spruce():
    """A cone: trunk 1..7, alternating wide and narrow layers of needles, a single tip."""
    wide = [(dx, dz) for dx in range(-2, 3) for dz in range(-2, 3) if abs(dx) + abs(dz) <= 3]
    narrow = [(dx, dz) for dx in range(-1, 2) for dz in range(-1, 2) if abs(dx) + abs(dz) <= 1]
    layers = {3: wide, 4: narrow, 5: wide, 6: narrow, 7: narrow, 8: [(0, 0)]}
    return ([(0, 0, dy, Block.SPRUCE_LOG) for dy in range(1, 8)]
            + [(dx, dz, dy, Block.SPRUCE_LEAVES) for dy, cells in layers.items()
               for dx, dz in cells if (dx, dz) != (0, 0) or dy == 8])


# Species -> (dx, dz, dy above ground, block); logs first so leaves never replace them.
SHAPES = {cover.OAK: _oak(Block.OAK_LOG, Block.OAK_LEAVES, 4),
          cover.BIRCH: _oak(Block.BIRCH_LOG, Block.BIRCH_LEAVES, 5),
          cover.SPRUCE: _spruce()}
TREE_TOP = max(dy for shape in SHAPES.values() for _, _, dy, _ in shape)
CROWN = max(max(abs(dx), abs(dz)) for shape in SHAPES.values() for dx, dz, _, _ in shape)
# A crown crossing a seam is drawn from the neighbour's window: its trunk's ground must be exact
# there, which terrain.surface guarantees up to TREE_REACH blocks outside the region.
assert CROWN < TREE_REACH, "tree crowns must fit within terrain.TREE_REACH"

_M2 = cover.table("m2_per_tree", np.float64)
_PLANTS = cover.table("plants", np.float64)
_SPECIES = [cover.CLASSES[c].species for c in range(len(cover.CLASSES))]


def free_ground(top: np.ndarray, water: np.ndarray, void: np.ndarray, road: np.ndarray,
                building: np.ndarray, deck: np.ndarray, no_deck: int) -> np.ndarray:
    """Dry soil with nothing built on it: where trees and plants may grow."""
    return (np.isin(top, SOIL) & (water == NO_WATER) & ~void & (road == 0) & (building < 0)
            & (deck == no_deck))


def has_trees(classes: np.ndarray) -> bool:
    return bool((_M2[classes] > 0).any())


def trees(classes: np.ndarray, free: np.ndarray, x0: int, z0: int,
          scale: float) -> dict[int, np.ndarray]:
    """Trunk cells (bool) per species in a window whose cell (0, 0) is block (x0, z0)."""
    if scale > MAX_SCALE or not has_trees(classes):
        return {}
    h, w = classes.shape
    zz, xx = np.mgrid[z0:z0 + h, x0:x0 + w]
    r = column_hash(xx, zz) % np.uint32(1_000_000)
    m2 = _M2[classes]
    p = np.where(m2 > 0, scale * scale / np.where(m2 > 0, m2, 1.0), 0.0)
    trunk = free & (r < (np.minimum(p, 0.5) * 1_000_000).astype(np.uint32))
    pick = column_hash(xx, zz, salt=1)
    out: dict[int, np.ndarray] = {}
    for cls in np.unique(classes[trunk]):
        species = _SPECIES[int(cls)]
        here = trunk & (classes == cls)
        which = pick % np.uint32(len(species))
        for k, sp in enumerate(species):
            sel = here & (which == k)
            if sel.any():
                out[sp] = out[sp] | sel if sp in out else sel
    return dict(sorted(out.items()))


def plants(classes: np.ndarray, top: np.ndarray, free: np.ndarray, x0: int, z0: int,
           scale: float) -> np.ndarray:
    """The block standing on each column's ground (AIR: none): wheat on farmland, short grass
    and now and then a flower on meadows, in parks, forests and wetlands."""
    h, w = classes.shape
    out = np.zeros((h, w), dtype=np.uint8)
    out[free & (top == Block.FARMLAND)] = Block.WHEAT
    if scale > MAX_SCALE:
        return out
    zz, xx = np.mgrid[z0:z0 + h, x0:x0 + w]
    r = (column_hash(xx, zz, salt=2) % np.uint32(1000)).astype(np.float64) / 1000.0
    grow = free & (r < _PLANTS[classes]) & (top == Block.GRASS_BLOCK)
    flower = np.where(column_hash(xx, zz, salt=3) % np.uint32(2) == 0, Block.POPPY,
                      Block.DANDELION)
    out[grow] = np.where(r[grow] < _PLANTS[classes][grow] * 0.1, flower[grow],
                         Block.SHORT_GRASS)
    return out


def place_trees(blocks: np.ndarray, y_min: int, ground: np.ndarray,
                trunks: dict[int, np.ndarray], core: tuple[slice, slice]) -> None:
    """Trees whose trunks are in the window (`ground` covers it) into a region's core blocks:
    logs first, then leaves only into air."""
    ny = blocks.shape[0]
    zc, xc = core
    ch, cw = zc.stop - zc.start, xc.stop - xc.start
    for species, cells in trunks.items():
        tz, tx = np.nonzero(cells)
        g = ground[tz, tx].astype(np.int32)
        for dx, dz, dy, block in SHAPES[species]:
            z, x, y = tz + dz - zc.start, tx + dx - xc.start, g + dy - y_min
            ok = (z >= 0) & (z < ch) & (x >= 0) & (x < cw) & (y >= 0) & (y < ny)
            z, x, y = z[ok], x[ok], y[ok]
            if block not in (Block.OAK_LOG, Block.BIRCH_LOG, Block.SPRUCE_LOG):
                keep = blocks[y, z, x] == Block.AIR
                z, x, y = z[keep], x[keep], y[keep]
            blocks[y, z, x] = block
