"""Buildings: walls, windows, a door and a roof shaped by `roof:shape`, from footprint polygons.

Everything about a building is decided from its polygon and tags in world coordinates, never
from the region that draws it, so a building across a region seam is drawn identically by both:

- height: OSM `height` (the whole building, roof included) or `building:levels` x 3 m (walls
  only) or 9 m; the base is the elevation at a point inside the footprint;
- roof: flat unless `roof:shape` says gabled (also gambrel, saltbox) or hipped (also pyramidal,
  half-hipped). A pitched roof rises one metre per metre (45 degrees) from the eaves: a gabled
  roof from the two long sides of the footprint's minimum rotated rectangle, a hipped one from
  every side; it stops at `roof:height` or at half the footprint's short side (at most 8 m);
- door: on the middle of the footprint's longest side, opening outwards, at blocks of at most
  2 m (at coarser scales a house is only a few blocks).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import shapely

from .blocks import DOORS, Block

STOREY_M = 3.0  # metres per storey for building:levels
DEFAULT_BUILDING_M = 9.0  # a three-storey house when nothing is known
ROOF_MAX_M = 8.0
DOOR_MAX_SCALE = 2.0
WALLS = (Block.BRICKS, Block.WHITE_CONCRETE, Block.STONE_BRICKS, Block.LIGHT_GRAY_CONCRETE)
ROOFS = (Block.SMOOTH_STONE, Block.BLACK_CONCRETE, Block.RED_CONCRETE)
ROOF_SHAPES = {"flat": "flat", "gabled": "gabled", "gambrel": "gabled", "saltbox": "gabled",
               "hipped": "hipped", "pyramidal": "hipped", "half-hipped": "hipped"}


def number(text) -> float | None:
    """The leading number of a tag value ('21.5 m' -> 21.5, '3,5' -> 3.5), or None."""
    if text is None:
        return None
    m = re.match(r"\s*([0-9]+(?:[.,][0-9]+)?)", str(text))
    return float(m.group(1).replace(",", ".")) if m else None


def building_height_m(tags: dict) -> float:
    """`height`, else `building:levels` x 3 m, else a default."""
    h = number(tags.get("height"))
    if h and h > 0:
        return h
    levels = number(tags.get("building:levels"))
    if levels and levels > 0:
        return levels * STOREY_M
    return DEFAULT_BUILDING_M


@dataclass(frozen=True)
class Building:
    geometry: object  # shapely polygon in the world CRS
    wall_m: float  # from the base to the eaves
    roof: str  # "flat", "gabled" or "hipped"
    roof_m: float  # from the eaves to the ridge (0 when flat)
    point: tuple[float, float]  # inside the footprint: where the base height is read
    seed: int  # picks wall and roof blocks
    door: tuple[float, float, str] | None  # a point inside the door's wall cell, and facing


def _half_short_side(geom) -> float:
    rect = shapely.minimum_rotated_rectangle(geom)
    xy = np.asarray(rect.exterior.coords)[:4]
    sides = np.hypot(*(np.roll(xy, -1, axis=0) - xy).T)
    return float(sides.min()) / 2.0


def _door(geom, scale: float) -> tuple[float, float, str] | None:
    """Half a block inside the middle of the longest outer wall, facing away from the house."""
    if scale > DOOR_MAX_SCALE:
        return None
    poly = max(getattr(geom, "geoms", [geom]), key=lambda p: p.area)
    xy = np.asarray(poly.exterior.coords)
    edges = np.diff(xy, axis=0)
    lengths = np.hypot(edges[:, 0], edges[:, 1])
    i = int(np.argmax(lengths))
    if lengths[i] < 2 * scale:
        return None
    mid = xy[i] + edges[i] / 2.0
    normal = np.array([edges[i][1], -edges[i][0]]) / lengths[i]
    if poly.contains(shapely.Point(mid + normal * 0.25 * scale)):
        normal = -normal  # the exterior ring may run either way round
    inside = mid - normal * 0.5 * scale
    if abs(normal[0]) >= abs(normal[1]):
        facing = "east" if normal[0] > 0 else "west"
    else:
        facing = "north" if normal[1] > 0 else "south"
    return float(inside[0]), float(inside[1]), facing


def make_building(geom, tags: dict, scale: float) -> Building:
    c = geom.representative_point()
    seed = int(abs(round(c.x)) * 7 + abs(round(c.y)) * 13)
    shape = ROOF_SHAPES.get(str(tags.get("roof:shape", "flat")).lower(), "flat")
    total = building_height_m(tags)
    roof_m = 0.0
    if shape != "flat":
        roof_m = number(tags.get("roof:height")) or min(ROOF_MAX_M, _half_short_side(geom))
    # `height` includes the roof; levels count only the storeys under it.
    tagged_height = (number(tags.get("height")) or 0) > 0
    wall_m = max(STOREY_M, total - roof_m) if tagged_height else total
    return Building(geom, wall_m, shape, roof_m, (c.x, c.y), seed, _door(geom, scale))


def roof_rise_m(b: Building, xs: np.ndarray, ys: np.ndarray, scale: float) -> np.ndarray:
    """Metres the roof stands above the eaves at cell centres (xs, ys) inside the footprint."""
    if b.roof == "flat" or len(xs) == 0:
        return np.zeros(len(xs))
    if b.roof == "hipped":
        d = shapely.distance(b.geometry.boundary, shapely.points(xs, ys))
    else:
        rect = shapely.minimum_rotated_rectangle(b.geometry)
        xy = np.asarray(rect.exterior.coords)[:4]
        sides = np.roll(xy, -1, axis=0) - xy
        k = int(np.argmax(np.hypot(sides[:, 0], sides[:, 1])))
        along = sides[k] / np.hypot(*sides[k])
        across = np.array([-along[1], along[0]])
        centre = xy.mean(axis=0)
        half = _half_short_side(b.geometry)
        d = half - np.abs((xs - centre[0]) * across[0] + (ys - centre[1]) * across[1])
    return np.clip(d - 0.5 * scale, 0.0, b.roof_m)


def place(blocks: np.ndarray, y_min: int, ground: np.ndarray, bid: np.ndarray,
          eaves: np.ndarray, rise: np.ndarray, wall_block: np.ndarray, roof_block: np.ndarray,
          doors: list, core: tuple[slice, slice], x0: int, z0: int) -> None:
    """Walls, floor, windows, roof and doors of the buildings in a region's core.

    `ground`, `bid` (building index per cell, -1 none) and `rise` (roof blocks above the eaves)
    cover the window with margins; eaves/wall_block/roof_block are per building; doors are
    (window row, window column, facing) cells. (x0, z0): global block of window cell (0, 0).
    """
    ny = blocks.shape[0]
    zc, xc = core
    pad = np.pad(bid, 1, mode="edge")
    edge = ((pad[1:-1, 1:-1] != pad[:-2, 1:-1]) | (pad[1:-1, 1:-1] != pad[2:, 1:-1])
            | (pad[1:-1, 1:-1] != pad[1:-1, :-2]) | (pad[1:-1, 1:-1] != pad[1:-1, 2:]))
    # A roof steeper than a block per block is filled down to one above its lowest neighbour's
    # roof (within the same building), so no gap opens between the steps.
    r = np.where(bid >= 0, rise, np.int16(32767)).astype(np.int32)
    rp = np.pad(r, 1, constant_values=32767)
    nb_low = np.minimum(np.minimum(rp[:-2, 1:-1], rp[2:, 1:-1]),
                        np.minimum(rp[1:-1, :-2], rp[1:-1, 2:]))
    b = bid[core]
    zs, xs = np.nonzero(b >= 0)
    if len(zs):
        ids = b[zs, xs]
        g = ground[core][zs, xs].astype(np.int32)
        own = rise[core][zs, xs].astype(np.int32)
        eave = eaves[ids].astype(np.int32)
        top = eave + own
        roof_lo = eave + np.minimum(own, np.minimum(nb_low[core][zs, xs], own) + 1)
        roof_lo = np.maximum(roof_lo, g + 1)
        is_wall = edge[core][zs, xs]
        wallb, roofb = wall_block[ids], roof_block[ids]
        gx, gz = xs + x0 + xc.start, zs + z0 + zc.start
        for y in range(max(int(g.min()), y_min), min(int(top.max()), y_min + ny - 1) + 1):
            sel = (y >= g) & (y <= top)
            if not sel.any():
                continue
            window = ((y - g) % 3 == 2) & ((gx + gz) % 2 == 0) & (y < eave - 1)
            blk = np.where(y == g, np.uint8(Block.OAK_PLANKS),
                           np.where(y >= roof_lo, roofb,
                                    np.where(is_wall, np.where(window, np.uint8(Block.GLASS),
                                                               wallb),
                                             np.uint8(Block.AIR))))
            blocks[y - y_min, zs[sel], xs[sel]] = blk[sel]
    for row, col, facing in doors:
        lz, lx = row - zc.start, col - xc.start
        if not (0 <= lz < zc.stop - zc.start and 0 <= lx < xc.stop - xc.start):
            continue
        g = int(ground[row, col])
        if eaves[bid[row, col]] < g + 3:
            continue  # too low for a door two blocks high
        for dy, block in zip((1, 2), DOORS[facing]):
            if 0 <= g + dy - y_min < ny:
                blocks[g + dy - y_min, lz, lx] = block


def door_cells(items: list[Building], bid: np.ndarray, west: float, north: float,
               scale: float) -> list[tuple[int, int, str]]:
    """Window cells of the doors of `items` (bid indexes items): only where the door's cell is
    a wall of its own building with the outside in front of it."""
    h, w = bid.shape
    step = {"north": (-1, 0), "south": (1, 0), "east": (0, 1), "west": (0, -1)}
    out = []
    for i, b in enumerate(items):
        if b.door is None:
            continue
        x, y, facing = b.door
        col, row = math.floor((x - west) / scale), math.floor((north - y) / scale)
        dz, dx = step[facing]
        if not (0 <= row < h and 0 <= col < w and 0 <= row + dz < h and 0 <= col + dx < w):
            continue
        if bid[row, col] == i and bid[row + dz, col + dx] != i:
            out.append((row, col, facing))
    return out
