"""Whole builds on the real Göteborg DEM and on synthetic rasters, read back independently.

Heights are checked against the DEM resampled here with rasterio onto the grid that
metadata.json describes; the sea against a flood fill computed here with scipy.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.enums import Resampling
from rasterio.transform import Affine
from rasterio.warp import reproject
from scipy import ndimage

from minecraft.build import BuildOptions, build_world
from minecraft.metadata import to_block

from .world_probe import WorldProbe

from .data import DEM_DIR, GBG, needs_data

IGNORE_FOR_GROUND = ("minecraft:air", "minecraft:water")


def region_bytes(world: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((world / "region").glob("r.*.mca"))}


def resample_like(meta: dict, path: Path) -> np.ndarray:
    """The DEM on the world grid, resampled independently with rasterio."""
    s = meta["metres_per_block"]["horizontal"]
    W, H = meta["size_blocks"]["x"], meta["size_blocks"]["z"]
    dst = np.full((H, W), np.nan, dtype=np.float32)
    with rasterio.open(path) as ds:
        reproject(rasterio.band(ds, 1), dst, dst_transform=Affine(
            s, 0, meta["origin"]["easting"], 0, -s, meta["origin"]["northing"]),
            dst_crs=meta["crs"], dst_nodata=np.nan, resampling=Resampling[meta["resampling"]])
    return dst


def expected_y(meta: dict, h) -> np.ndarray:
    v = meta["metres_per_block"]["vertical"]
    return meta["vertical"]["block_y_of_0_m"] + np.floor(np.asarray(h) / v + 0.5)


@pytest.fixture(scope="module")
def gbg_world(tmp_path_factory):
    out = tmp_path_factory.mktemp("gbg") / "world"
    result = build_world(BuildOptions(sources=[str(GBG)], out=str(out), scale=25.0))
    return out, result


@needs_data
def test_goteborg_files_and_metadata(gbg_world):
    out, result = gbg_world
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["crs"] == "EPSG:3006"
    assert (meta["origin"]["easting"], meta["origin"]["northing"]) == (299000.0, 6410000.0)
    assert meta["size_blocks"] == {"x": 800, "z": 800}
    assert meta["metres_per_block"]["horizontal"] == 25.0
    assert meta["metres_per_block"]["vertical"] == pytest.approx((25 / 2) ** 0.5)
    assert meta["vertical"]["block_y_of_0_m"] == 62
    assert meta["game"]["data_version"] > 3000
    assert "x grows east" in meta["convention"]
    assert any(s["licence"] == "public domain" for s in meta["sources"])
    assert sorted(region_bytes(out)) == ["r.0.0.mca", "r.0.1.mca", "r.1.0.mca", "r.1.1.mca"]
    assert (out / "level.dat").exists() and (out / "preview.png").exists()
    assert result.chunks == 50 * 50


@needs_data
def test_goteborg_surface_matches_dem(gbg_world):
    out, _ = gbg_world
    probe = WorldProbe(out)
    meta = probe.meta
    dem = resample_like(meta, GBG)
    y0 = meta["vertical"]["block_y_of_0_m"]
    rng = np.random.default_rng(7)
    # Sample columns in a handful of chunks spread over all four regions (and their seams).
    chunks = [(int(cx), int(cz)) for cx, cz in rng.integers(0, 50, size=(10, 2))]
    chunks += [(31, 31), (32, 31), (31, 32), (32, 32)]
    checked = 0
    for cx, cz in chunks:
        for _ in range(6):
            x, z = cx * 16 + int(rng.integers(16)), cz * 16 + int(rng.integers(16))
            want = expected_y(meta, dem[z, x])
            col = probe.column(x, z)
            gy, name = probe.highest(x, z, IGNORE_FOR_GROUND)
            if col[y0 + 64] == "minecraft:water":  # the sea bed: never above the data
                assert gy <= min(want, y0 - 1), (x, z, gy, want, name)
            else:
                assert abs(gy - want) <= 1, (x, z, gy, want, name)
            assert probe.block(x, -64, z) == "minecraft:bedrock"
            checked += 1
    assert checked == len(chunks) * 6


@needs_data
def test_goteborg_sea_is_low_and_edge_connected(gbg_world):
    out, _ = gbg_world
    probe = WorldProbe(out)
    meta = probe.meta
    dem = resample_like(meta, GBG)
    labels, _ = ndimage.label(dem <= 0.0)  # default structure: 4-connected
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    sea = np.isin(labels, edge[edge > 0])
    inland_low = (dem <= 0.0) & ~sea
    assert sea.mean() > 0.2 and inland_low.any()
    y0 = meta["vertical"]["block_y_of_0_m"]
    # Whole chunks where inland low cells occur, plus chunks with open sea and across seams.
    zs, xs = np.nonzero(inland_low)
    chunks = {(int(x) // 16, int(z) // 16) for x, z in zip(xs[::40], zs[::40])}
    chunks |= {(0, 0), (31, 31), (32, 32), (10, 40)}
    for cx, cz in sorted(chunks)[:14]:
        c = probe.chunk(cx, cz)
        water_at_y0 = c[y0 + 64] == "minecraft:water"
        want = sea[cz * 16:(cz + 1) * 16, cx * 16:(cx + 1) * 16]
        assert (water_at_y0 == want).all(), (cx, cz)


@needs_data
def test_goteborg_sea_deepens_away_from_the_shore(gbg_world):
    out, _ = gbg_world
    probe = WorldProbe(out)
    meta = probe.meta
    dem = resample_like(meta, GBG)
    labels, _ = ndimage.label(dem <= 0.0)
    edge = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    sea = np.isin(labels, edge[edge > 0])
    from_shore = ndimage.distance_transform_edt(sea)  # blocks to the nearest land cell
    y0 = meta["vertical"]["block_y_of_0_m"]
    rng = np.random.default_rng(3)
    zs, xs = np.nonzero(sea & (from_shore >= 3))
    depths = {}
    for i in rng.choice(len(zs), 40, replace=False):
        x, z = int(xs[i]), int(zs[i])
        col = probe.column(x, z)
        bed = int(np.flatnonzero(col[:y0 + 64] != "minecraft:water").max()) - 64
        assert col[y0 + 64] == "minecraft:water" and col[y0 + 65] == "minecraft:air"
        depths[(x, z)] = y0 - bed
    assert min(depths.values()) >= 3, depths  # boats and swimming, not a puddle
    zs, xs = np.nonzero(sea & (from_shore == 1))
    x, z = int(xs[0]), int(zs[0])
    assert probe.highest(x, z, IGNORE_FOR_GROUND)[0] >= min(expected_y(meta, dem[z, x]),
                                                            y0 - 1) - 1  # the shore shelves


def _write_tif(path: Path, data: np.ndarray, transform: Affine, crs="EPSG:3006", nodata=-9999.0):
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype="float32", crs=crs, transform=transform,
                       nodata=nodata) as ds:
        ds.write(data.astype(np.float32), 1)


def test_inland_pit_below_sea_level_is_not_sea(tmp_path):
    # 64 x 64 m at 1 m: sea (-0.5 m) in the west quarter, a low shore at 0.5 m, land at 5 m,
    # a pit at -3 m inland.
    h = np.full((64, 64), 5.0, dtype=np.float32)
    h[:, :16] = -0.5
    h[:, 16:24] = 0.5
    h[30:36, 40:46] = -3.0
    src = tmp_path / "pit.tif"
    _write_tif(src, h, Affine(1, 0, 500000, 0, -1, 6500064))
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0))
    probe = WorldProbe(out)
    assert probe.block(5, 62, 20) == "minecraft:water"
    assert probe.highest(15, 20, IGNORE_FOR_GROUND)[0] == 61  # a block deep at the shore
    assert probe.highest(5, 20, IGNORE_FOR_GROUND)[0] <= 62 - 4  # deeper 11 m out
    pit = probe.column(42, 32)
    assert "minecraft:water" not in set(pit)
    assert probe.highest(42, 32)[0] == 62 - 3
    assert probe.highest(60, 5)[1] == "minecraft:grass_block"
    assert probe.highest(16, 5)[1] == "minecraft:sand"  # the beach beside the sea


def test_nodata_is_filled_from_neighbours_not_zero(tmp_path):
    h = np.full((48, 48), 30.0, dtype=np.float32)
    h[20:28, 20:28] = -9999.0  # a hole
    src = tmp_path / "hole.tif"
    _write_tif(src, h, Affine(1, 0, 500000, 0, -1, 6500048))
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0))
    probe = WorldProbe(out)
    assert probe.highest(24, 24)[0] == 62 + 30


def test_area_polygon_void_outside(tmp_path):
    h = np.full((64, 64), 10.0, dtype=np.float32)
    src = tmp_path / "flat.tif"
    _write_tif(src, h, Affine(1, 0, 500000, 0, -1, 6500064))
    poly = tmp_path / "area.geojson"
    poly.write_text(json.dumps({"type": "FeatureCollection", "crs": {"type": "name", "properties":
                    {"name": "urn:ogc:def:crs:EPSG::3006"}}, "features": [{
                        "type": "Feature", "properties": {}, "geometry": {
                            "type": "Polygon", "coordinates": [[[500000, 6500000], [500040, 6500000],
                                                               [500000, 6500064], [500000, 6500000]]]}}]}))
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0, area_file=str(poly)))
    probe = WorldProbe(out)
    assert probe.meta["size_blocks"] == {"x": 48, "z": 64}
    assert probe.highest(2, 60)[0] == 72  # inside the triangle
    assert set(probe.column(30, 20)) == {"minecraft:air"}  # outside: void
    assert probe.chunk(2, 0) is None  # a chunk wholly outside is not written at all


@needs_data
def test_determinism_pool_and_dask_are_byte_identical(gbg_world, tmp_path):
    out, _ = gbg_world
    clean = region_bytes(out)
    pool = tmp_path / "pool"
    build_world(BuildOptions(sources=[str(GBG)], out=str(pool), scale=25.0, workers=2))
    assert region_bytes(pool) == clean
    assert (pool / "level.dat").read_bytes() == (out / "level.dat").read_bytes()

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                      protocol="tcp", host="127.0.0.1", dashboard_address=None) as cluster:
        dask_out = tmp_path / "dask"
        build_world(BuildOptions(sources=[str(GBG)], out=str(dask_out), scale=25.0,
                                 scheduler=cluster.scheduler_address))
    assert region_bytes(dask_out) == clean
    assert json.loads((dask_out / "metadata.json").read_text()) == \
        json.loads((out / "metadata.json").read_text())


@needs_data
def test_resume_after_interrupted_write(gbg_world, tmp_path):
    out, _ = gbg_world
    clean = region_bytes(out)
    w = tmp_path / "w"
    opts = dict(sources=[str(GBG)], out=str(w), scale=25.0)
    build_world(BuildOptions(**opts))
    # Simulate a kill during the write of r.1.0: its final file is missing, a temp file remains.
    (w / "region" / "r.1.0.mca").unlink()
    (w / "region" / ".r.1.0.mca.12345.tmp").write_bytes(b"half a region")
    (w / "level.dat").unlink()
    before = (w / "region" / "r.0.0.mca").stat().st_mtime_ns
    result = build_world(BuildOptions(**opts, resume=True))
    assert result.regions_skipped == 3
    assert region_bytes(w) == clean
    assert not list((w / "region").glob("*tmp*")) and not list((w / "region").glob(".*tmp"))
    assert (w / "region" / "r.0.0.mca").stat().st_mtime_ns == before  # skipped, not rewritten
    assert (w / "level.dat").read_bytes() == (out / "level.dat").read_bytes()


@needs_data
def test_resume_after_killed_process(gbg_world, tmp_path):
    out, _ = gbg_world
    clean = region_bytes(out)
    w = tmp_path / "w"
    args = [sys.executable, "-m", "minecraft.cli", "build", str(GBG), "--out", str(w),
            "--scale", "25", "--quiet"]
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(args, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if list((w / "region").glob("r.*.mca")):
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL  # killed mid-build, not after it finished
    assert not (w / "level.dat").exists() and len(list((w / "region").glob("r.*.mca"))) < 4
    # Whatever is under a final name is complete: readable by the independent decoder.
    from .anvil_reader import read_region
    for p in (w / "region").glob("r.*.mca"):
        assert len(read_region(p)) > 0
    resumed = subprocess.run(args + ["--resume"], cwd=root, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert region_bytes(w) == clean


@pytest.fixture(scope="module")
def rasunda(tmp_path_factory):
    """A synthetic 1 m DEM (a gentle plane) under the Råsunda OSM extract, built with layers."""
    from rasterio.warp import transform_bounds

    d = tmp_path_factory.mktemp("rasunda")
    w, s, e, n = transform_bounds("EPSG:4326", "EPSG:3006", 17.9978, 59.3636, 18.0024, 59.3669)
    w, s, e, n = int(w) - 20, int(s) - 20, int(e) + 20, int(n) + 20
    zz, xx = np.mgrid[0:n - s, 0:e - w]
    h = 20.0 + 0.02 * xx + 0.01 * zz  # metres: rises east and south, at most ~10 m
    src = d / "plane.tif"
    _write_tif(src, h, Affine(1, 0, w, 0, -1, n))
    out = d / "w"
    build_world(BuildOptions(sources=[str(src)], out=str(out), scale=1.0, layers=[
        str(DEM_DIR / "se_solna_rasunda_osm_polygons_wgs84.geojson"),
        str(DEM_DIR / "se_solna_rasunda_osm_roads_wgs84.geojson")]))
    return out, (w, n)


def _plane_h(origin, e, nn):
    w, n = origin
    return 20.0 + 0.02 * np.floor(e - w) + 0.01 * np.floor(n - nn)


@needs_data
def test_rasunda_buildings_at_their_place_and_height(rasunda):
    import pyogrio
    import shapely
    from rasterio.warp import transform as warp

    out, origin = rasunda
    probe = WorldProbe(out)
    meta = probe.meta
    m, _, geoms, fields = pyogrio.raw.read(DEM_DIR / "se_solna_rasunda_osm_polygons_wgs84.geojson")
    names = list(m["fields"])
    checked = 0
    for i, g in enumerate(shapely.from_wkb(geoms)):
        if not fields[names.index("building")][i]:
            continue
        other = fields[names.index("other_tags")][i] or ""
        levels = None
        if '"building:levels"=>"' in other:
            levels = float(other.split('"building:levels"=>"')[1].split('"')[0])
        height_m = levels * 3 if levels else 9.0
        p = g.representative_point()
        (e,), (nn,) = warp("EPSG:4326", "EPSG:3006", [p.x], [p.y])
        x, z = to_block(meta, e, nn)
        ground = expected_y(meta, _plane_h(origin, e, nn))
        top_y, name = probe.highest(x, z)
        assert name in ("minecraft:smooth_stone", "minecraft:black_concrete",
                        "minecraft:red_concrete"), (i, name)
        assert abs(top_y - (ground + height_m)) <= 1, (i, top_y, ground, height_m)
        checked += 1
        if checked >= 12:
            break
    assert checked == 12


@needs_data
def test_rasunda_roads_are_paved(rasunda):
    import pyogrio
    import shapely
    from rasterio.warp import transform as warp

    out, origin = rasunda
    probe = WorldProbe(out)
    m, _, geoms, fields = pyogrio.raw.read(DEM_DIR / "se_solna_rasunda_osm_roads_wgs84.geojson")
    hw = fields[list(m["fields"]).index("highway")]
    want = {"residential": "minecraft:gray_concrete", "tertiary": "minecraft:gray_concrete",
            "footway": "minecraft:gravel", "cycleway": "minecraft:gravel"}
    checked = 0
    for i, g in enumerate(shapely.from_wkb(geoms)):
        if hw[i] not in want:
            continue
        p = g.interpolate(0.5, normalized=True)
        (e,), (nn,) = warp("EPSG:4326", "EPSG:3006", [p.x], [p.y])
        x, z = to_block(probe.meta, e, nn)
        if not (0 <= x < probe.meta["size_blocks"]["x"] and 0 <= z < probe.meta["size_blocks"]["z"]):
            continue
        ground = int(expected_y(probe.meta, _plane_h(origin, e, nn)))
        name = probe.block(x, ground, z)
        if name in ("minecraft:oak_planks",) or probe.highest(x, z)[0] > ground + 1:
            continue  # under a building or a tree crown
        assert name == want[hw[i]], (i, hw[i], name)
        checked += 1
        if checked >= 10:
            break
    assert checked >= 5


@needs_data
def test_goteborg_markers_and_spawn_hub(gbg_world):
    out, _ = gbg_world
    probe = WorldProbe(out)
    meta = probe.meta
    step = meta["decorations"]["markers"]["every_m"]
    assert step == 5000  # 200 blocks at 25 m per block
    for e, n in ((305000, 6400000), (310000, 6395000)):
        x, z = to_block(meta, e, n)
        y, name = probe.highest(x, z)
        assert name == "minecraft:oak_sign"  # its text: test_plots.py
        assert [probe.block(x, y - k, z) for k in (1, 2, 3, 4)] == \
            ["minecraft:glowstone"] + ["minecraft:stone_bricks"] * 3
    # Not a marker one block away.
    assert probe.highest(x + 1, z)[1] not in ("minecraft:oak_sign", "minecraft:glowstone")
    sx, sy, sz = meta["spawn"]["x"], meta["spawn"]["y"], meta["spawn"]["z"]
    assert (sx, sz) == (400, 400)
    assert probe.block(sx, sy - 1, sz) == "minecraft:smooth_stone"
    assert probe.block(sx, sy, sz) == "minecraft:air"
    assert probe.highest(sx - 4, sz - 4)[1] == "minecraft:glowstone"


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has ended; only its exit status waits to be read


@needs_data
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_killing_the_build_ends_its_workers(tmp_path):
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, "-m", "minecraft.cli", "build", str(GBG), "--out",
                             str(tmp_path / "w"), "--scale", "10", "--workers", "2", "--quiet"],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and len(workers) < 2:
            workers = _children(proc.pid)
            time.sleep(0.01)
        assert len(workers) == 2 and proc.poll() is None, "the build ended before it was killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(w) for w in workers):
            time.sleep(0.05)
        assert not any(_running(w) for w in workers)
    finally:
        for w in workers:  # the orphans this test would otherwise leave behind
            if _running(w):
                os.kill(w, signal.SIGKILL)
