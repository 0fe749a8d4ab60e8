"""Flood scenarios (`--sea-level-rise`) and exporting team plots from a played world.

A synthetic coast (realistic, small): 640 x 96 m at 1 m per block across two Anvil regions. Sea
at -5 m in the west; a dune at 3 m behind it, cut by a channel at 0.5 m; behind the dune a
low-lying meadow at 0.5 m that reaches across the region seam at x = 512; south of it, cut off
by land at 3 m, an inland pit at 0.5 m. The land rises gently eastwards.

Worlds are read back through the independent reader (anvil_reader + nbtlib); exported .schem
and .mcstructure files through small readers written here from the Sponge schematic
specification and tryashtar's .mcstructure notes.
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


# ---------------------------------------------------------------------------------------------
# Export of team plots

PLOT = (500, 64, 523, 79)  # x0, z0, x1, z1: across the region seam at x = 512


def read_schem(path: Path) -> tuple[dict, np.ndarray]:
    """(root, state strings [y, z, x]) of a Sponge schematic v2, decoded from the specification:
    gzip NBT, BlockData as unsigned varints, index = x + z * Width + y * Width * Length."""
    root = nbtlib.File.parse(io.BytesIO(gzip.decompress(path.read_bytes())))
    names = {int(i): str(k) for k, i in root["Palette"].items()}
    values, v, shift = [], 0, 0
    for byte in np.asarray(root["BlockData"], dtype=np.int8).tobytes():
        v |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            values.append(v)
            v, shift = 0, 0
    w, h, ln = int(root["Width"]), int(root["Height"]), int(root["Length"])
    assert len(values) == w * h * ln
    return root, np.array([names[i] for i in values], dtype=object).reshape(h, ln, w)


@pytest.fixture(scope="module")
def played(coast):
    """The coast world after a team built a brick house (5 x 5 x 4, a glass window) in the plot;
    the .mcworld of the same build (played.mcworld) unpacked to played-bedrock/ with the same
    house written into its LevelDB by bedrock.py's encoder."""
    import leveldb

    from minecraft import bedrock, blockfile, java
    from minecraft.blocks import Block

    from .bedrock_reader import unpack_mcworld

    out = coast / "played"
    build_world(BuildOptions(sources=[str(coast / "coast.tif")], out=str(out),
                             formats=["java", "blocks", "mcworld"]))
    region = blockfile.load_region(out / ".samskapa-build" / blockfile.BLOCKS_DIR, 0, 0)
    y = 67 - region.y_min  # on the ground: land at 4.2 m is y 66
    region.blocks[y:y + 4, 66:71, 505:510] = Block.BRICKS
    region.blocks[y + 1, 66, 507] = Block.GLASS
    java.write_region(out, region, json.loads((out / "metadata.json").read_text())
                      ["game"]["data_version"])
    db = leveldb.LevelDB(str(unpack_mcworld(out.with_suffix(".mcworld"),
                                            coast / "played-bedrock") / "db"))
    try:
        db.putBatch(dict(bedrock.encode_region(region)))
    finally:
        db.close()
    return out


def test_exported_plot_is_the_played_world_block_for_block(played, tmp_path):
    from minecraft.plot_export import ISO_PX, TOP_PX

    from .anvil_reader import chunk_states, read_region

    r = CliRunner().invoke(world, ["export-plots", str(played), "--plot",
                                   ",".join(map(str, PLOT)), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    root, states = read_schem(tmp_path / "plot-1.schem")
    x0, z0, x1, z1 = PLOT
    assert (int(root["Version"]), int(root["Width"]), int(root["Length"])) == (2, 24, 16)
    ox, oy, oz = (int(v) for v in root["Offset"])
    assert (ox, oz) == (x0, z0)
    h = int(root["Height"])
    regions = {rx: read_region(played / "region" / f"r.{rx}.0.mca") for rx in (0, 1)}
    for x in range(x0, x1 + 1):
        for z in range(z0, z1 + 1):
            chunk = regions[x // 512][((x // 16) % 32, z // 16)].nbt
            column = chunk_states(chunk)[oy + 64:oy + 64 + h, z % 16, x % 16]
            assert list(states[:, z - z0, x - x0]) == list(column), (x, z)
    assert (states == "minecraft:bricks").sum() == 5 * 5 * 4 - 1
    assert (states == "minecraft:glass").sum() == 1
    assert oy + h - 1 == 70  # the box ends at the house's roof
    top = Image.open(tmp_path / "plot-1-top.png")
    assert top.size == (24 * TOP_PX, 16 * TOP_PX)
    iso = Image.open(tmp_path / "plot-1-iso.png")
    assert iso.size == ((24 + 16) * ISO_PX, (24 + 16) * ISO_PX // 2 + h * ISO_PX)
    # The roof's brick red seen from above, grass around it.
    px = np.asarray(top.convert("RGB"))
    roof = px[(68 - z0) * TOP_PX + 4, (507 - x0) * TOP_PX + 4]
    grass = px[(76 - z0) * TOP_PX + 4, (520 - x0) * TOP_PX + 4]
    assert roof[0] > roof[1] + 40 and grass[1] > grass[0] + 40


def test_plot_outside_the_world_is_one_sentence(played, tmp_path):
    layout = tmp_path / "layout.json"
    layout.write_text(json.dumps({"plots": [{"name": "Lag Ö", "x0": 10, "z0": 10, "x1": 20,
                                             "z1": 20},
                                            {"name": "Lag Å", "x0": 630, "z0": 90, "x1": 650,
                                             "z1": 100}]}))
    r = CliRunner().invoke(world, ["export-plots", str(played), "--layout", str(layout),
                                   "--out", str(tmp_path / "out")], env={"LANG": "sv_SE.UTF-8"})
    assert r.exit_code == 2
    assert "Lag Å" in r.output and "650" in r.output and "Traceback" not in r.output
    assert "utanför" in r.output  # in Swedish
    assert not (tmp_path / "out").exists()  # nothing half-done


def read_mcstructure(path: Path) -> tuple[nbtlib.Compound, np.ndarray]:
    """(root, (name, states) per block [y, z, x]) of a .mcstructure: little-endian NBT, layer 0
    of block_indices in ZYX order (z fastest: index = x * sy * sz + y * sz + z)."""
    root = nbtlib.File.parse(io.BytesIO(path.read_bytes()), byteorder="little")
    sx, sy, sz = (int(v) for v in root["size"])
    s = root["structure"]
    palette = [(str(e["name"]), {k: str(v) for k, v in e["states"].items()})
               for e in s["palette"]["default"]["block_palette"]]
    layer0, layer1 = ([int(i) for i in layer] for layer in s["block_indices"])
    assert len(layer0) == len(layer1) == sx * sy * sz and set(layer1) == {-1}
    out = np.empty((sy, sz, sx), dtype=object)
    for i, p in enumerate(layer0):
        x, rest = divmod(i, sy * sz)
        y, z = divmod(rest, sz)
        out[y, z, x] = palette[p]
    return root, out


def test_bedrock_plot_exports_as_mcstructure_matching_the_java_export(played, tmp_path):
    from minecraft.bedrock_blocks import BEDROCK_STATES
    from minecraft.blocks import BLOCKS

    to_java = {(name, tuple(sorted((k, str(v)) for k, v in states.items()))): BLOCKS[b].java
               for b, (name, states) in BEDROCK_STATES.items()}
    plot = ",".join(map(str, PLOT))
    runs = {"java": played, "folder": played.parent / "played-bedrock",
            "mcworld": played.with_suffix(".mcworld")}
    for kind, source in runs.items():
        r = CliRunner().invoke(world, ["export-plots", str(source), "--plot", plot,
                                       "--out", str(tmp_path / kind)])
        assert r.exit_code == 0, r.output
    _, java_states = read_schem(tmp_path / "java" / "plot-1.schem")
    java_names = np.vectorize(lambda s: s.split("[")[0])(java_states)
    root, blocks = read_mcstructure(tmp_path / "folder" / "plot-1.mcstructure")
    assert int(root["format_version"]) == 1
    assert [int(v) for v in root["size"]] == [24, java_states.shape[0], 16]
    jroot = read_schem(tmp_path / "java" / "plot-1.schem")[0]
    assert [int(v) for v in root["structure_world_origin"]] == [int(v) for v in jroot["Offset"]]
    names = np.vectorize(lambda b: to_java[(b[0], tuple(sorted(b[1].items())))])(blocks)
    assert (names == java_names).all()  # the played house too: the same blocks, same places
    assert (names == "minecraft:bricks").sum() == 5 * 5 * 4 - 1
    for view in ("top", "iso"):  # the same pictures as the Java export
        java_png = np.asarray(Image.open(tmp_path / "java" / f"plot-1-{view}.png"))
        assert (np.asarray(Image.open(tmp_path / "folder" / f"plot-1-{view}.png"))
                == java_png).all()
    # The unplayed .mcworld: the built ground, no house.
    _, built = read_mcstructure(tmp_path / "mcworld" / "plot-1.mcstructure")
    assert not any(b[0] == "minecraft:brick_block" for b in built.ravel())
    assert any(b[0] == "minecraft:grass_block" for b in built.ravel())


def test_version_8_sub_chunks_read_as_version_9():
    """Older worlds store sub-chunks as version 8: no y byte after the storage count."""
    from minecraft.bedrock import _subchunk_header, _UNIFORM_STORAGE, pack_words
    from minecraft.bedrock_blocks import PALETTE_ENTRY
    from minecraft.bedrock_read import parse_subchunk
    from minecraft.blocks import Block

    idx = np.zeros(4096, dtype=np.uint8)
    idx[5 * 256 + 3 * 16 + 7] = 1                      # x 5, z 3, y 7
    mixed = (bytes((1 << 1,)) + pack_words(idx[None], 1).tobytes() + (2).to_bytes(4, "little")
             + PALETTE_ENTRY[Block.AIR] + PALETTE_ENTRY[Block.GLASS])
    read = {}
    for body in (mixed, _UNIFORM_STORAGE[Block.STONE]):
        (p9, i9), (p8, i8) = (parse_subchunk(_subchunk_header(-2) + body),
                              parse_subchunk(bytes((8, 1)) + body))
        assert [s.name for s in p9] == [s.name for s in p8] and (i9 == i8).all()
        read[body] = p8, i8
    palette, indices = read[mixed]                     # indices [y, z, x]
    assert palette[indices[7, 3, 5]].name == "minecraft:glass" and (indices != 0).sum() == 1
    palette, indices = read[_UNIFORM_STORAGE[Block.STONE]]
    assert [s.name for s in palette] == ["minecraft:stone"] and (indices == 0).all()


def test_bedrock_folder_without_a_bedrock_level_dat_is_one_sentence(tmp_path):
    fake = tmp_path / "fake"
    (fake / "db").mkdir(parents=True)
    (fake / "level.dat").write_bytes(gzip.compress(b"a Java level.dat is gzip NBT"))
    r = CliRunner().invoke(world, ["export-plots", str(fake), "--plot", "0,0,3,3",
                                   "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "not a Bedrock world" in r.output, r.output
    assert "Traceback" not in r.output and not (tmp_path / "out").exists()
