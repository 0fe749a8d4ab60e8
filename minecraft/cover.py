"""Land cover classes: what grows on a column, from OSM tags or a land-cover raster. Pure tables.

One small integer per class (0: nothing known, plain grass). A class decides the top block of dry
ground, the plants standing on it and its trees: species and density. Classes come from

- vector polygons: OpenStreetMap `landuse` / `natural` / `leisure` tags, or Lantmäteriet's
  Topografi `objekttyp` (Swedish class names);
- a land-cover raster: ESA WorldCover (codes 10..100) or Naturvårdsverket's Nationella
  marktäckedata, NMD (codes 2..128), told apart by the codes they use (`raster_scheme`).

Where both exist, vector polygons paint over the raster (they are usually finer).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .blocks import Block

NONE, PARK, FOREST_MIXED, FOREST_CONIFER, FOREST_BROADLEAF, FARMLAND, MEADOW, WETLAND, \
    WETLAND_FOREST, BARE_ROCK, SAND, SNOW = range(12)

SPRUCE, BIRCH, OAK = 1, 2, 3  # tree species


@dataclass(frozen=True)
class CoverClass:
    name: str
    top: Block  # top block of dry, not steep ground
    sub: Block  # the 3 blocks under it
    species: tuple[int, ...] = ()  # trees, chosen per trunk by a hash of its column
    m2_per_tree: float = 0.0  # 0: no trees
    plants: float = 0.0  # share of columns with short grass or a flower on them


CLASSES = {
    NONE: CoverClass("none", Block.GRASS_BLOCK, Block.DIRT),
    PARK: CoverClass("park", Block.GRASS_BLOCK, Block.DIRT, (OAK, BIRCH), 150.0, 0.05),
    FOREST_MIXED: CoverClass("mixed forest", Block.GRASS_BLOCK, Block.DIRT,
                             (SPRUCE, SPRUCE, BIRCH), 20.0, 0.1),
    FOREST_CONIFER: CoverClass("coniferous forest", Block.PODZOL, Block.DIRT, (SPRUCE,), 20.0,
                               0.05),
    FOREST_BROADLEAF: CoverClass("broadleaved forest", Block.GRASS_BLOCK, Block.DIRT,
                                 (BIRCH, OAK), 25.0, 0.15),
    FARMLAND: CoverClass("farmland", Block.FARMLAND, Block.DIRT),
    MEADOW: CoverClass("meadow", Block.GRASS_BLOCK, Block.DIRT, (), 0.0, 0.3),
    WETLAND: CoverClass("wetland", Block.MOSS_BLOCK, Block.MUD, (), 0.0, 0.2),
    WETLAND_FOREST: CoverClass("forest on wetland", Block.MOSS_BLOCK, Block.MUD, (SPRUCE, BIRCH),
                               60.0, 0.1),
    BARE_ROCK: CoverClass("bare rock", Block.STONE, Block.STONE),
    SAND: CoverClass("sand", Block.SAND, Block.SAND),
    SNOW: CoverClass("snow", Block.SNOW_BLOCK, Block.DIRT),
}

# (key, value) -> class, first match wins; `leaf_type` and `wetland` refine (see `from_tags`).
OSM = (
    (("natural", "wetland"), WETLAND), (("landuse", "farmland"), FARMLAND),
    (("landuse", "forest"), FOREST_MIXED), (("natural", "wood"), FOREST_MIXED),
    (("landuse", "meadow"), MEADOW), (("landuse", "grass"), MEADOW),
    (("natural", "grassland"), MEADOW), (("natural", "heath"), MEADOW),
    (("natural", "scrub"), MEADOW), (("landuse", "orchard"), FOREST_BROADLEAF),
    (("leisure", "park"), PARK), (("leisure", "garden"), PARK),
    (("landuse", "recreation_ground"), PARK), (("landuse", "village_green"), PARK),
    (("natural", "bare_rock"), BARE_ROCK), (("natural", "scree"), BARE_ROCK),
    (("natural", "beach"), SAND), (("natural", "sand"), SAND), (("natural", "glacier"), SNOW),
)
# Lantmäteriet Topografi 10/50 `mark` layer, `objekttyp`.
LANTMATERIET = {
    "Barr- och blandskog": FOREST_MIXED, "Lövskog": FOREST_BROADLEAF,
    "Fjällbjörkskog": FOREST_BROADLEAF, "Åker": FARMLAND, "Fruktodling": FOREST_BROADLEAF,
    "Öppen mark": MEADOW, "Kalfjäll": BARE_ROCK, "Glaciär": SNOW,
}
_FORESTS = (FOREST_MIXED, FOREST_CONIFER, FOREST_BROADLEAF)


def from_tags(tags: dict) -> int:
    """The class of a polygon from its tags (NONE when it says nothing about cover)."""
    t = tags.get("objekttyp")
    if t in LANTMATERIET:
        return LANTMATERIET[t]
    for (k, v), cls in OSM:
        if tags.get(k) == v:
            if cls in _FORESTS:
                leaf = tags.get("leaf_type")
                if leaf == "needleleaved":
                    return FOREST_CONIFER
                if leaf == "broadleaved":
                    return FOREST_BROADLEAF
            if cls == WETLAND and tags.get("wetland") == "swamp":
                return WETLAND_FOREST  # OSM: a swamp is a wetland with trees
            return cls
    return NONE


# ESA WorldCover 2020/2021 map codes.
WORLDCOVER = {10: FOREST_MIXED, 20: MEADOW, 30: MEADOW, 40: FARMLAND, 60: BARE_ROCK, 70: SNOW,
              90: WETLAND, 95: WETLAND_FOREST, 100: WETLAND}
# NMD basskikt codes (Naturvårdsverket): 111-118 forest on firm ground, 121-128 on wetland.
NMD = {2: WETLAND, 3: FARMLAND, 41: BARE_ROCK, 42: MEADOW,
       111: FOREST_CONIFER, 112: FOREST_CONIFER, 113: FOREST_CONIFER, 114: FOREST_MIXED,
       115: FOREST_BROADLEAF, 116: FOREST_BROADLEAF, 117: FOREST_BROADLEAF, 118: MEADOW,
       **{c: WETLAND_FOREST for c in range(121, 128)}, 128: WETLAND}
SCHEMES = {"worldcover": WORLDCOVER, "nmd": NMD}
# Codes only one scheme uses (water and built-up codes are left out: both have them).
_ONLY = {"worldcover": {10, 20, 30, 40, 60, 70, 90, 95, 100},
         "nmd": {2, 3, 41, 42, *range(111, 119), *range(121, 129)}}


def raster_scheme(codes) -> str | None:
    """'worldcover' or 'nmd' from the codes a raster holds; None when it cannot tell."""
    present = {int(c) for c in codes}
    hits = [name for name, only in _ONLY.items() if present & only]
    return hits[0] if len(hits) == 1 else None


def lookup(scheme: str) -> np.ndarray:
    """A 256-entry table from raster code to class (unknown codes: NONE)."""
    lut = np.zeros(256, dtype=np.uint8)
    for code, cls in SCHEMES[scheme].items():
        lut[code] = cls
    return lut


def classes_of(codes: np.ndarray, scheme: str) -> np.ndarray:
    """Classes (uint8) of raster codes (float, NaN for nodata)."""
    ok = np.isfinite(codes) & (codes >= 0) & (codes < 256)
    idx = np.where(ok, codes, 0).astype(np.intp)
    return np.where(ok, lookup(scheme)[idx], NONE).astype(np.uint8)


def table(field: str, dtype) -> np.ndarray:
    """A per-class lookup of one CoverClass field (indexable by a class array)."""
    return np.array([getattr(CLASSES[c], field) for c in range(len(CLASSES))], dtype=dtype)
