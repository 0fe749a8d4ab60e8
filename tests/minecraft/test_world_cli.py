"""`world build` and `world info` on the command line: output and one-sentence errors."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.transform import Affine

from minecraft.cli import world

from .data import DEM_DIR, GBG, needs_data


def run(*args):
    return CliRunner().invoke(world, [str(a) for a in args])


def write_tif(path: Path, data, crs="EPSG:3006", nodata=-9999.0):
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype="float32", crs=crs,
                       transform=Affine(1, 0, 500000, 0, -1, 6500000 + data.shape[0]),
                       nodata=nodata) as ds:
        ds.write(np.asarray(data, dtype=np.float32), 1)
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
    assert "w/level.dat" in names or "level.dat" in names
    assert any(n.endswith("r.0.0.mca") for n in names)
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
