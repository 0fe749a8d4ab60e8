"""metadata.json: how the world's blocks relate to real coordinates, and where the data came from.

Convention: block x grows east, block z grows south, y is height. Block (x, z) covers easting
[E0 + x*s, E0 + (x+1)*s) and northing (N0 - (z+1)*s, N0 - z*s], where (E0, N0) is the north-west
corner of block (0, 0) in the world CRS and s the metres per block. A height h metres is the top
of ground block y = y0 + round(h / v), v metres per block vertically, y0 the block y of 0 m.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

FORMAT = "samskapa-minecraft-metadata/1"


def make_metadata(*, crs: str, crs_name: str, crs_wkt: str, crs_reason: str, west: float,
                  north: float, scale: float, vertical_scale: float,
                  sea_level_y: int, requested_sea_level_y: int, requested_vertical_scale: float,
                  height_message: str, width: int, height: int, game_version: str,
                  data_version: int, sources: list[dict], resampling: str,
                  height_range_m: tuple[float, float], spawn: tuple[int, int, int],
                  area: dict | None = None, options: dict | None = None,
                  border: dict | None = None, decorations: dict | None = None,
                  sea: dict | None = None) -> dict:
    return {
        "format": FORMAT,
        "crs": crs,
        "crs_name": crs_name,
        "crs_wkt": crs_wkt,
        "crs_reason": crs_reason,
        # GDAL's geotransform order: E = c + a*x + b*z, N = f + d*x + e*z for block corner (x, z).
        "block_to_crs": {"a": scale, "b": 0.0, "c": west, "d": 0.0, "e": -scale, "f": north,
                         "description": "E = c + a*x + b*z and N = f + d*x + e*z give the "
                                        "north-west corner of block (x, z) in the CRS; add "
                                        "half a block for its centre"},
        "convention": "block x grows east, block z grows south (Minecraft +Z), y is height; "
                      "block (x, z) covers easting [E0 + x*s, E0 + (x+1)*s) and northing "
                      "(N0 - (z+1)*s, N0 - z*s]; height h m is ground block y = y0 + round(h/v)",
        "origin": {"description": "north-west corner of block (x=0, z=0) in the CRS",
                   "easting": west, "northing": north},
        "metres_per_block": {"horizontal": scale, "vertical": vertical_scale},
        "vertical": {
            "block_y_of_0_m": sea_level_y,
            "requested_block_y_of_0_m": requested_sea_level_y,
            "height_offset_blocks": sea_level_y - requested_sea_level_y,
            "requested_metres_per_block": requested_vertical_scale,
            "exaggeration": scale / vertical_scale,
            "fit": height_message,
            "height_range_m": list(height_range_m),
        },
        "size_blocks": {"x": width, "z": height},
        "bounds": {"west": west, "east": west + width * scale,
                   "south": north - height * scale, "north": north},
        "game": {"edition": "java", "version": game_version, "data_version": data_version},
        "spawn": {"x": spawn[0], "y": spawn[1], "z": spawn[2]},
        "sea": sea or {},
        "world_border": border or {},
        "decorations": decorations or {},
        "resampling": resampling,
        "area": area,
        "sources": sources,
        "options": options or {},
    }


def write_metadata(path: Path, meta: dict) -> Path:
    path = Path(path)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(meta, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                   encoding="utf-8")
    tmp.replace(path)
    return path


def to_block(meta: dict, easting: float, northing: float, h: float | None = None):
    """(E, N[, h]) in the world CRS -> (x, z[, y]) block coordinates (integers)."""
    s = meta["metres_per_block"]["horizontal"]
    x = math.floor((easting - meta["origin"]["easting"]) / s)
    z = math.floor((meta["origin"]["northing"] - northing) / s)
    if h is None:
        return x, z
    v = meta["metres_per_block"]["vertical"]
    y = meta["vertical"]["block_y_of_0_m"] + math.floor(h / v + 0.5)
    return x, y, z


def to_world(meta: dict, x: float, z: float, y: float | None = None):
    """Block (x, z[, y]) -> (E, N[, h]) of the block's centre (h: height of the block's top)."""
    s = meta["metres_per_block"]["horizontal"]
    e = meta["origin"]["easting"] + (x + 0.5) * s
    n = meta["origin"]["northing"] - (z + 0.5) * s
    if y is None:
        return e, n
    v = meta["metres_per_block"]["vertical"]
    return e, n, (y - meta["vertical"]["block_y_of_0_m"]) * v
