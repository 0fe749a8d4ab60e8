"""Vector layers: buildings, roads, water and land cover, rasterised per region window.

Any file pyogrio reads, in any CRS (GeoJSON without a CRS is WGS 84 by RFC 7946). Features are
classified by OpenStreetMap tags, read from plain attributes or from the `other_tags` hstore
string of GDAL's OSM exports ('"building:levels"=>"4","roof:shape"=>"flat"'), or by
Lantmäteriet's `objekttyp`.

Everything a feature contributes that must agree across region borders is computed once from the
feature itself (`load_layers`, cached per process), never from the region that happens to draw
it: a building's base is the elevation at a point inside its footprint, the levels of lakes and
rivers come from the elevation along their shores and courses (water.py), a bridge's deck from
the elevation at the bridge's two ends. Walls and trees are placed from a window with a margin,
so both sides of a seam draw the same blocks.

Roads are drawn by class (main roads black, streets grey, paths gravel or dirt) at their `width`
or `lanes` x 3.5 m or the class's width; a road crossing water gets a deck: a way tagged
`bridge` at the heights of its two ends, any other road one block above the water.
Tunnels are left out.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import SimpleNamespace
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.errors
import rasterio.features
import shapely
from rasterio.crs import CRS
from rasterio.warp import transform as warp_transform

from . import buildings, cover, vegetation, water
from .blocks import FALLING, Block
from .errors import WorldBuildError
from .terrain import NO_WATER, Columns, water_depth_blocks

_HSTORE = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
LANE_M = 3.5
LAKE_DEPTH_M = 6.0
NO_DECK = -32768
_DEPTH_BITS = 16  # water level and depth share one int32 when rasterised (`_encode`)

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
LAKES = {("natural", "water"), ("landuse", "reservoir"), ("landuse", "basin"),
         ("waterway", "riverbank")}
RIVER_WATER = {"river", "canal", "stream", "oxbow", "ditch", "drain"}  # water=* of a river area
LANTMATERIET_LAKES = {"Sjö", "Anlagt vatten"}


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


def road_width_m(tags: dict, default: float) -> float:
    """`width`, else `lanes` x 3.5 m, else the class's width."""
    w = buildings.number(tags.get("width"))
    if w and w > 0:
        return w
    lanes = buildings.number(tags.get("lanes"))
    return lanes * LANE_M if lanes and lanes > 0 else default


def water_kind(tags: dict) -> str | None:
    """'lake' or 'river' for a water polygon, None for anything else."""
    t = tags.get("objekttyp")
    if t in LANTMATERIET_LAKES:
        return "lake"
    if t == "Vattendragsyta":
        return "river"
    if tags.get("waterway") == "riverbank" or tags.get("water") in RIVER_WATER:
        return "river"
    if any(tags.get(k) == v for k, v in LAKES) or "water" in tags:
        return "lake"
    return None


@dataclass
class LayerSet:
    """Classified features (shapely geometries in the world CRS) with a spatial index.

    Every item is a tuple whose first element is its geometry."""

    buildings: list = field(default_factory=list)  # (geometry, Building, base_m)
    roads: list = field(default_factory=list)  # (geometry, width_m, block, order, deck_m)
    rivers: list = field(default_factory=list)  # (line, samples, levels_m, width_m, depth_m)
    river_areas: list = field(default_factory=list)  # (piece, level_m, depth_m)
    lakes: list = field(default_factory=list)  # (geometry, level_m)
    cover: list = field(default_factory=list)  # (geometry, cover class), largest first
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


@lru_cache(maxsize=4)
def load_layers(paths: tuple[str, ...], world_crs: str, vrt: str, scale: float) -> LayerSet:
    """Read and classify every layer, and read the elevation every feature needs, once per
    process (cached for the region tasks; forked workers inherit it)."""
    ls = LayerSet(sources=list(paths))
    ways, areas, lakes, bridges, builds = [], [], [], [], []
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
                builds.append(buildings.make_building(g, tags, scale))
            elif lineal and tags.get("highway") in ROADS and tags.get("tunnel") != "yes":
                w, block, order = ROADS[tags["highway"]]
                road = [g, road_width_m(tags, w), block, order, None]
                if tags.get("bridge") not in (None, "no"):
                    bridges.append(road)
                ls.roads.append(road)
            elif lineal and water.waterway_width(tags) and tags.get("tunnel") is None:
                # (culverts and other tunnels run under ground)
                width = water.waterway_width(tags)
                ways += [(part, width) for part in getattr(g, "geoms", [g])]
            elif polygonal and water_kind(tags) == "river":
                areas.append(g)
            elif polygonal and water_kind(tags) == "lake":
                lakes.append(g)
            elif polygonal and cover.from_tags(tags) != cover.NONE:
                ls.cover.append((g, cover.from_tags(tags)))
    step = max(scale, 2.0)  # metres between samples along rivers and shores
    lakes += _rivers(ls, ways, areas, vrt, world_crs, step, scale)  # areas without a river
    for g in lakes:
        level = water.lake_level(sample_source(vrt, world_crs, water.ring_points(g, step)))
        if level is not None:
            ls.lakes.append((g, level))
    if builds:
        base = sample_source(vrt, world_crs, np.array([b.point for b in builds]))
        ls.buildings = [(b.geometry, b, 0.0 if math.isnan(h) else float(h))
                        for b, h in zip(builds, base)]
    if bridges:
        ends = np.array([end for r in bridges for end in _ends(r[0])])
        h = sample_source(vrt, world_crs, ends).reshape(-1, 2)
        for r, (h0, h1) in zip(bridges, h):
            if np.isfinite(h0) and np.isfinite(h1):
                r[4] = (float(h0), float(h1))
    ls.roads = [tuple(r) for r in sorted(ls.roads, key=lambda r: r[3])]  # main roads last
    ls.cover.sort(key=lambda it: -it[0].area)  # small polygons paint over the large ones
    return ls


def _ends(g) -> tuple:
    line = shapely.line_merge(g) if g.geom_type == "MultiLineString" else g
    coords = shapely.get_coordinates(line)
    return coords[0], coords[-1]


def _rivers(ls: LayerSet, ways: list, areas: list, vrt: str, world_crs: str, step: float,
            scale: float) -> list:
    """Levels along every waterway (one elevation read for all of them) and the river areas
    they run through; returns the river areas no waterway runs through (drawn as lakes)."""
    if not ways:
        return areas
    samples = [water.sample_line(line, step) for line, _ in ways]
    sides = [water.bank_points(s, w / 2.0 + scale) for s, (_, w) in zip(samples, ways)]
    pts = np.concatenate([np.concatenate([s, left, right]) for s, (left, right)
                          in zip(samples, sides)])
    heights = sample_source(vrt, world_crs, pts)
    profiles, at = [], 0
    for s in samples:
        profiles.append(water.bank_profile(*heights[at:at + 3 * len(s)].reshape(3, -1)))
        at += 3 * len(s)
    levels = water.network_levels(profiles, water.find_joins(samples))
    for (line, width), s, lv in zip(ways, samples, levels):
        ls.rivers.append((shapely.LineString(s).buffer(width / 2.0 + scale), s, lv, width,
                          water.depth_for_width(width)))
    alone = []
    for area in areas:
        near = ls.query("rivers", area.bounds)
        # The area belongs to its river, not to the streams running into it.
        widest = max((r[3] for r in near), default=0.0)
        near = [r for r in near if r[3] >= widest / 2]
        pieces = water.area_pieces(area, np.concatenate([r[1] for r in near]),
                                   np.concatenate([r[2] for r in near])) if near else []
        if not pieces:
            alone.append(area)
        depth = max((r[4] for r in near), default=0.0)
        ls.river_areas += [(piece, level, depth) for piece, level in pieces]
    return alone


def sample_source(vrt: str, world_crs: str, points: np.ndarray) -> np.ndarray:
    """Source heights (metres, nearest cell) at world-CRS points; NaN where there is no data.

    Points are grouped by 256 x 256 source blocks and each group is read as one window: far
    faster than a read per point when rivers and shores bring tens of thousands of them."""
    from rasterio.windows import Window

    from .source import _dataset

    ds = _dataset(vrt)
    out = np.full(len(points), np.nan)
    if len(points) == 0:
        return out
    xs, ys = points[:, 0], points[:, 1]
    if ds.crs != CRS.from_user_input(world_crs):
        xs, ys = (np.asarray(v) for v in warp_transform(world_crs, ds.crs, xs, ys))
    cols, rows = ~ds.transform * (np.asarray(xs), np.asarray(ys))
    c = np.floor(cols).astype(np.int64)
    r = np.floor(rows).astype(np.int64)
    ok = np.flatnonzero((c >= 0) & (c < ds.width) & (r >= 0) & (r < ds.height))
    if len(ok) == 0:
        return out
    key = (r[ok] // 256) * (ds.width // 256 + 1) + c[ok] // 256
    order = np.argsort(key, kind="stable")
    ok, key = ok[order], key[order]
    for group in np.split(ok, np.flatnonzero(np.diff(key)) + 1):
        gr, gc = r[group], c[group]
        r0, c0 = int(gr.min()), int(gc.min())
        data = ds.read(1, window=Window(c0, r0, int(gc.max()) - c0 + 1, int(gr.max()) - r0 + 1),
                       masked=True)
        out[group] = data.astype(np.float64).filled(np.nan)[gr - r0, gc - c0]
    return out


def check_raster(path: str, option: str) -> str:
    """The absolute path of a raster (given with `option`, e.g. --landcover) that exists, GDAL
    reads and states its CRS."""
    import rasterio
    import rasterio.errors

    if not os.path.exists(path):
        raise WorldBuildError("The %(option)s raster %(path)s does not exist; check the path.",
                              option=option, path=path)
    try:
        with rasterio.open(path) as ds:
            crs = ds.crs
    except rasterio.errors.RasterioIOError:
        raise WorldBuildError("The %(option)s raster %(path)s is not a raster GDAL can read; "
                              "give a GeoTIFF or VRT.", option=option, path=path) from None
    if crs is None or not crs.to_wkt():
        raise WorldBuildError("The %(option)s raster %(path)s has no coordinate reference "
                              "system; save it with one (for example EPSG:3006).",
                              option=option, path=path)
    return str(Path(path).resolve())


def landcover_scheme(path: str) -> str:
    """'worldcover' or 'nmd', from the codes an overview of the raster holds."""
    from rasterio.enums import Resampling

    from .source import _dataset

    ds = _dataset(str(Path(path).resolve()))
    f = max(1, math.ceil(max(ds.width, ds.height) / 1024))
    codes = ds.read(1, out_shape=(max(1, ds.height // f), max(1, ds.width // f)),
                    resampling=Resampling.nearest, masked=True).compressed()
    scheme = cover.raster_scheme(np.unique(codes))
    if scheme is None:
        raise WorldBuildError("The land cover raster %(path)s holds neither ESA WorldCover nor "
                              "NMD class codes; give one of those.", path=path)
    return scheme


def landcover_classes(path: str, scheme: str, grid, transform, shape) -> np.ndarray:
    """Land cover classes on a window: the nearest cell, or the most common one when blocks
    are coarser than the raster's cells."""
    from .source import source_resolution, warp_window

    coarser = grid.scale >= 1.5 * source_resolution(path, grid.crs)
    codes = warp_window(path, grid.crs, transform, shape, "mode" if coarser else "nearest")
    return cover.classes_of(codes, scheme)


@dataclass
class LayerRaster:
    """Layer cells on one window (2D arrays of the window's shape unless said otherwise)."""

    building: np.ndarray  # int32 index into the per-building arrays, -1 none
    eaves: np.ndarray  # int16 per building: block y of the eaves (the roof of a flat one)
    rise: np.ndarray  # int16 roof blocks above the eaves
    wall_block: np.ndarray  # uint8 per building
    roof_block: np.ndarray  # uint8 per building
    doors: list  # (row, column, facing)
    road: np.ndarray  # uint8 Block of the road surface, 0 none
    deck: np.ndarray  # int16 block y of a bridge deck, NO_DECK none
    water_level: np.ndarray  # int16 lake or river surface y, NO_WATER none
    water_depth: np.ndarray  # uint8 most blocks its bed lies below the surface
    cover: np.ndarray  # uint8 land cover class


def rasterize(ls: LayerSet | None, landcover: np.ndarray | None, transform,
              shape: tuple[int, int], scale: float, vertical_scale: float,
              sea_level_y: int) -> LayerRaster:
    """The layers (and a land cover class raster already on this window) on one window."""
    h, w = shape
    west, north = transform.c, transform.f
    bounds = (west, north - h * scale, west + w * scale, north)
    kw = dict(out_shape=shape, transform=transform, dtype="int32")

    def y_of(metres):  # as terrain.block_heights (numbers or arrays)
        return sea_level_y + np.floor(np.asarray(metres) / vertical_scale + 0.5).astype(np.int64)

    classes = np.zeros(shape, np.uint8) if landcover is None else landcover.astype(np.uint8)
    lr = LayerRaster(np.full(shape, -1, np.int32), np.zeros(0, np.int16),
                     np.zeros(shape, np.int16), np.zeros(0, np.uint8), np.zeros(0, np.uint8), [],
                     np.zeros(shape, np.uint8), np.full(shape, NO_DECK, np.int16),
                     np.full(shape, NO_WATER, np.int16), np.zeros(shape, np.uint8), classes)
    if ls is None:
        return lr
    items = ls.query("cover", bounds)
    if items:
        painted = rasterio.features.rasterize([(g, c) for g, c in items], fill=0, **kw)
        lr.cover = np.where(painted > 0, painted, classes).astype(np.uint8)
    _water(lr, ls, bounds, kw, scale, vertical_scale, y_of)
    _roads(lr, ls, bounds, kw, transform, y_of)
    _buildings(lr, ls, bounds, kw, transform, scale, vertical_scale, y_of)
    return lr


def water_cells(ls: LayerSet, transform, shape: tuple[int, int], scale: float) -> np.ndarray:
    """Cells of a window the layers' rivers and lakes cover (as `rasterize` draws them), before
    the vertical fit is known: the first pass keeps the spawn out of them."""
    h, w = shape
    bounds = (transform.c, transform.f - h * scale, transform.c + w * scale, transform.f)
    levels = SimpleNamespace(water_level=np.full(shape, NO_WATER, np.int16),
                             water_depth=np.zeros(shape, np.uint8))  # what _water fills
    _water(levels, ls, bounds, dict(out_shape=shape, transform=transform, dtype="int32"), scale,
           1.0, lambda metres: np.floor(np.asarray(metres) + 0.5).astype(np.int64))
    return levels.water_level != NO_WATER


def _encode(y: int, depth: int) -> int:
    """One int32 that orders by level, then by depth, deepest first (the lowest code wins)."""
    return (y + 1024) * _DEPTH_BITS + (_DEPTH_BITS - 1 - min(depth, _DEPTH_BITS - 1))


def _water(lr, ls, bounds, kw, scale, v, y_of) -> None:
    """Rivers (lowest level wins where they overlap), then lakes over them."""
    pad = max((r[3] for r in ls.rivers), default=0.0) / 2.0 + scale
    west, south, east, north = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad,
                                bounds[3] + pad)
    wide, thin = [], []
    for _, s, lv, width, depth in ls.query("rivers", bounds):
        a, b = s[:-1], s[1:]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        sel = ((hi[:, 0] >= west) & (lo[:, 0] <= east) & (hi[:, 1] >= south)
               & (lo[:, 1] <= north) & np.isfinite(lv[1:]))
        if not sel.any():
            continue
        segs = shapely.linestrings(np.stack([a[sel], b[sel]], axis=1))
        d = water_depth_blocks(depth, v, _DEPTH_BITS - 1)
        # Each segment at its downstream end's level (the lower of its two).
        vals = [_encode(int(y), d) for y in y_of(lv[1:][sel])]
        if width > scale:
            wide += list(zip(shapely.buffer(segs, width / 2.0), vals))
        else:
            thin += list(zip(segs, vals))
    for piece, level, depth in ls.query("river_areas", bounds):
        wide.append((piece, _encode(int(y_of(level)), water_depth_blocks(depth, v,
                                                                          _DEPTH_BITS - 1))))
    code = np.zeros(kw["out_shape"], np.int32)
    for shapes, touched in ((wide, False), (thin, True)):
        if shapes:
            shapes.sort(key=lambda it: -it[1])  # paint the highest first: the lowest wins
            painted = rasterio.features.rasterize(shapes, fill=0, all_touched=touched, **kw)
            code = np.where((painted > 0) & ((code == 0) | (painted < code)), painted, code)
    lake_depth = water_depth_blocks(LAKE_DEPTH_M, v, _DEPTH_BITS - 1)
    lakes = [(g, _encode(int(y_of(level)), lake_depth)) for g, level in ls.query("lakes", bounds)]
    if lakes:
        lakes.sort(key=lambda it: -it[1])
        painted = rasterio.features.rasterize(lakes, fill=0, **kw)
        code = np.where(painted > 0, painted, code)
    wet = code > 0
    lr.water_level[wet] = (code[wet] // _DEPTH_BITS - 1024).astype(np.int16)
    lr.water_depth[wet] = (_DEPTH_BITS - 1 - code[wet] % _DEPTH_BITS).astype(np.uint8)


def _roads(lr, ls, bounds, kw, transform, y_of) -> None:
    items = ls.query("roads", bounds)
    if not items:
        return
    scale = transform.a
    shapes = []
    for g, width, block, _, deck_m in items:
        shape = shapely.buffer(g, width / 2.0, cap_style="flat") if width > scale else g
        shapes.append((shape, int(block)))
        if deck_m is None:
            continue
        cells = rasterio.features.rasterize([(shape, 1)], fill=0, all_touched=True,
                                            **kw).astype(bool)
        rows, cols = np.nonzero(cells)
        if len(rows) == 0:
            continue
        xs, ys = transform * (cols + 0.5, rows + 0.5)
        line = shapely.line_merge(g) if g.geom_type == "MultiLineString" else g
        t = shapely.line_locate_point(line, shapely.points(xs, ys), normalized=True)
        h0, h1 = deck_m
        deck = y_of(h0 + t * (h1 - h0)).astype(np.int16)
        lr.deck[rows, cols] = np.maximum(lr.deck[rows, cols], deck)
    lr.road = rasterio.features.rasterize(shapes, fill=0, all_touched=True,
                                          **kw).astype(np.uint8)


def _buildings(lr, ls, bounds, kw, transform, scale, v, y_of) -> None:
    items = ls.query("buildings", bounds)
    if not items:
        return
    n = len(items)
    lr.building = rasterio.features.rasterize([(g, i) for i, (g, _, _) in enumerate(items)],
                                              fill=-1, **kw)
    lr.eaves = np.zeros(n, np.int16)
    lr.wall_block = np.zeros(n, np.uint8)
    lr.roof_block = np.zeros(n, np.uint8)
    for i, (_, b, base_m) in enumerate(items):
        eaves = int(y_of(base_m)) + max(2, math.floor(b.wall_m / v + 0.5))
        lr.eaves[i] = min(318, eaves)
        lr.wall_block[i] = buildings.WALLS[b.seed % len(buildings.WALLS)]
        lr.roof_block[i] = buildings.ROOFS[(b.seed // 7) % len(buildings.ROOFS)]
        if b.roof != "flat":
            rows, cols = np.nonzero(lr.building == i)
            xs, ys = transform * (cols + 0.5, rows + 0.5)
            rise = np.floor(buildings.roof_rise_m(b, np.asarray(xs), np.asarray(ys), scale)
                            / v + 0.5)
            lr.rise[rows, cols] = np.minimum(rise, 318 - lr.eaves[i]).astype(np.int16)
    lr.doors = buildings.door_cells([b for _, b, _ in items], lr.building, transform.c,
                                    transform.f, scale)


def apply_surface(cols: Columns, lr: LayerRaster) -> None:
    """Land cover and roads change the top block of dry ground; decks over water are settled."""
    dry = cols.water == NO_WATER
    soil = dry & (cols.top == Block.GRASS_BLOCK) & (lr.cover > 0)
    cols.top[soil] = cover.table("top", np.uint8)[lr.cover[soil]]
    cols.sub[soil] = cover.table("sub", np.uint8)[lr.cover[soil]]
    over_water = (lr.road > 0) & ~dry
    lr.deck[over_water] = np.maximum(lr.deck, cols.water + 1)[over_water]
    # A deck at most a block above dry ground is just the road on the ground.
    low = dry & (lr.deck <= cols.ground + 1)
    lr.deck[low] = NO_DECK
    on_ground = (lr.road > 0) & dry & (lr.deck == NO_DECK)
    cols.top[on_ground] = lr.road[on_ground]


def deck_blocks(lr: LayerRaster) -> np.ndarray:
    """The block of each bridge deck cell (0 elsewhere): the road's own surface, or planks
    where that surface would fall (sand, gravel)."""
    block = np.where(np.isin(lr.road, list(FALLING)), np.uint8(Block.OAK_PLANKS), lr.road)
    return np.where(lr.deck != NO_DECK, block, 0).astype(np.uint8)


def place_structures(blocks: np.ndarray, y_min: int, cols: Columns, lr: LayerRaster,
                     core: tuple[slice, slice], x0: int, z0: int, scale: float) -> None:
    """Buildings, bridge decks, plants and trees into a region's block array.

    `cols` and `lr` cover the window with margins; `core` selects the region inside it and
    blocks is (ny, core height, core width). (x0, z0): global block of window cell (0, 0).
    """
    ny = blocks.shape[0]
    if (lr.building[core] >= 0).any():
        buildings.place(blocks, y_min, cols.ground, lr.building, lr.eaves, lr.rise,
                        lr.wall_block, lr.roof_block, lr.doors, core, x0, z0)
    deck = lr.deck[core]
    zs, xs = np.nonzero(deck != NO_DECK)
    if len(zs):
        block = deck_blocks(lr)[core][zs, xs]
        y = deck[zs, xs].astype(np.int64) - y_min
        ok = (y >= 0) & (y < ny)
        blocks[y[ok], zs[ok], xs[ok]] = block[ok]
    free = vegetation.free_ground(cols.top, cols.water, cols.void, lr.road, lr.building,
                                  lr.deck, NO_DECK)
    plant = vegetation.plants(lr.cover[core], cols.top[core], free[core], x0 + core[1].start,
                              z0 + core[0].start, scale)
    zs, xs = np.nonzero(plant)
    if len(zs):
        y = cols.ground[core][zs, xs].astype(np.int64) + 1 - y_min
        ok = (y >= 0) & (y < ny)
        zs, xs, y = zs[ok], xs[ok], y[ok]
        empty = blocks[y, zs, xs] == Block.AIR
        blocks[y[empty], zs[empty], xs[empty]] = plant[zs[empty], xs[empty]]
    trunks = vegetation.trees(lr.cover, free, x0, z0, scale)
    if trunks:
        vegetation.place_trees(blocks, y_min, cols.ground, trunks, core)


def needed_top(cols: Columns, lr: LayerRaster | None, core) -> int:
    """Highest block y the region will use (to size its block array)."""
    top = int(max(cols.ground[core].max(), cols.water[core].max()))
    if lr is not None:
        ids = lr.building[core]
        if (ids >= 0).any():
            top = max(top, int((lr.eaves[ids[ids >= 0]] + lr.rise[core][ids >= 0]).max()))
        top = max(top, int(lr.deck[core].max()), int(cols.ground[core].max()) + 1)
        if vegetation.has_trees(lr.cover):
            top = max(top, int(cols.ground.max()) + vegetation.TREE_TOP)
    return min(top, 319)
