"""Terrain: heights in metres -> block columns. Pure numpy, no I/O.

Vertical scale
    1 block = 1 m vertically when a block is at most 2 m wide. Coarser maps would look flat if
    kept true to scale (at 50 m per block a 100 m hill is 2 blocks), so the default vertical
    metres per block grows only with the square root of the horizontal scale:
        v = 1                    for scale <= 2 m
        v = sqrt(scale / 2)      for scale >  2 m   (10 m -> 2.24 m per block, 50 m -> 5 m)
    i.e. an exaggeration of scale / v (10 m -> 4.5x, 50 m -> 10x). The user may set v.

Datum
    Height h metres maps to block y = y0 + round(h / v); y0 (the block y of 0 m) is the sea-level
    y, 62 by default, like the game's own sea. When the relief does not fit between the floor and
    the top of the world, `fit_heights` first shifts y0 and, if the relief is too tall even then,
    raises v; it returns a sentence saying exactly what it did.

Water
    Sea, lakes and rivers get beds that deepen away from the shore, and banks that hold them
    (`surface`). Everything a column needs from its neighbours lies within the window's margin
    (`reach`), so both sides of a region seam compute the same columns.

Sea
    A cell is sea when its height is at or below sea level (0 m) and it is connected (4-neighbour)
    to the map edge through such cells: an inland pit below 0 m stays dry land. The build computes
    connectivity exactly for any map size with bounded memory: each region labels its own low
    cells (`label_low`), the labels on region borders are joined in one small graph on the
    coordinating process, and each region then learns which of its labels are sea.
    A flood scenario (`sea_m` > 0, `--sea-level-rise`) uses the same rule with the raised level:
    the sea spreads only over low land joined to it, and its surface stands at the raised level.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .blocks import Block

WORLD_FLOOR = -64  # bedrock
WORLD_TOP = 319
LOWEST_SURFACE = -60  # leave bedrock and a few blocks of stone under the lowest seabed
HEADROOM = 48  # blocks kept free above the highest ground for buildings and trees
STEEP = 1.0  # slope (metres per metre, i.e. 45 degrees) from which the ground is bare stone
DEEP = 4  # water deeper than this many blocks gets a gravel bed instead of sand
NO_WATER = -32768
SEA_DEPTH_M = 10.0  # the sea floor away from the shore (elevation data or bathymetry can say more)
MIN_SEA_DEPTH = 3  # blocks: boats and swimming need more than a puddle, whatever the scale
BANK_M = 6.0  # ground this near a lake or river is blended towards its level
TREE_REACH = 3  # blocks from a trunk to its crown's edge: trees need exact ground this far out

_FOUR = ndimage.generate_binary_structure(2, 1)


def default_vertical_scale(scale: float) -> float:
    """Vertical metres per block for a horizontal scale (see the module docstring)."""
    return 1.0 if scale <= 2.0 else math.sqrt(scale / 2.0)


@dataclass(frozen=True)
class HeightFit:
    vertical_scale: float  # metres per block vertically, after any compression
    sea_level_y: int  # block y of 0 m, after any shift
    requested_vertical_scale: float
    requested_sea_level_y: int
    shifted: int  # blocks added to the requested sea level y (0: none)
    compressed: bool
    message: str


def fit_heights(low: float, high: float, vertical_scale: float, sea_level_y: int) -> HeightFit:
    """Make heights [low, high] metres fit the world; shift first, compress only if needed."""
    lo_y, hi_y = LOWEST_SURFACE, WORLD_TOP - HEADROOM
    v, y0 = float(vertical_scale), int(sea_level_y)

    def span(v_, y0_):
        return y0_ + math.floor(low / v_ + 0.5), y0_ + math.floor(high / v_ + 0.5)

    a, b = span(v, y0)
    rng = f"Heights {low:.1f} to {high:.1f} m"
    if lo_y <= a and b <= hi_y:
        return HeightFit(v, y0, v, y0, 0, False,
                         f"{rng} fit at {v:g} m per block with 0 m at y {y0}; nothing was "
                         "shifted or compressed.")
    compressed = False
    new_v = v
    if b - a > hi_y - lo_y:
        # Too tall even when shifted: raise metres per block (to 3 decimals, rounded up).
        new_v = math.ceil((high - low) / (hi_y - lo_y - 1) * 1000) / 1000
        compressed = True
        a, b = span(new_v, y0)
    new_y0 = y0
    if b > hi_y:
        new_y0 = y0 - (b - hi_y)
    elif a < lo_y:
        new_y0 = y0 + (lo_y - a)
    shift = new_y0 - y0
    parts = []
    if compressed:
        parts.append(f"compressed the vertical scale from {v:g} to {new_v:g} m per block")
    if shift:
        parts.append(f"moved 0 m from y {y0} to y {new_y0} (shift {shift:+d} blocks)")
    return HeightFit(new_v, new_y0, v, y0, shift, compressed,
                     f"{rng} did not fit between y {lo_y} and y {hi_y}, so the build "
                     + " and ".join(parts) + ".")


def block_heights(heights_m: np.ndarray, vertical_scale: float, sea_level_y: int) -> np.ndarray:
    """Metres -> block y of the top ground block (int16), y = y0 + round(h / v), clipped."""
    y = np.floor(heights_m / vertical_scale + 0.5) + sea_level_y
    return np.clip(y, LOWEST_SURFACE, WORLD_TOP - 1).astype(np.int16)


def label_low(heights_m: np.ndarray, sea_level_m: float = 0.0,
              open_cells: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Label the 4-connected groups of cells at or below sea level (0 = not low). `open_cells`
    (cells without data) join the groups too, so the sea's way to the map edge never depends on
    what was invented where the data has holes or a rotated grid has collars."""
    low = heights_m <= sea_level_m
    if open_cells is not None:
        low |= open_cells
    labels, n = ndimage.label(low, structure=_FOUR)
    return labels.astype(np.int32, copy=False), int(n)


def sea_from_labels(labels: np.ndarray, sea_labels: np.ndarray) -> np.ndarray:
    """Cells whose label is one of `sea_labels` (labels connected to the map edge)."""
    if len(sea_labels) == 0:
        return np.zeros(labels.shape, dtype=bool)
    lut = np.zeros(int(labels.max()) + 1, dtype=bool)
    sl = sea_labels[sea_labels <= labels.max()]
    lut[sl] = True
    lut[0] = False
    return lut[labels]


def sea_mask_single(heights_m: np.ndarray, sea_level_m: float = 0.0) -> np.ndarray:
    """Sea for one whole array: low cells connected to its edge (used for small maps and tests)."""
    labels, _ = label_low(heights_m, sea_level_m)
    edge = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    return sea_from_labels(labels, np.unique(edge[edge > 0]))


def extend_sea(core_sea: np.ndarray, low_ext: np.ndarray, core: tuple[slice, slice]) -> np.ndarray:
    """Sea on a window with margins, given exact sea on its core.

    A margin cell is sea when it is low and joined (within the window) to a core sea cell. Margin
    cells only steer beaches near region seams, so this local rule is enough there.
    """
    labels, n = ndimage.label(low_ext, structure=_FOUR)
    seed = np.zeros(n + 1, dtype=bool)
    seed[np.unique(labels[core][core_sea])] = True
    seed[0] = False
    out = seed[labels]
    out[core] = core_sea
    return out


def slope(heights_m: np.ndarray, scale: float) -> np.ndarray:
    """Steepest slope in metres per metre (central differences, one-sided at the edges)."""
    gz, gx = np.gradient(heights_m.astype(np.float32), scale)
    return np.hypot(gx, gz)


def dilate(mask: np.ndarray, radius: int) -> np.ndarray:
    """Cells within `radius` blocks (Chebyshev) of a True cell."""
    if radius <= 0 or not mask.any():
        return mask.copy()
    return ndimage.maximum_filter(mask.view(np.uint8), size=2 * radius + 1,
                                  mode="constant").astype(bool)


@dataclass
class Columns:
    """Everything needed to fill a region's block columns (all arrays share one 2D shape)."""

    ground: np.ndarray  # int16 block y of the top ground block
    top: np.ndarray  # uint8 Block of the top ground block
    sub: np.ndarray  # uint8 Block of the 3 blocks beneath it
    water: np.ndarray  # int16 block y of the water surface; NO_WATER where dry
    void: np.ndarray  # bool: nothing at all (outside an area polygon)


def water_depth_blocks(depth_m: float, vertical_scale: float, reach: int, least: int = 1) -> int:
    """A depth in metres as whole blocks, at least `least` and at most `reach`."""
    return max(least, min(reach, int(math.floor(depth_m / vertical_scale + 0.5))))


def distance_to_dry(wet: np.ndarray, reach: int) -> np.ndarray:
    """Euclidean distance in blocks from each wet cell to the nearest dry one (1 next to the
    shore), at most `reach`. Capped at the window's margin this is exact for the core: any dry
    cell nearer than `reach` lies inside the window."""
    if wet.all():
        return np.full(wet.shape, float(reach), dtype=np.float32)
    d = ndimage.distance_transform_edt(wet).astype(np.float32)
    return np.minimum(d, float(reach))


def _blend_banks(ground: np.ndarray, water: np.ndarray, inland: np.ndarray, dry: np.ndarray,
                 band: int) -> None:
    """Lower dry ground within `band` blocks of a lake or river towards its level, linearly:
    one block above the water at the shore, untouched `band` blocks away. A level drawn from
    vector data can lie well below coarse elevation data along a narrow valley; this turns
    the wall that would leave into a slope."""
    d, idx = ndimage.distance_transform_edt(~inland, return_indices=True)
    level = water[idx[0], idx[1]].astype(np.int32)
    excess = ground.astype(np.int32) - (level + 1)
    near = dry & (d <= band + 1) & (excess > 0)
    if near.any():
        f = np.clip((d[near] - 1.0) / band, 0.0, 1.0)
        ground[near] = (level[near] + 1 + np.ceil(excess[near] * f)).astype(np.int16)


def contain_water(ground: np.ndarray, water: np.ndarray) -> None:
    """Raise dry ground beside water to the water's level: water must never stand above its
    banks (the game would spill it as soon as anything nearby changed). Water flows to its
    four neighbours only, so those are the banks that count."""
    wet = water != NO_WATER
    lvl = np.pad(np.where(wet, water, NO_WATER), 1, constant_values=NO_WATER)
    nb = np.maximum(np.maximum(lvl[:-2, 1:-1], lvl[2:, 1:-1]),
                    np.maximum(lvl[1:-1, :-2], lvl[1:-1, 2:]))
    low = ~wet & (nb > ground)
    ground[low] = nb[low]


def surface(heights_m: np.ndarray, scale: float, vertical_scale: float, sea_level_y: int,
            sea: np.ndarray, inland_level: np.ndarray | None = None,
            inland_depth: np.ndarray | None = None, void: np.ndarray | None = None,
            outside_sea: np.ndarray | None = None, bathymetry_m: np.ndarray | None = None,
            reach: int = 8, beach_m: float = 4.0, sea_m: float = 0.0) -> Columns:
    """Ground, materials and water for each column.

    sea: bool, the sea mask; inland_level: int16 block y of lake and river surfaces (NO_WATER
    elsewhere), with inland_depth (uint8) the most blocks their beds may lie below it; void:
    columns left empty; outside_sea: columns made open sea (outside an area polygon when the
    user chose sea); bathymetry_m: the sea floor in metres (negative under the sea; NaN where
    unknown). reach: the margin (blocks) the window has around the region it is computed for.
    sea_m: the sea's level in metres (above 0 in a flood scenario: the sea stands at its block y).

    Beds deepen with the distance from the shore: one block at the shore, a block more per
    block out, down to the sea's depth (SEA_DEPTH_M, at least MIN_SEA_DEPTH blocks) or the
    lake's or river's; elevation data lower than that is kept, a bathymetry raster decides the
    sea floor where it has data. Banks are blended (`_blend_banks`) and contained
    (`contain_water`). Beaches are sand on land within `beach_m` metres (at least one block)
    of water and at most 2 blocks above it.
    """
    shape = heights_m.shape
    ground = block_heights(heights_m, vertical_scale, sea_level_y)
    water = np.full(shape, NO_WATER, dtype=np.int16)
    is_sea = sea if outside_sea is None else sea | outside_sea
    sea_y = int(block_heights(np.float64(sea_m), vertical_scale, sea_level_y))
    water[is_sea] = sea_y
    inland = np.zeros(shape, dtype=bool)
    if inland_level is not None:
        inland = (inland_level != NO_WATER) & ~is_sea
        water[inland] = inland_level[inland]
    wet = water != NO_WATER
    if wet.any():
        cap = np.zeros(shape, dtype=np.int16)
        cap[is_sea] = water_depth_blocks(SEA_DEPTH_M, vertical_scale, reach, MIN_SEA_DEPTH)
        if inland.any():
            cap[inland] = np.maximum(inland_depth[inland], 1)
        depth = np.minimum(np.floor(distance_to_dry(wet, reach)).astype(np.int16), cap)
        # Not into the bedrock: a relief fitted down to the floor keeps a shallower sea.
        bed = np.maximum(water - np.maximum(depth, 1), np.minimum(water - 1, LOWEST_SURFACE))
        if bathymetry_m is not None:
            known = is_sea & np.isfinite(bathymetry_m)
            floor = min(sea_y - 1, LOWEST_SURFACE)
            bed[known] = np.clip(block_heights(bathymetry_m[known], vertical_scale,
                                               sea_level_y), floor, sea_y - 1)
            ground[known] = bed[known]
        np.minimum(ground, bed, out=ground, where=wet)
        if inland.any():
            _blend_banks(ground, water, inland, ~wet, max(1, min(reach - TREE_REACH,
                                                                 round(BANK_M / scale))))
        contain_water(ground, water)

    steep = slope(heights_m, scale) >= STEEP
    top = np.full(shape, Block.GRASS_BLOCK, dtype=np.uint8)
    sub = np.full(shape, Block.DIRT, dtype=np.uint8)
    top[steep] = Block.STONE
    sub[steep] = Block.STONE

    radius = max(1, int(round(beach_m / scale)))
    near = dilate(wet, radius)
    water_near = np.where(wet, water, np.int16(-30000))
    level_near = ndimage.maximum_filter(water_near, size=2 * radius + 1, mode="constant",
                                        cval=-30000) if wet.any() else water_near
    beach = near & ~wet & (ground <= level_near + 2) & ~steep
    top[beach] = Block.SAND
    sub[beach] = Block.SAND

    depth = water - ground
    top[wet] = np.where(depth[wet] > DEEP, Block.GRAVEL, Block.SAND)
    sub[wet] = Block.SAND
    if void is None:
        void = np.zeros(shape, dtype=bool)
    return Columns(ground, top, sub, water, void)


def fill_region(blocks: np.ndarray, y_min: int, cols: Columns) -> None:
    """Fill a zeroed, C-contiguous (ny, Z, X) uint8 block array from columns of shape (h, w)
    (h <= Z, w <= X; they fill the array's [:, :h, :w] corner): bedrock floor, stone, 3 sub
    blocks, the top block, water up to its surface, air above. Blocks outside
    [y_min, y_min + ny) are not touched.

    Written for speed (this runs for every block of the world): one memset for the stone under
    the lowest ground, one comparison per layer of the relief band, four flat-index scatters for
    the sub and top blocks, and water only in the layers that hold water.
    """
    if not blocks.flags.c_contiguous:
        raise ValueError("fill_region needs a C-contiguous block array")
    ny, Z, X = blocks.shape
    ground, water = cols.ground, cols.water
    h, w = ground.shape
    g_lo, g_hi = int(ground.min()), int(ground.max())
    solid_to = min(g_lo - 4, y_min + ny - 1)  # inclusive: stone everywhere up to here
    if solid_to >= y_min:
        blocks[: solid_to - y_min + 1, :h, :w] = Block.STONE
    stone_top = ground - 4
    for y in range(max(solid_to + 1, y_min), min(g_hi - 4, y_min + ny - 1) + 1):
        np.multiply(stone_top >= y, np.uint8(Block.STONE), out=blocks[y - y_min, :h, :w],
                    casting="unsafe")
    zz, xx = np.indices((h, w), dtype=np.int64)
    column = zz * X + xx  # flat offset of each column within one layer
    flat = blocks.reshape(-1)
    for k, layer in ((3, cols.sub), (2, cols.sub), (1, cols.sub), (0, cols.top)):
        yi = ground.astype(np.int64) - k - y_min
        ok = (yi >= 0) & (yi < ny)
        idx = yi * (Z * X) + column
        if ok.all():
            flat[idx.ravel()] = layer.ravel()
        else:
            flat[idx[ok]] = layer[ok]
    wet = water != NO_WATER
    if wet.any():
        w_lo = int(ground[wet].min()) + 1
        w_hi = int(water[wet].max())
        for y in range(max(w_lo, y_min), min(w_hi, y_min + ny - 1) + 1):
            np.putmask(blocks[y - y_min, :h, :w], (water >= y) & (ground < y),
                       np.uint8(Block.WATER))
    if y_min == WORLD_FLOOR:
        blocks[0, :h, :w] = Block.BEDROCK
    if cols.void.any():
        blocks[:, :h, :w][:, cols.void] = Block.AIR


def hillshade(ground_m: np.ndarray, scale: float, azimuth: float = 315.0,
              altitude: float = 45.0) -> np.ndarray:
    """Lambertian hillshade in [0, 1] of a height grid in metres (light from the north-west)."""
    gz, gx = np.gradient(ground_m.astype(np.float32), scale)
    dzdx, dzdy = gx, -gz  # rows grow south, so d/dnorth = -d/drow
    az, alt = math.radians(azimuth), math.radians(altitude)
    lx, ly, lz = math.cos(alt) * math.sin(az), math.cos(alt) * math.cos(az), math.sin(alt)
    shade = (-dzdx * lx - dzdy * ly + lz) / np.sqrt(dzdx * dzdx + dzdy * dzdy + 1.0)
    return np.clip(shade, 0.0, 1.0)
