"""`world build` and `world info` on the command line: output and one-sentence errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.transform import Affine

from minecraft.cli import world

from .data import GBG, needs_data

ENGLISH = {"LANGUAGE": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": "C.UTF-8"}


def run(*args, env=ENGLISH):
    return CliRunner().invoke(world, [str(a) for a in args], env=env)


def write_tif(path: Path, data, crs="EPSG:3006", nodata=-9999.0, dtype="float32",
              origin=(500000, None), cell=1.0):
    data = np.asarray(data)
    bands = data.reshape(-1, *data.shape[-2:])
    west, north = origin[0], origin[1] if origin[1] is not None else 6500000 + data.shape[-2]
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[-1], height=data.shape[-2],
                       count=len(bands), dtype=dtype, crs=crs,
                       transform=Affine(cell, 0, west, 0, -cell, north), nodata=nodata) as ds:
        ds.write(bands.astype(dtype))
    return path


def assert_one_sentence(result, *phrases):
    assert result.exit_code == 2, result.output
    err = result.stderr.strip()
    assert "Traceback" not in result.output and "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("Error: ") and err.endswith(".")
    for p in phrases:
        assert p in err, err


@needs_data
def test_info_prints_crs_size_resolution_bounds_and_heights():
    r = run("info", GBG)
    assert r.exit_code == 0, r.output
    lines = dict(line.split(":", 1) for line in r.output.strip().splitlines())
    assert lines["crs"].strip() == "EPSG:3006 (SWEREF99 TM)"
    assert lines["size"].strip() == "400 x 400 cells"
    assert lines["resolution"].strip() == "50 x 50"
    assert lines["bounds"].strip() == "west 299000, south 6390000, east 319000, north 6410000"
    assert lines["area"].strip() == "--area 299000,6390000,319000,6410000"
    assert lines["world crs"].strip() == "EPSG:3006 (SWEREF99 TM)"
    assert lines["heights"].strip() == "-5.0 to 104.4 m"


def test_build_prints_summary_and_fit(tmp_path):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 12.0))
    r = run("build", src, "--out", tmp_path / "w", "--quiet")
    assert r.exit_code == 0, r.output
    assert "32 x 32 blocks, 4 chunks in 1 regions" in r.output
    assert "nothing was shifted or compressed" in r.output


def test_not_a_raster(tmp_path):
    p = tmp_path / "notes.tif"
    p.write_text("this is not a raster")
    assert_one_sentence(run("build", p, "--out", tmp_path / "w"), "is not a raster")
    assert_one_sentence(run("info", p), "is not a raster")


def test_missing_file(tmp_path):
    assert_one_sentence(run("info", tmp_path / "nope.tif"), "does not exist")


def test_no_crs_is_refused_unless_stated(tmp_path):
    src = write_tif(tmp_path / "nocrs.tif", np.full((32, 32), 3.0), crs=None)
    assert_one_sentence(run("build", src, "--out", tmp_path / "w"),
                        "has no coordinate reference system", "--source-crs")
    r = run("build", src, "--out", tmp_path / "w", "--source-crs", "EPSG:3006", "--quiet")
    assert r.exit_code == 0, r.output


def test_area_outside_the_data(tmp_path):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--area",
                            "600000,6600000,601000,6601000"), "outside the elevation data")
    # The same mistake in another CRS: lon/lat far from the data.
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--area", "11,57,11.1,57.1",
                            "--area-crs", "EPSG:4326"), "outside the elevation data")


def test_all_nodata(tmp_path):
    src = write_tif(tmp_path / "empty.tif", np.full((32, 32), -9999.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w"), "only nodata")


@pytest.mark.parametrize("scale", ["0", "-5", "1e9", "nan"])
def test_absurd_scale(tmp_path, scale):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--scale", scale),
                        "metres per block is not usable")


def test_existing_out_needs_force_and_resume_needs_same_options(tmp_path):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    out = tmp_path / "w"
    assert run("build", src, "--out", out, "--quiet").exit_code == 0
    assert_one_sentence(run("build", src, "--out", out), "already exists", "--force")
    assert_one_sentence(run("build", src, "--out", out, "--scale", "2", "--resume"),
                        "cannot be resumed")
    foreign = tmp_path / "other"
    foreign.mkdir()
    (foreign / "thesis.txt").write_text("keep me")
    assert_one_sentence(run("build", src, "--out", foreign, "--resume"), "cannot be resumed")
    r = run("build", src, "--out", foreign, "--force", "--quiet")
    assert r.exit_code == 0 and (foreign / "thesis.txt").read_text() == "keep me"
    r = run("build", src, "--out", out, "--scale", "2", "--force", "--quiet")
    assert r.exit_code == 0, r.output
    assert "16 x 16 blocks" in r.output


def test_bad_area_and_layer_inputs(tmp_path):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--area", "1,2,3"),
                        "--area")
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--area", "5,5,1,1"),
                        "min < max")
    bad = tmp_path / "roads.geojson"
    bad.write_text("{ not json")
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--layers", bad),
                        "is not a vector file")
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--format", "bedrock"),
                        "Unknown format")


def test_zip_and_preview(tmp_path):
    import zipfile

    from PIL import Image

    src = write_tif(tmp_path / "a.tif", np.full((40, 40), 4.0))
    out = tmp_path / "w"
    r = run("build", src, "--out", out, "--quiet", "--zip")
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(tmp_path / "w.zip") as z:
        names = z.namelist()
    # The world a player drops into saves/, nothing else: the build's resume state
    # (.samskapa-build, which also names the builder's own source paths) stays out.
    assert sorted(names) == ["w/level.dat", "w/metadata.json", "w/preview.png",
                             "w/region/r.0.0.mca"]
    assert (out / ".samskapa-build" / "state.json").exists()
    img = Image.open(out / "preview.png")
    assert img.size[0] >= 48 and img.size[1] >= 48


def test_full_disk_is_one_sentence(tmp_path, monkeypatch):
    import errno

    from minecraft import java

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(java, "write_region", full)
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w"), "disk is full", "--resume")


def test_unreachable_scheduler(tmp_path, monkeypatch):
    from minecraft import build

    monkeypatch.setattr(build, "SCHEDULER_TIMEOUT", "1s")
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--scheduler",
                            "tcp://127.0.0.1:9"), "Dask scheduler")


def test_a_layer_given_as_source_is_explained(tmp_path):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    roads = tmp_path / "roads.geojson"
    roads.write_text('{"type": "FeatureCollection", "features": []}')
    assert_one_sentence(run("build", src, roads, "--out", tmp_path / "w"),
                        "is a vector file", "--layers")
    r = run("build", src, "--out", tmp_path / "w", "--layers", f"{roads},{roads}", "--quiet")
    assert r.exit_code == 0, r.output


def test_unexpected_failure_is_one_sentence(tmp_path, monkeypatch):
    from minecraft import terrain

    def broken(*a, **k):
        raise RuntimeError("corrupt block\nin tile 7")

    monkeypatch.setattr(terrain, "fill_region", broken)
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w"), "stopped unexpectedly",
                        "RuntimeError: corrupt block in tile 7", "--resume")
    monkeypatch.setenv("SAMSKAPA_DEBUG", "1")
    r = run("build", src, "--out", tmp_path / "w2")
    assert isinstance(r.exception, RuntimeError)


def test_info_on_a_raster_without_crs(tmp_path):
    src = write_tif(tmp_path / "nocrs.tif", np.arange(16.0).reshape(4, 4), crs=None)
    r = run("info", src)
    assert r.exit_code == 0, r.output
    assert "crs:        none (state it with --source-crs when building)" in r.output
    assert "heights:    0.0 to 15.0 m" in r.output


def test_an_image_is_not_elevation_unless_a_band_is_named(tmp_path):
    # An RGB photo saved as a GeoTIFF with a CRS: three bands of bytes.
    rng = np.random.default_rng(3)
    photo = write_tif(tmp_path / "photo.tif", rng.integers(0, 256, (3, 32, 32)), dtype="uint8",
                      nodata=None)
    assert_one_sentence(run("build", photo, "--out", tmp_path / "w"), "has 3 bands",
                        "not elevation", "--band")
    assert_one_sentence(run("info", photo), "has 3 bands")
    assert_one_sentence(run("build", photo, "--out", tmp_path / "w", "--band", "4"),
                        "has no band 4")
    grey = write_tif(tmp_path / "grey.tif", rng.integers(0, 256, (32, 32)), dtype="uint8",
                     nodata=None)
    assert_one_sentence(run("build", grey, "--out", tmp_path / "w"), "byte values",
                        "--band 1")
    # Named, a band is used as heights: band 2 of the photo.
    r = run("build", photo, "--out", tmp_path / "w", "--band", "2", "--quiet")
    assert r.exit_code == 0, r.output
    from .world_probe import WorldProbe

    probe = WorldProbe(tmp_path / "w")
    with rasterio.open(photo) as ds:
        want = probe.meta["vertical"]["block_y_of_0_m"] + int(ds.read(2)[5, 7])
    assert probe.highest(7, 5)[0] == want


def test_info_bounds_paste_into_area(tmp_path):
    # Half-metre cells whose edges are not round numbers (Södertälje-like coordinates).
    src = write_tif(tmp_path / "a.tif", np.full((40, 60), 7.0), origin=(631302.25, 6579034.75),
                    cell=0.5)
    r = run("info", src)
    assert r.exit_code == 0, r.output
    lines = dict(line.split(":", 1) for line in r.output.strip().splitlines())
    assert lines["bounds"].strip() == ("west 631302.25, south 6579014.75, east 631332.25, "
                                       "north 6579034.75")
    area = lines["area"].split()
    assert area[0] == "--area"
    whole, pasted = tmp_path / "whole", tmp_path / "pasted"
    assert run("build", src, "--out", whole, "--scale", "0.5", "--quiet").exit_code == 0
    r = run("build", src, "--out", pasted, "--scale", "0.5", "--quiet", *area)
    assert r.exit_code == 0, r.output
    import json
    m1, m2 = (json.loads((d / "metadata.json").read_text()) for d in (whole, pasted))
    assert (m2["origin"], m2["size_blocks"]) == (m1["origin"], m1["size_blocks"])


def test_errors_speak_the_users_language(tmp_path):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    swedish = {**ENGLISH, "LANG": "sv_SE.UTF-8"}
    r = run("build", src, "--out", tmp_path / "w", "--scale", "0", env=swedish)
    assert r.exit_code == 2
    assert r.stderr.strip() == ("Fel: Skalan 0.0 meter per block går inte att använda; välj "
                                "mellan 0.1 och 10000 (1 för full detaljrikedom, 10–50 för "
                                "översiktskartor).")
    r = run("build", src, "--out", tmp_path / "w", "--scale", "0")
    assert r.stderr.strip().startswith("Error: A scale of 0.0 metres per block is not usable")
    # LANGUAGE's list comes first, and a C locale turns translations off.
    r = run("info", tmp_path / "nope.tif",
            env={**ENGLISH, "LANGUAGE": "sv:en", "LANG": "en_GB.UTF-8"})
    assert r.stderr.strip().startswith("Fel: Höjdkällan ") and "finns inte" in r.stderr
    r = run("info", tmp_path / "nope.tif", env={**ENGLISH, "LANGUAGE": "sv", "LC_ALL": "C"})
    assert r.stderr.strip().startswith("Error: The elevation source ")


def test_crs_is_chosen_on_the_command_line(tmp_path):
    src = write_tif(tmp_path / "a.tif", np.full((32, 32), 3.0))
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--crs", "EPSG:4326"),
                        "is not projected in metres", "--crs")
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--crs", "EPSG:nonsense"),
                        "--crs", "is not a CRS")
    r = run("build", src, "--out", tmp_path / "w", "--crs", "EPSG:3011", "--quiet")
    assert r.exit_code == 0, r.output
    assert "in EPSG:3011." in r.output
    import json
    meta = json.loads((tmp_path / "w" / "metadata.json").read_text())
    assert meta["crs"] == "EPSG:3011" and meta["crs_name"] == "SWEREF99 18 00"


def _raster(path: Path, data, cell: float, dtype="float32", nodata=None):
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype=dtype, crs="EPSG:3006", nodata=nodata,
                       transform=Affine(cell, 0, 500000, 0, -cell, 6500064)) as ds:
        ds.write(np.asarray(data, dtype=dtype), 1)
    return path


def test_landcover_and_bathymetry_rasters(tmp_path):
    from .world_probe import WorldProbe

    # 64 x 64 m at 1 m: sea (-0.5 m) in the west half, land at 6 m in the east half. ESA
    # WorldCover (10 m cells): tree cover (10) on the land, cropland (40) in its south. A
    # bathymetry raster (5 m cells) knows the sea floor at -12 m in the sea's west quarter only.
    dem = np.full((64, 64), 6.0)
    dem[:, :32] = -0.5
    src = write_tif(tmp_path / "dem.tif", dem)
    codes = np.full((7, 7), 80, np.uint8)  # permanent water
    codes[:, 3:] = 10
    codes[5:, 3:] = 40
    wc = _raster(tmp_path / "worldcover.tif", codes, 10.0, "uint8", nodata=0)
    floor = np.full((13, 13), -9999.0)
    floor[:, :3] = -12.0
    bathy = _raster(tmp_path / "bathymetry.tif", floor, 5.0, nodata=-9999.0)
    out = tmp_path / "w"
    r = run("build", src, "--out", out, "--landcover", wc, "--bathymetry", bathy, "--quiet")
    assert r.exit_code == 0, r.output
    probe = WorldProbe(out)
    ignore = ("minecraft:air", "minecraft:water")
    assert probe.highest(5, 20, ignore)[0] == 62 - 12  # from the bathymetry
    assert probe.highest(25, 20, ignore)[0] == 62 - 7  # 7 blocks out from the shore
    assert probe.highest(31, 20, ignore)[0] == 62 - 1  # at the shore
    blocks = {probe.highest(x, z, ("minecraft:air",))[1] for x in range(40, 64, 3)
              for z in range(2, 40, 3)}
    assert blocks & {"minecraft:spruce_leaves", "minecraft:birch_leaves"}
    assert probe.highest(50, 60)[1] == "minecraft:wheat"
    assert probe.highest(50, 60, ("minecraft:air", "minecraft:wheat"))[1] == "minecraft:farmland"


def test_landcover_raster_of_unknown_codes(tmp_path):
    src = write_tif(tmp_path / "dem.tif", np.full((32, 32), 3.0))
    other = _raster(tmp_path / "corine.tif", np.full((4, 4), 311), 10.0, "int16")
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--landcover", other),
                        "neither ESA WorldCover nor NMD")
    assert_one_sentence(run("build", src, "--out", tmp_path / "w", "--bathymetry",
                            tmp_path / "nope.tif"), "bathymetry raster", "does not exist")
