"""Source formats (tiles, ASCII grid), areas in other CRSs, lakes and trees from layers."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import Affine
from rasterio.windows import Window

from minecraft.build import BuildOptions, build_world
from minecraft.errors import WorldBuildError
from minecraft.metadata import to_block

from .world_probe import WorldProbe

DEM_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "dem"
if not DEM_DIR.exists():
    DEM_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "dem"
GBG = DEM_DIR / "se_goteborg_srtm3_sweref99tm_50m.tif"
needs_data = pytest.mark.skipif(not GBG.exists(), reason="shared DEM data not present")


def regions(world: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((world / "region").glob("r.*.mca"))}


@needs_data
def test_a_list_of_tiles_builds_the_same_world_as_the_mosaic(tmp_path):
    tiles = []
    with rasterio.open(GBG) as ds:
        profile = ds.profile
        for i, (r, c) in enumerate([(0, 0), (0, 200), (200, 0), (200, 200)]):
            win = Window(c, r, 200, 200)
            p = tmp_path / f"tile{i}.tif"
            prof = dict(profile, width=200, height=200, transform=ds.window_transform(win))
            with rasterio.open(p, "w", **prof) as out:
                out.write(ds.read(1, window=win), 1)
            tiles.append(str(p))
    a, b = tmp_path / "one", tmp_path / "tiles"
    build_world(BuildOptions(sources=[str(GBG)], out=str(a), scale=50.0))
    build_world(BuildOptions(sources=tiles, out=str(b), scale=50.0))
    assert regions(a) == regions(b)


def test_ascii_grid_needs_a_stated_crs(tmp_path):
    asc = tmp_path / "dem.asc"
    rows = "\n".join(" ".join(str(5 + (x + z) % 3) for x in range(40)) for z in range(40))
    asc.write_text("ncols 40\nnrows 40\nxllcorner 400000\nyllcorner 6500000\ncellsize 2\n"
                   f"NODATA_value -9999\n{rows}\n")
    with pytest.raises(WorldBuildError, match="no coordinate reference system"):
        build_world(BuildOptions(sources=[str(asc)], out=str(tmp_path / "w"), scale=2.0))
    build_world(BuildOptions(sources=[str(asc)], out=str(tmp_path / "w"), scale=2.0,
                             source_crs="EPSG:3006"))
    probe = WorldProbe(tmp_path / "w")
    assert probe.meta["origin"] == {"description": probe.meta["origin"]["description"],
                                    "easting": 400000.0, "northing": 6500080.0}
    # Cell (row 0, col 0) holds 5 m; at 2 m per block the vertical scale is still 1 m.
    assert probe.highest(0, 0)[0] == 62 + 5


@needs_data
def test_area_in_wgs84_is_clipped_and_placed(tmp_path):
    # Around Slottsskogen (lon 11.94, lat 57.685), ~2 x 2 km; at 25 m per block.
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(GBG)], out=str(out), scale=25.0,
                             area=(11.93, 57.68, 11.96, 57.695), area_crs="EPSG:4326"))
    meta = json.loads((out / "metadata.json").read_text())
    from rasterio.warp import transform_bounds
    w, s, e, n = transform_bounds("EPSG:4326", "EPSG:3006", 11.93, 57.68, 11.96, 57.695,
                                  densify_pts=21)
    assert meta["origin"]["easting"] <= w < meta["origin"]["easting"] + 25
    assert meta["origin"]["northing"] - 25 < n <= meta["origin"]["northing"]
    assert meta["bounds"]["east"] >= e and meta["bounds"]["south"] <= s
    assert meta["area"]["crs"] == "EPSG:4326"


def _flat(tmp_path, height=10.0, size=96):
    p = tmp_path / "flat.tif"
    with rasterio.open(p, "w", driver="GTiff", width=size, height=size, count=1,
                       dtype="float32", crs="EPSG:3006", nodata=-9999.0,
                       transform=Affine(1, 0, 500000, 0, -1, 6500000 + size)) as ds:
        ds.write(np.full((size, size), height, dtype=np.float32), 1)
    return p


def _geojson(path: Path, features: list[dict]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": features}))
    return path


def _square(x0, y0, size, **props):
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": [[
        [x0, y0], [x0 + size, y0], [x0 + size, y0 + size], [x0, y0 + size], [x0, y0]]]}}


def test_lake_polygon_gets_its_own_level_and_wood_gets_trees(tmp_path):
    src = _flat(tmp_path, 10.0)
    layer = _geojson(tmp_path / "layers.geojson", [
        _square(500010, 6500010, 20, natural="water"),
        _square(500050, 6500050, 40, landuse="forest"),
        _square(500010, 6500060, 12, building="yes", height="7"),
    ])
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0, layers=[str(layer)]))
    probe = WorldProbe(out)
    meta = probe.meta
    # Lake: the shore is at 10 m, so the water surface is y 72 and the bed y 71, 10 m above
    # the sea level: a lake, not sea.
    x, z = to_block(meta, 500020.5, 6500020.5)
    col = probe.column(x, z)
    assert probe.highest(x, z) == (72, "minecraft:water")
    assert col[71 + 64] in ("minecraft:sand", "minecraft:gravel")
    assert probe.highest(x - 15, z)[0] == 72 and col[62 + 64] != "minecraft:water"
    # Building: 7 m on ground y 72 -> roof at y 79, walls around, floor inside.
    bx, bz = to_block(meta, 500016.5, 6500066.5)
    assert probe.highest(bx, bz)[0] == 79
    assert probe.block(bx, 72, bz) == "minecraft:oak_planks"
    assert probe.block(bx, 75, bz) == "minecraft:air"
    ex, ez = to_block(meta, 500010.5, 6500066.5)  # on the footprint's west edge: a wall
    assert probe.block(ex, 75, ez) not in ("minecraft:air",)
    # Wood: trees (logs above the grass) somewhere inside the 40 x 40 m square.
    logs = 0
    for cx in range(50 // 16, 90 // 16 + 1):
        for cz in range((96 - 90) // 16, (96 - 50) // 16 + 1):
            c = probe.chunk(cx, cz)
            logs += int((c == "minecraft:oak_log").sum())
    assert logs >= 4 * 10  # at least ten trees of four logs each
    assert probe.highest(5, 90)[1] == "minecraft:grass_block"  # outside: no trees
