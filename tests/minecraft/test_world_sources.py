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

from .data import GBG, needs_data


def regions(world: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((world / "region").glob("r.*.mca"))}


@needs_data
def test_a_list_of_tiles_builds_the_same_world_as_the_mosaic(tmp_path):
    tiles = []
    with rasterio.open(GBG) as ds:
        profile = ds.profile
        for i, (r, c) in enumerate([(0, 0), (0, 200), (200, 0), (200, 200)]):
            win = Window(c, r, 200, 200)
            p = tmp_path / f"srtm_tile{i}.tif"  # same data, same attribution sign
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
    # Lake: the shore is at 10 m, so the water surface is y 72, 10 m above the sea level: a
    # lake, not sea. Its bed is a block down at the shore and deeper towards the middle.
    x, z = to_block(meta, 500020.5, 6500020.5)
    col = probe.column(x, z)
    assert probe.highest(x, z) == (72, "minecraft:water")
    assert probe.highest(x, z, ("minecraft:air", "minecraft:water"))[0] <= 72 - 4
    assert probe.highest(x - 10, z, ("minecraft:air", "minecraft:water"))[0] == 71
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
            logs += int(np.isin(c, ["minecraft:spruce_log", "minecraft:birch_log"]).sum())
    assert logs >= 5 * 10  # at least ten trees of five or more logs each (spruce and birch)
    assert probe.highest(5, 90)[1] == "minecraft:grass_block"  # outside: no trees


def test_srtm_hgt_tile_in_wgs84_is_reprojected(tmp_path):
    # A synthetic SRTM3 tile (1201 x 1201 big-endian int16, named by its SW corner): heights
    # rise 1 m per row southwards from 0 m on the north edge; -32768 is a void.
    rows = np.arange(1201, dtype=np.int16)[:, None].repeat(1201, axis=1)
    rows[600, 600] = -32768
    hgt = tmp_path / "N59E017.hgt"
    rows.astype(">i2").tofile(hgt)
    from minecraft.source import raster_info

    info = raster_info([str(hgt)])
    assert info.crs == "EPSG:4326" and (info.height_min, info.height_max) == (0.0, 1200.0)
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(hgt)], out=str(out), scale=50.0,
                             area=(17.4, 59.4, 17.6, 59.6), area_crs="EPSG:4326"))
    probe = WorldProbe(out)
    meta = probe.meta
    assert meta["crs"] == "EPSG:3006"
    # At lat 59.5 the row is (60 - 59.5) * 1200 = 600: 600 m (the void there is filled).
    from rasterio.warp import transform
    (e,), (n,) = transform("EPSG:4326", "EPSG:3006", [17.5], [59.5])
    x, z = to_block(meta, e, n)
    v = meta["metres_per_block"]["vertical"]
    want = meta["vertical"]["block_y_of_0_m"] + round(600 / v)
    assert abs(probe.highest(x, z)[0] - want) <= 1


def test_outside_the_polygon_as_sea(tmp_path):
    src = _flat(tmp_path, 10.0, size=64)
    poly = _geojson(tmp_path / "area.geojson", [_square(500016, 6500016, 32)])
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0, area_file=str(poly),
                             outside="sea"))
    probe = WorldProbe(out)
    assert probe.meta["size_blocks"] == {"x": 32, "z": 32}  # the polygon's box
    # The polygon fills its whole box here, so make a smaller polygon inside a larger box:
    poly2 = _geojson(tmp_path / "tri.geojson", [{
        "type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [[
            [500000, 6500000], [500048, 6500000], [500000, 6500048], [500000, 6500000]]]}}])
    out2 = tmp_path / "w2"
    build_world(BuildOptions(sources=[str(src)], out=str(out2), scale=1.0, area_file=str(poly2),
                             outside="sea"))
    probe = WorldProbe(out2)
    h = probe.meta["size_blocks"]["z"]
    assert probe.highest(2, h - 3)[0] == 72  # inside: land at 10 m
    assert probe.highest(40, 5) == (62, "minecraft:water")  # outside: open sea at sea level


def test_tall_relief_is_compressed_and_says_so(tmp_path):
    # A 1,500 m mountain side at 1 m per block cannot fit 1 block per metre.
    zz, xx = np.mgrid[0:32, 0:32]
    h = (xx * 1500.0 / 31).astype(np.float32)
    p = tmp_path / "alps.tif"
    with rasterio.open(p, "w", driver="GTiff", width=32, height=32, count=1, dtype="float32",
                       crs="EPSG:3006", transform=Affine(1, 0, 500000, 0, -1, 6500032)) as ds:
        ds.write(h, 1)
    out = tmp_path / "w"
    r = build_world(BuildOptions(sources=[str(p)], out=str(out), scale=1.0))
    meta = json.loads((out / "metadata.json").read_text())
    v = meta["metres_per_block"]["vertical"]
    assert v > 1.0 and meta["vertical"]["requested_metres_per_block"] == 1.0
    assert "compressed the vertical scale from 1 to" in r.height_message
    assert meta["vertical"]["fit"] == r.height_message
    probe = WorldProbe(out)
    y0 = meta["vertical"]["block_y_of_0_m"]
    for x in (0, 10, 31):
        want = y0 + np.floor(h[5, x] / v + 0.5)
        assert abs(probe.highest(x, 5)[0] - want) <= 1
    assert probe.highest(31, 5)[0] <= 319


@needs_data
@pytest.mark.parametrize("scale", [7.3, 10.0, 25.0])
def test_fast_bilinear_equals_gdal_warp(scale):
    from rasterio.enums import Resampling
    from rasterio.warp import reproject

    from minecraft import source

    vrt = source.open_source([str(GBG)])
    ds = source._dataset(vrt)
    grid = source.Grid("EPSG:3006", 299000.0, 6410000.0, scale, 2000, 2000)
    far = int(20000 / scale)  # blocks across the data
    for x0, z0 in ((40, 60), (-30, -8), (far - 100, far - 90)):  # inside, and across edges
        t = grid.transform(x0, z0)
        fast = source._upsample_bilinear(ds, t, (200, 300))
        assert fast is not None
        gdal = np.full((200, 300), np.nan, np.float32)
        reproject(rasterio.band(ds, 1), gdal, src_nodata=ds.nodata, dst_transform=t,
                  dst_crs="EPSG:3006", dst_nodata=np.nan, resampling=Resampling.bilinear)
        assert np.array_equal(np.isnan(fast), np.isnan(gdal))
        assert np.nanmax(np.abs(fast - gdal)) < 1e-4
    # Coarser than the data, the fast path steps aside for GDAL.
    coarse = source.Grid("EPSG:3006", 299000.0, 6410000.0, 60.0, 100, 100)
    assert source._upsample_bilinear(ds, coarse.transform(1, 1), (10, 10)) is None


def test_fast_bilinear_steps_aside_for_nodata(tmp_path):
    from minecraft import source

    data = np.full((40, 40), 7.0, dtype=np.float32)
    data[20, 20] = -9999.0
    p = tmp_path / "hole.tif"
    with rasterio.open(p, "w", driver="GTiff", width=40, height=40, count=1, dtype="float32",
                       crs="EPSG:3006", nodata=-9999.0,
                       transform=Affine(10, 0, 500000, 0, -10, 6500400)) as ds:
        ds.write(data, 1)
    ds = source._dataset(source.open_source([str(p)]))
    grid = source.Grid("EPSG:3006", 500000.0, 6500400.0, 5.0, 80, 80)
    assert source._upsample_bilinear(ds, grid.transform(30, 30), (20, 20)) is None
    assert source._upsample_bilinear(ds, grid.transform(2, 2), (10, 10)) is not None


@needs_data
def test_sampling_many_points_reads_what_rasterio_samples():
    from rasterio.warp import transform

    from minecraft import layers, source

    vrt = source.open_source([str(GBG)])
    rng = np.random.default_rng(5)
    pts = rng.uniform([298000, 6389000], [320000, 6411000], (3000, 2))  # some outside
    with rasterio.open(GBG) as ds:
        want = np.array([np.nan if np.ma.getmaskarray(v)[0] else float(v[0])
                         for v in ds.sample(pts, indexes=1, masked=True)])
    got = layers.sample_source(vrt, "EPSG:3006", pts)
    assert np.isnan(want).sum() > 100 and np.array_equal(np.isnan(got), np.isnan(want))
    assert np.array_equal(got[~np.isnan(got)], want[~np.isnan(want)])
    # Points in another world CRS (a local SWEREF 99 zone) land on the same cells.
    xs, ys = transform("EPSG:3006", "EPSG:3007", pts[:, 0], pts[:, 1])
    local = layers.sample_source(vrt, "EPSG:3007", np.column_stack([xs, ys]))
    inside = ~np.isnan(want)
    assert np.mean(local[inside] == want[inside]) > 0.99  # a few on cell edges may differ
