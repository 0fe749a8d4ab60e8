"""The real place, right: the world's CRS, sea in a rotated grid, the spawn and the border.

Worlds are read back with the independent reader; expected positions come from rasterio
transforms and expected sea from a flood fill computed here with scipy.
"""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import nbtlib
import numpy as np
import rasterio
from rasterio.transform import Affine
from rasterio.warp import transform, transform_bounds
from rasterio.windows import Window
from scipy import ndimage

from minecraft.build import BuildOptions, build_world
from minecraft.metadata import to_block

from .data import GBG, needs_data
from .world_probe import WorldProbe


def write_tif(path: Path, data: np.ndarray, transform_: Affine, crs: str, nodata=-9999.0,
              dtype="float32", count=1) -> Path:
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[-1], height=data.shape[-2],
                       count=count, dtype=dtype, crs=crs, transform=transform_,
                       nodata=nodata) as ds:
        ds.write(data.astype(dtype).reshape(count, *data.shape[-2:]))
    return path


def surface_y(probe: WorldProbe, x: int, z: int) -> int:
    return probe.highest(x, z, ("minecraft:air", "minecraft:water"))[0]


# ---------------------------------------------------------------------------------------------
# 1. The world's CRS


def test_utm_lidar_tile_stays_in_its_own_crs_north_up_and_true_to_scale(tmp_path):
    # A 1 m lidar-like tile in UTM 15N (Minneapolis): a gentle slope rising east, and a 6 m
    # high, 12 x 12 m building-like block in the north-east. Reprojecting it to SWEREF 99 TM
    # rotated it by ~115 degrees and stretched it to 704 x 704 blocks.
    west, north = 478000.0, 4980400.0
    z, x = np.mgrid[0:400, 0:400]
    h = 250.0 + x * 0.01
    h[40:52, 300:312] += 6.0  # rows 40-51 south of the north edge, columns 300-311 east
    src = write_tif(tmp_path / "utm.tif", h, Affine(1, 0, west, 0, -1, north), "EPSG:26915")
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0))
    probe = WorldProbe(out)
    meta = probe.meta
    assert meta["crs"] == "EPSG:26915" and "UTM zone 15N" in meta["crs_name"]
    assert "source's own" in meta["crs_reason"]
    assert meta["size_blocks"] == {"x": 400, "z": 400}  # 400 m / 1 m per block
    assert (meta["origin"]["easting"], meta["origin"]["northing"]) == (west, north)
    assert meta["block_to_crs"] == {**meta["block_to_crs"], "a": 1.0, "b": 0.0, "c": west,
                                    "d": 0.0, "e": -1.0, "f": north}
    y0 = meta["vertical"]["block_y_of_0_m"]

    def want(row, col):
        return y0 + int(np.floor(h[row, col] + 0.5))

    # The block's corners lie where their projected position says, and the cells beside them
    # are plain slope: the world is neither rotated, mirrored nor shifted.
    for row, col in ((40, 300), (51, 311), (40, 311), (51, 300), (39, 300), (52, 311),
                     (40, 299), (51, 312), (390, 10)):
        e, n = west + col + 0.5, north - row - 0.5
        assert surface_y(probe, *to_block(meta, e, n)) == want(row, col), (row, col)
    assert want(40, 300) == want(40, 299) + 6


def test_geographic_tile_outside_sweden_gets_its_utm_zone(tmp_path):
    # 0.01 x 0.01 degrees of WGS 84 at Minneapolis (about 790 x 1,110 m), 0.0001-degree cells,
    # flat at 260 m with a 30 m mound centred on a known point.
    lon0, lat1, d = -93.30, 44.99, 0.0001
    lat, lon = np.mgrid[0:100, 0:100] * np.array([-d, d])[:, None, None] + \
        np.array([lat1 - d / 2, lon0 + d / 2])[:, None, None]
    peak = (-93.2946, 44.9853)
    r = np.hypot((lon - peak[0]) * 78_900, (lat - peak[1]) * 111_100)  # metres
    h = 260.0 + 30.0 * np.clip(1 - r / 150.0, 0, None)
    src = write_tif(tmp_path / "geo.tif", h, Affine(d, 0, lon0, 0, -d, lat1), "EPSG:4326")
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=5.0))
    probe = WorldProbe(out)
    meta = probe.meta
    assert meta["crs"] == "EPSG:32615" and "UTM" in meta["crs_reason"]
    w, s, e, n = transform_bounds("EPSG:4326", "EPSG:32615", lon0, lat1 - 0.01, lon0 + 0.01,
                                  lat1, densify_pts=21)
    size_x, size_z = meta["size_blocks"]["x"], meta["size_blocks"]["z"]
    assert size_x == -(-int(np.ceil((e - meta["origin"]["easting"]) / 5.0)) // 16) * 16
    assert size_z == -(-int(np.ceil((meta["origin"]["northing"] - s) / 5.0)) // 16) * 16
    assert meta["origin"]["easting"] <= w < meta["origin"]["easting"] + 5
    # The mound's top lies where its projected position says (a mound has one highest column).
    (pe,), (pn,) = transform("EPSG:4326", "EPSG:32615", [peak[0]], [peak[1]])
    px, pz = to_block(meta, pe, pn)
    tops = {(x, z): surface_y(probe, x, z) for x in range(px - 12, px + 13, 3)
            for z in range(pz - 12, pz + 13, 3)}
    best = max(tops.values())
    assert tops[(px, pz)] >= best - 1
    assert best - tops[(px - 12, pz)] >= 2 and best - tops[(px, pz + 12)] >= 2


# ---------------------------------------------------------------------------------------------
# 2. Sea in a local SWEREF zone


def _gbg_harbour(tmp_path) -> Path:
    """Real data: 8 x 8 km of the Göteborg DEM around the Göta älv mouth and the harbour, whose
    sea reaches the clip's edges only through narrow openings."""
    p = tmp_path / "harbour.tif"
    with rasterio.open(GBG) as ds:
        win = Window(200, 160, 160, 160)
        with rasterio.open(p, "w", **dict(ds.profile, width=160, height=160,
                                          transform=ds.window_transform(win))) as out:
            out.write(ds.read(1, window=win), 1)
    return p


def _water_at_sea_level(probe: WorldProbe) -> np.ndarray:
    meta = probe.meta
    y0 = meta["vertical"]["block_y_of_0_m"]
    wx, wz = meta["size_blocks"]["x"], meta["size_blocks"]["z"]
    wet = np.zeros((wz, wx), dtype=bool)
    for cz in range(wz // 16):
        for cx in range(wx // 16):
            wet[cz * 16:cz * 16 + 16, cx * 16:cx * 16 + 16] = \
                probe.chunk(cx, cz)[y0 + 64] == "minecraft:water"
    return wet


@needs_data
def test_sea_is_kept_when_the_world_is_in_a_local_sweref_zone(tmp_path):
    # SWEREF 99 18 00 (EPSG:3011, the zone of Stockholm-area municipalities) is rotated ~5
    # degrees against SWEREF 99 TM at Göteborg: the map's corners are collars without data, and
    # the sea may only reach the map's edge across them.
    src = _gbg_harbour(tmp_path)
    local = tmp_path / "local"
    build_world(BuildOptions(sources=[str(src)], out=str(local), scale=50.0, crs="EPSG:3011"))
    probe = WorldProbe(local)
    meta = probe.meta
    assert meta["crs"] == "EPSG:3011"
    wet = _water_at_sea_level(probe)
    # Independently: the columns of the local world whose centre lies in the data, and the sea
    # there according to a flood fill of the DEM in its own grid (which is what a SWEREF 99 TM
    # build of it holds: test_world_build checks that on the whole DEM).
    with rasterio.open(src) as ds:
        dem = ds.read(1)
        labels, _ = ndimage.label(dem <= 0.0)
        edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
        sea_src = np.isin(labels, edge[edge > 0])
        zz, xx = np.mgrid[0:wet.shape[0], 0:wet.shape[1]]
        e = meta["origin"]["easting"] + (xx.ravel() + 0.5) * 50.0
        n = meta["origin"]["northing"] - (zz.ravel() + 0.5) * 50.0
        se, sn = transform("EPSG:3011", "EPSG:3006", e, n)
        rows, cols = rasterio.transform.rowcol(ds.transform, se, sn)
    rows, cols = np.asarray(rows), np.asarray(cols)
    inside = ((rows >= 0) & (rows < 160) & (cols >= 0) & (cols < 160)).reshape(wet.shape)
    assert sea_src.mean() > 0.2 and not inside.all()  # a coast, and collars in the corners
    sea_expected = np.zeros(wet.shape, dtype=bool)
    sea_expected[inside] = sea_src[rows[inside.ravel()], cols[inside.ravel()]]
    # The sea inside the data is as large as in SWEREF 99 TM (less the half cell bilinear
    # resampling of the rotated grid takes off every shore) and lies where the DEM has it.
    assert 0.9 * sea_src.sum() <= wet[inside].sum() <= sea_src.sum()
    agree = (wet[inside] == sea_expected[inside]).mean()
    assert agree > 0.95, (agree, wet[inside].sum(), sea_src.sum())
    assert meta["crs_reason"] == "chosen with --crs"


# ---------------------------------------------------------------------------------------------
# 5. The spawn and the world border


@needs_data
def test_spawn_lands_on_the_dry_land_nearest_the_point_asked_for(tmp_path):
    src = _gbg_harbour(tmp_path)
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=50.0))
    probe = WorldProbe(out)
    meta = probe.meta
    with rasterio.open(src) as ds:
        dem = ds.read(1)
    labels, _ = ndimage.label(dem <= 0.0)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    sea = np.isin(labels, edge[edge > 0])  # the world grid is the DEM's grid here
    wish = (80, 80)  # the map's centre: open water in the harbour basin, once a raft
    assert sea[wish[1], wish[0]]
    zs, xs = np.nonzero(~sea)
    nearest = ((xs - wish[0]) ** 2 + (zs - wish[1]) ** 2).min()
    sx, sy, sz = meta["spawn"]["x"], meta["spawn"]["y"], meta["spawn"]["z"]
    assert (sx - wish[0]) ** 2 + (sz - wish[1]) ** 2 == nearest and not sea[sz, sx]
    assert probe.block(sx, sy - 1, sz) == "minecraft:smooth_stone"  # the hub, on the ground
    assert probe.block(sx, sy - 2, sz) not in ("minecraft:water", "minecraft:air")
    level = nbtlib.File.parse(io.BytesIO(gzip.decompress((out / "level.dat").read_bytes())))
    assert (level["Data"]["SpawnX"], level["Data"]["SpawnZ"]) == (sx, sz)
    # A point asked for on dry land (--spawn, here in WGS 84) is the spawn itself.
    (lon,), (lat,) = transform("EPSG:3006", "EPSG:4326", [316025.0], [6401025.0])
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=50.0, force=True,
                             spawn=(lon, lat), area_crs="EPSG:4326"))
    spawn = WorldProbe(out).meta["spawn"]
    assert not sea[19, 140] and (spawn["x"], spawn["z"]) == (140, 19)


def test_spawn_keeps_out_of_a_lake_of_the_layers(tmp_path):
    # Flat land at 10 m, 64 x 64 m, and a natural=water polygon of 24 x 24 m on the centre: the
    # lake's cells are above 0 m, so only the layers say they are water.
    h = np.full((64, 64), 10.0)
    src = write_tif(tmp_path / "flat.tif", h, Affine(1, 0, 500000, 0, -1, 6500064), "EPSG:3006")
    lake = tmp_path / "lake.geojson"
    lake.write_text(json.dumps({"type": "FeatureCollection", "crs": {
        "type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
        "features": [{"type": "Feature", "properties": {"natural": "water"}, "geometry": {
            "type": "Polygon", "coordinates": [[[500020, 6500020], [500044, 6500020],
                                                [500044, 6500044], [500020, 6500044],
                                                [500020, 6500020]]]}}]}))
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0, layers=[str(lake)]))
    probe = WorldProbe(out)
    sx, sy, sz = (probe.meta["spawn"][k] for k in ("x", "y", "z"))
    assert "minecraft:water" in probe.column(32, 32)  # the wish, the map's centre: the lake
    # The lake covers columns 20-43: the nearest outside are (44, 32) and (32, 44), 12 blocks
    # from the centre; a tie goes to the smaller z.
    assert (sx, sz) == (44, 32)
    assert probe.block(sx, sy - 2, sz) not in ("minecraft:water", "minecraft:air")  # a beach


def test_world_border_and_walls_of_a_rectangular_map(tmp_path):
    # 64 x 32 m at 1 m per block: the square border (the only shape Java has) is drawn around
    # the long side, so the long edges get an invisible barrier wall above the ground.
    h = np.full((32, 64), 8.0)
    src = write_tif(tmp_path / "r.tif", h, Affine(1, 0, 500000, 0, -1, 6500032), "EPSG:3006")
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0))
    level = nbtlib.File.parse(io.BytesIO(gzip.decompress((out / "level.dat").read_bytes())))
    data = level["Data"]
    assert (data["BorderCenterX"], data["BorderCenterZ"], data["BorderSize"]) == (32.0, 16.0,
                                                                                  64.0)
    probe = WorldProbe(out)
    ground = 62 + 8
    for x in (0, 17, 63):
        for z in (0, 31):
            col = probe.column(x, z)
            assert col[ground + 64] == "minecraft:grass_block"
            assert list(col[ground + 65:ground + 65 + 16]) == ["minecraft:barrier"] * 16
    for x, z in ((0, 1), (0, 16), (63, 30), (30, 15)):  # inside and on the short edges: open
        assert "minecraft:barrier" not in probe.column(x, z)
    assert probe.meta["world_border"]["walls"] == ["north", "south"]


# ---------------------------------------------------------------------------------------------
# 8. Memory: a region task gets only its window of the coarse overview


def test_a_region_fills_holes_from_its_window_of_the_overview_as_from_the_whole():
    from minecraft.build import MARGIN, REGION, _coarse_window
    from minecraft.source import COARSE, Coarse, fill_from_coarse

    rng = np.random.default_rng(5)
    whole = Coarse(COARSE, rng.normal(size=(3 * REGION // COARSE, 2 * REGION // COARSE))
                   .astype(np.float32))
    for rx, rz in ((0, 0), (1, 2), (1, 0), (0, 1)):
        window = np.full((REGION + 2 * MARGIN, REGION + 2 * MARGIN), np.nan, np.float32)
        window[40:60, :] = 1.0  # data in a band; the rest comes from the overview
        x0, z0 = rx * REGION - MARGIN, rz * REGION - MARGIN
        part = _coarse_window(whole, rx, rz)
        assert part.mean.size <= 36 * 36
        np.testing.assert_array_equal(fill_from_coarse(window, part, x0, z0),
                                      fill_from_coarse(window, whole, x0, z0))


def test_edges_off_by_rounding_add_no_strip(tmp_path):
    """Found by a newcomer: a raster reprojected with rasterio had its west edge at
    299000.00000236 and came out 416 blocks wide instead of 400, with invented terrain."""
    from minecraft.source import plan_grid
    dem = np.full((320, 320), 5.0, dtype=np.float32)
    src = tmp_path / "noisy.tif"
    write_tif(src, dem, Affine(1.0, 0, 300000.0000024, 0, -1.0, 6400000.0000024), "EPSG:32633")
    grid = plan_grid(str(src), None, 1.0, "EPSG:32633")
    assert (grid.width, grid.height, grid.west, grid.north) == (320, 320, 300000.0, 6400000.0)
