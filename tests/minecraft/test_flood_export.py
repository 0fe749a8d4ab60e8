"""Flood scenarios (`--sea-level-rise`) and exporting team plots from a played world.

A synthetic coast (realistic, small): 640 x 96 m at 1 m per block across two Anvil regions. Sea
at -5 m in the west; a dune at 3 m behind it, cut by a channel at 0.5 m; behind the dune a
low-lying meadow at 0.5 m that reaches across the region seam at x = 512; south of it, cut off
by land at 3 m, an inland pit at 0.5 m. The land rises gently eastwards.

Worlds are read back through the independent reader (anvil_reader + nbtlib); exported .schem
files through a small reader written here from the Sponge schematic specification.
"""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import nbtlib
import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from PIL import Image
from rasterio.transform import Affine

from minecraft.build import BuildOptions, build_world
from minecraft.cli import world

from .world_probe import WorldProbe

W, H = 640, 96
E0, N0 = 500000, 6500000 + H
MEADOW = (slice(20, 60), slice(100, 600))  # [z, x]
CHANNEL = (slice(36, 44), slice(0, 100))
PIT = (slice(72, 88), slice(200, 240))


def coast_dem() -> np.ndarray:
    zz, xx = np.mgrid[0:H, 0:W] + 0.5
    h = 3.0 + 0.004 * xx
    h[MEADOW] = 0.5
    h[CHANNEL] = 0.5
    h[PIT] = 0.5
    h[:, :40] = -5.0 + 0.05 * xx[:, :40]  # the sea floor rising towards the dune
    return h.astype(np.float32)


@pytest.fixture(scope="module")
def coast(tmp_path_factory):
    d = tmp_path_factory.mktemp("coast")
    with rasterio.open(d / "coast.tif", "w", driver="GTiff", width=W, height=H, count=1,
                       dtype="float32", crs="EPSG:3006",
                       transform=Affine(1, 0, E0, 0, -1, N0)) as ds:
        ds.write(coast_dem(), 1)
    build_world(BuildOptions(sources=[str(d / "coast.tif")], out=str(d / "today"),
                             formats=["java"]))
    return d


def water_top(probe, x, z) -> int | None:
    wet = np.flatnonzero(probe.column(x, z) == "minecraft:water")
    return int(wet.max()) - 64 if len(wet) else None


def test_raised_sea_floods_connected_low_land_only(coast):
    flooded = coast / "flooded"
    build_world(BuildOptions(sources=[str(coast / "coast.tif")], out=str(flooded),
                             formats=["java"], sea_level_rise=1.0))
    today, raised = WorldProbe(coast / "today"), WorldProbe(flooded)
    assert water_top(today, 10, 40) == 62 and water_top(raised, 10, 40) == 63
    for x, z in ((60, 40), (150, 30), (560, 50)):  # channel; meadow west and east of the seam
        assert water_top(today, x, z) is None
        assert water_top(raised, x, z) == 63, (x, z)
    assert water_top(raised, 220, 80) is None  # the pit is below the new sea, but cut off
    assert raised.highest(220, 80)[0] == 63  # 0.5 m rounds to y 63: dry grass
    assert water_top(raised, 300, 66) is None  # land at 3 m stays land
    meta = json.loads((flooded / "metadata.json").read_text())
    assert meta["sea"]["rise_m"] == 1.0 and meta["sea"]["surface_block_y"] == 63
    assert meta["options"]["sea_level_rise"] == 1.0


def test_no_rise_is_the_same_world_byte_for_byte(coast):
    out = coast / "rise0"
    r = CliRunner().invoke(world, ["build", str(coast / "coast.tif"), "--out", str(out),
                                   "--format", "java", "--sea-level-rise", "0", "--quiet"])
    assert r.exit_code == 0, r.output
    for rx in (0, 1):
        name = f"region/r.{rx}.0.mca"
        assert (out / name).read_bytes() == (coast / "today" / name).read_bytes()
