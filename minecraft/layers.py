"""Vector layers: buildings, roads, water and green areas, rasterised per region window.

Any file pyogrio reads, in any CRS (GeoJSON without a CRS is WGS 84 by RFC 7946). Features are
classified by OpenStreetMap tags, read from plain attributes or from the `other_tags` hstore
string of GDAL's OSM exports ('"building:levels"=>"4","roof:shape"=>"flat"').

Everything a feature contributes that must agree across region borders is computed from the
feature itself, never from the region that happens to draw it: a building's base is the source
height at a point inside its footprint (shapely's representative point), a lake's level the lowest
source height on its shore. Walls and trees are placed from a window with a margin, so both sides
of a seam draw the same blocks.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pyogrio
import pyogrio.errors
import rasterio.features
import shapely
from rasterio.crs import CRS
from rasterio.warp import transform as warp_transform

from .blocks import Block
from .errors import WorldBuildError
from .terrain import NO_WATER, Columns

STOREY_M = 3.0  # metres per storey for building:levels
DEFAULT_BUILDING_M = 9.0  # a three-storey house when nothing is known
_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')

# highway class -> (width in metres, surface block, paint order: wider roads drawn last)
ROADS = {
    "motorway": (14.0, Block.BLACK_CONCRETE, 5), "trunk": (12.0, Block.BLACK_CONCRETE, 5),
    "primary": (10.0, Block.BLACK_CONCRETE, 4), "secondary": (9.0, Block.BLACK_CONCRETE, 4),
    "tertiary": (7.0, Block.GRAY_CONCRETE, 3), "residential": (6.0, Block.GRAY_CONCRETE, 3),
    "unclassified": (6.0, Block.GRAY_CONCRETE, 3), "living_street": (5.0, Block.GRAY_CONCRETE, 3),
    "service": (4.0, Block.GRAY_CONCRETE, 2), "pedestrian": (4.0, Block.LIGHT_GRAY_CONCRETE, 2),
    "footway": (2.0, Block.GRAVEL, 1), "cycleway": (2.0, Block.GRAVEL, 1),
    "steps": (2.0, Block.COBBLESTONE, 1), "path": (1.5, Block.DIRT_PATH, 1),
    "track": (3.0, Block.DIRT_PATH, 1), "bridleway": (2.0, Block.DIRT_PATH, 1),
}
for _k in ("motorway", "trunk", "primary", "secondary", "tertiary"):
    ROADS[_k + "_link"] = ROADS[_k]
WOOD = {("landuse", "forest"), ("natural", "wood")}
PARK = {("leisure", "park"), ("landuse", "grass"), ("landuse", "meadow"),
        ("landuse", "recreation_ground"), ("leisure", "garden"), ("natural", "grassland")}
WATER = {("natural", "water"), ("landuse", "reservoir"), ("landuse", "basin"),
         ("waterway", "riverbank")}
GREEN_PARK, GREEN_WOOD = 1, 2
WALLS = (Block.BRICKS, Block.WHITE_CONCRETE, Block.STONE_BRICKS, Block.LIGHT_GRAY_CONCRETE)
ROOFS = (Block.SMOOTH_STONE, Block.BLACK_CONCRETE, Block.RED_CONCRETE)


@dataclass
class Feature:
    geometry: dict  # GeoJSON geometry in the world CRS
    tags: dict


def parse_tags(props: dict) -> dict:
    """Plain attributes plus the key/values of an OSM `other_tags` hstore string."""
    tags = {k: v for k, v in props.items() if v is not None and k != "other_tags"}
    other = props.get("other_tags")
    if isinstance(other, str):
        for k, v in _HSTORE.findall(other):
            tags.setdefault(k, v.replace('\\"', '"'))
    return tags


def _number(text) -> float | None:
    if text is None:
        return None
    m = re.match(r"\s*([0-9]+(?:[.,][0-9]+)?)", str(text))
    return float(m.group(1).replace(",", ".")) if m else None


def building_height_m(tags: dict) -> float:
    """`height`, else `building:levels` x 3 m, else a default."""
    h = _number(tags.get("height"))
    if h and h > 0:
        return h
    levels = _number(tags.get("building:levels"))
    if levels and levels > 0:
        return levels * STOREY_M
    return DEFAULT_BUILDING_M


def _read_raw(path: str, world_crs: str):
    try:
        meta, _fids, geoms, fields = pyogrio.raw.read(path)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError):
        raise WorldBuildError("%(path)s is not a vector file pyogrio can read; give GeoJSON, "
                              "GeoPackage or a shapefile.", path=path) from None
    crs = meta.get("crs")
    if not crs:
        if path.lower().endswith((".geojson", ".json")):
            crs = "EPSG:4326"  # RFC 7946: GeoJSON coordinates are WGS 84
        else:
            raise WorldBuildError("%(path)s has no coordinate reference system; save it with "
                                  "one (for example EPSG:3006 or EPSG:4326).", path=path)
    shapes = shapely.from_wkb(geoms)
    if CRS.from_user_input(crs) != CRS.from_user_input(world_crs):
        def reproject_coords(xy: np.ndarray) -> np.ndarray:
            if len(xy) == 0:
                return xy
            xs, ys = warp_transform(crs, world_crs, xy[:, 0], xy[:, 1])
            return np.column_stack([xs, ys])
        shapes = shapely.transform(shapes, reproject_coords)
    names = list(meta["fields"])
    return shapes, names, fields


def read_features(path: str | os.PathLike, world_crs: str) -> list[Feature]:
    """All features of a vector file with geometries in the world CRS."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise WorldBuildError("The layer file %(path)s does not exist; check the path.",
                              path=path)
    shapes, names, fields = _read_raw(path, world_crs)
    out = []
    for i, g in enumerate(shapes):
        if g is None or g.is_empty:
            continue
        props = {n: fields[j][i] for j, n in enumerate(names)}
        out.append(Feature(shapely.geometry.mapping(g), parse_tags(props)))
    return out


@dataclass
class LayerSet:
    """Classified features (shapely geometries in the world CRS) with a spatial index."""

    buildings: list = field(default_factory=list)  # (geometry, height_m, centroid (x, y), seed)
    roads: list = field(default_factory=list)  # (geometry, width_m, block, order)
    water: list = field(default_factory=list)  # (geometry, shore points (N, 2))
    green: list = field(default_factory=list)  # (geometry, GREEN_PARK | GREEN_WOOD)
    sources: list = field(default_factory=list)  # paths

    def __post_init__(self):
        self._trees = {}

    def query(self, kind: str, bounds) -> list:
        items = getattr(self, kind)
        if not items:
            return []
        tree = self._trees.get(kind)
        if tree is None:
            tree = self._trees[kind] = shapely.STRtree([it[0] for it in items])
        idx = tree.query(shapely.box(*bounds))
        return [items[i] for i in sorted(idx)]  # sorted: drawing order never depends on the index


def _has(tags: dict, pairs) -> bool:
    return any(tags.get(k) == v for k, v in pairs)


@lru_cache(maxsize=4)
def load_layers(paths: tuple[str, ...], world_crs: str) -> LayerSet:
    """Read and classify every layer once per process (cached for the region tasks)."""
    ls = LayerSet(sources=list(paths))
    for path in paths:
        if not os.path.exists(path):
            raise WorldBuildError("The layer file %(path)s does not exist; check the path.",
                                  path=path)
        shapes, names, fields = _read_raw(path, world_crs)
        for i, g in enumerate(shapes):
            if g is None or g.is_empty:
                continue
            tags = parse_tags({n: fields[j][i] for j, n in enumerate(names)})
            polygonal = g.geom_type in ("Polygon", "MultiPolygon")
            lineal = g.geom_type in ("LineString", "MultiLineString")
            b = tags.get("building")
            if polygonal and b and b != "no":
                c = g.representative_point()
                seed = int(abs(round(c.x)) * 7 + abs(round(c.y)) * 13)
                ls.buildings.append((g, building_height_m(tags), (c.x, c.y), seed))
            elif lineal and tags.get("highway") in ROADS:
                w, block, order = ROADS[tags["highway"]]
                ls.roads.append((g, w, block, order))
            elif polygonal and (_has(tags, WATER) or "water" in tags):
                ring = np.concatenate([np.asarray(p.exterior.coords)
                                       for p in getattr(g, "geoms", [g])])
                step = max(1, len(ring) // 2000)
                ls.water.append((g, ring[::step]))
            elif polygonal and _has(tags, WOOD):
                ls.green.append((g, GREEN_WOOD))
            elif polygonal and _has(tags, PARK):
                ls.green.append((g, GREEN_PARK))
    ls.roads.sort(key=lambda r: r[3])  # stable: narrow classes first, main roads paint over them
    return ls


def sample_source(vrt: str, world_crs: str, points: np.ndarray) -> np.ndarray:
    """Source heights (metres, nearest cell) at world-CRS points; NaN where there is no data."""
    from .source import _dataset

    ds = _dataset(vrt)
    if len(points) == 0:
        return np.zeros(0, dtype=np.float64)
    xs, ys = points[:, 0], points[:, 1]
    if ds.crs != CRS.from_user_input(world_crs):
        xs, ys = warp_transform(world_crs, ds.crs, xs, ys)
    out = np.empty(len(xs), dtype=np.float64)
    for i, v in enumerate(ds.sample(zip(xs, ys), indexes=1, masked=True)):
        out[i] = np.nan if np.ma.getmaskarray(v)[0] else float(v[0])
    return out


@dataclass
class LayerRaster:
    """Layer cells on one window (2D arrays of the window's shape)."""

    building: np.ndarray  # int32 index into building_roof/wall/roof_block, -1 none
    roof_y: np.ndarray  # int16 per building
    wall_block: np.ndarray  # uint8 per building
    roof_block: np.ndarray  # uint8 per building
    road: np.ndarray  # uint8 Block of the road surface, 0 none
    lake_level: np.ndarray  # int16 water surface y, NO_WATER none
    green: np.ndarray  # uint8 0 / GREEN_PARK / GREEN_WOOD


def rasterize(ls: LayerSet, vrt: str, world_crs: str, transform, shape: tuple[int, int],
              scale: float, vertical_scale: float, sea_level_y: int) -> LayerRaster:
    h, w = shape
    west, north = transform.c, transform.f
    bounds = (west, north - h * scale, west + w * scale, north)
    kw = dict(out_shape=shape, transform=transform, dtype="int32")

    green = np.zeros(shape, dtype=np.uint8)
    items = ls.query("green", bounds)
    if items:
        green = rasterio.features.rasterize([(g, v) for g, v in items], fill=0,
                                            **kw).astype(np.uint8)

    lake = np.full(shape, NO_WATER, dtype=np.int16)
    items = ls.query("water", bounds)
    if items:
        levels = [_lake_level(vrt, world_crs, pts) for _, pts in items]
        ys = np.array([NO_WATER if lv is None else
                       sea_level_y + math.floor(lv / vertical_scale + 0.5) for lv in levels],
                      dtype=np.int32)
        ids = rasterio.features.rasterize([(g, i + 1) for i, (g, _) in enumerate(items)],
                                          fill=0, **kw)
        lake = np.where(ids > 0, ys[np.maximum(ids - 1, 0)], NO_WATER).astype(np.int16)

    road = np.zeros(shape, dtype=np.uint8)
    items = ls.query("roads", bounds)
    if items:
        shapes = []
        for g, width, block, _ in items:
            if width > scale:
                shapes.append((shapely.buffer(g, width / 2.0, cap_style="flat"), int(block)))
            else:
                shapes.append((g, int(block)))
        road = rasterio.features.rasterize(shapes, fill=0, all_touched=True,
                                           **kw).astype(np.uint8)

    building = np.full(shape, -1, dtype=np.int32)
    items = ls.query("buildings", bounds)
    n = len(items)
    roof_y = np.zeros(n, dtype=np.int16)
    wall = np.zeros(n, dtype=np.uint8)
    roof = np.zeros(n, dtype=np.uint8)
    if items:
        cents = np.array([c for _, _, c, _ in items], dtype=np.float64)
        base = sample_source(vrt, world_crs, cents)
        for i, (g, hm, _, seed) in enumerate(items):
            b = 0.0 if math.isnan(base[i]) else base[i]
            ground = sea_level_y + math.floor(b / vertical_scale + 0.5)
            roof_y[i] = min(318, ground + max(2, math.floor(hm / vertical_scale + 0.5)))
            wall[i] = WALLS[seed % len(WALLS)]
            roof[i] = ROOFS[(seed // 7) % len(ROOFS)]
        building = rasterio.features.rasterize(
            [(g, i) for i, (g, _, _, _) in enumerate(items)], fill=-1, **kw)
    return LayerRaster(building, roof_y, wall, roof, road, lake, green)


def _lake_level(vrt: str, world_crs: str, shore: np.ndarray) -> float | None:
    vals = sample_source(vrt, world_crs, shore)
    vals = vals[~np.isnan(vals)]
    return float(vals.min()) if len(vals) else None


def apply_surface(cols: Columns, lr: LayerRaster) -> None:
    """Roads and green areas change the top block of dry ground."""
    dry = cols.water == NO_WATER
    park = (lr.green > 0) & dry & (cols.top != Block.STONE)
    cols.top[park] = Block.GRASS_BLOCK
    cols.sub[park] = Block.DIRT
    r = (lr.road > 0) & dry
    cols.top[r] = lr.road[r]


def _hash(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """A deterministic pseudo-random uint32 per global block column."""
    h = ((x.astype(np.uint32) * np.uint32(0x9E3779B1))
         ^ (z.astype(np.uint32) * np.uint32(0x85EBCA77)))
    h ^= h >> np.uint32(15)
    h *= np.uint32(0x2C1B3C6D)
    h ^= h >> np.uint32(12)
    return h


# A small oak: offsets (dx, dz, dy above ground) of leaves; trunk ground+1..ground+4.
_LEAVES = [(dx, dz, dy) for dy in (3, 4) for dx in range(-2, 3) for dz in range(-2, 3)
           if not (abs(dx) == 2 and abs(dz) == 2)] + \
          [(dx, dz, dy) for dy in (5, 6) for dx in range(-1, 2) for dz in range(-1, 2)
           if dy == 5 or (dx == 0 or dz == 0)]
TREE_TOP = 6


def tree_cells(cols: Columns, lr: LayerRaster, x0: int, z0: int, scale: float) -> np.ndarray:
    """Trunk positions (bool) in a window whose cell (0, 0) is global block (x0, z0)."""
    if scale > 4.0 or not lr.green.any():
        return np.zeros(lr.green.shape, dtype=bool)
    h, w = lr.green.shape
    zz, xx = np.mgrid[z0:z0 + h, x0:x0 + w]
    r = _hash(xx, zz) % np.uint32(1_000_000)
    area = scale * scale
    # One tree per ~20 m2 of wood and ~150 m2 of park, as a per-cell probability.
    p = np.where(lr.green == GREEN_WOOD, area / 20.0, np.where(lr.green == GREEN_PARK,
                                                                area / 150.0, 0.0))
    ok = ((cols.top == Block.GRASS_BLOCK) & (lr.road == 0) & (lr.building < 0)
          & (cols.water == NO_WATER) & ~cols.void)
    return ok & (r < (np.minimum(p, 0.5) * 1_000_000).astype(np.uint32))


def place_structures(blocks: np.ndarray, y_min: int, cols: Columns, lr: LayerRaster,
                     core: tuple[slice, slice], x0: int, z0: int, scale: float) -> None:
    """Buildings (walls, floor, roof, windows) and trees into a region's block array.

    `cols` and `lr` cover the window with margins; `core` selects the region inside it and
    blocks is (ny, core height, core width). (x0, z0): global block of window cell (0, 0).
    """
    ny = blocks.shape[0]
    zc, xc = core
    # --- buildings
    bid = lr.building
    if (bid[core] >= 0).any():
        pad = np.pad(bid, 1, mode="edge")
        edge = ((pad[1:-1, 1:-1] != pad[:-2, 1:-1]) | (pad[1:-1, 1:-1] != pad[2:, 1:-1])
                | (pad[1:-1, 1:-1] != pad[1:-1, :-2]) | (pad[1:-1, 1:-1] != pad[1:-1, 2:]))
        b = bid[core]
        inside = b >= 0
        zs, xs = np.nonzero(inside)
        ids = b[zs, xs]
        g = cols.ground[core][zs, xs].astype(np.int32)
        top = lr.roof_y[ids].astype(np.int32)
        is_wall = edge[core][zs, xs]
        wallb = lr.wall_block[ids]
        roofb = lr.roof_block[ids]
        gx, gz = xs + x0 + xc.start, zs + z0 + zc.start
        for y in range(int(g.min()), int(top.max()) + 1):
            i = y - y_min
            if not 0 <= i < ny:
                continue
            sel = (y >= g) & (y <= top)
            if not sel.any():
                continue
            blk = np.where(y == top, roofb,
                           np.where(y == g, np.uint8(Block.OAK_PLANKS),
                                    np.where(is_wall,
                                             np.where(((y - g) % 3 == 2) & ((gx + gz) % 2 == 0)
                                                      & (y < top - 1), np.uint8(Block.GLASS),
                                                      wallb),
                                             np.uint8(Block.AIR))))
            blocks[i, zs[sel], xs[sel]] = blk[sel]
    # --- trees (from the whole window, so crowns crossing the seam agree on both sides)
    trunks = tree_cells(cols, lr, x0, z0, scale)
    if trunks.any():
        tz, tx = np.nonzero(trunks)
        ground = cols.ground[tz, tx].astype(np.int32)
        ch, cw = zc.stop - zc.start, xc.stop - xc.start

        def put(dx, dz, dy, block, only_air):
            z = tz + dz - zc.start
            x = tx + dx - xc.start
            y = ground + dy - y_min
            ok = (z >= 0) & (z < ch) & (x >= 0) & (x < cw) & (y >= 0) & (y < ny)
            z, x, y = z[ok], x[ok], y[ok]
            if only_air:
                keep = blocks[y, z, x] == Block.AIR
                z, x, y = z[keep], x[keep], y[keep]
            blocks[y, z, x] = block

        for dy in range(1, 5):
            put(0, 0, dy, Block.OAK_LOG, False)
        for dx, dz, dy in _LEAVES:
            put(dx, dz, dy, Block.OAK_LEAVES, True)


def needed_top(cols: Columns, lr: LayerRaster | None, core) -> int:
    """Highest block y the region will use (to size its block array)."""
    top = int(max(cols.ground[core].max(), cols.water[core].max()))
    if lr is not None:
        if (lr.building[core] >= 0).any():
            ids = lr.building[core]
            top = max(top, int(lr.roof_y[np.unique(ids[ids >= 0])].max()))
        if lr.green.any():
            top = max(top, int(cols.ground.max()) + TREE_TOP)
    return min(top, 319)
