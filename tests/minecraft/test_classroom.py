"""The classroom end to end: a Göteborg-DEM world with 12 team plots as a Java world, a .mcworld
and a live push, and the played plots exported back.

Everything goes through the command line (`world build`, `world push`, `world export-plots`)
with the same options. The Java world is read back by the independent anvil reader, the
.mcworld by the independent Bedrock reader; the push goes through the real PyPI mcpi client to
tests/minecraft/fake_mcpi_server.py, a protocol-faithful fake written from the protocol
documentation, whose in-memory world is compared with the Java world at the same positions.
"""
from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from minecraft.blocks import Block
from minecraft.cli import world
from minecraft.plots import Team, team_sign
from minecraft.profiles import PROFILES

from . import bedrock_reader
from .data import GBG, needs_data
from .test_flood_export import read_schem
from .test_plots import _java_signs
from .world_probe import WorldProbe

pytestmark = needs_data

TEAMS = [("Älgarna", "Bygg en bro över ån"), ("Örnarna", "Ett torn"),
         ("Räksmörgåsarna", "Ett hus"), ("Ugglorna", ""), ("Björnarna", "En park"),
         ("Måsarna", "En hamn"), ("Hökarna", ""), ("Ekorrarna", "En skola"),
         ("Grävlingarna", ""), ("Sälarna", "En brygga"), ("Tranorna", ""),
         ("Vargarna", "Ett torg")]
# 6.4 x 6.4 km of Göteborg's hills east of the archipelago at 25 m per block: 256 x 256 blocks,
# plots of 250 m = 10 blocks
OPTIONS = ["--area", "312600,6403600,319000,6410000", "--scale", "25", "--plot-size", "250"]
BOX = ((-128, 128), (0, 256), (-128, 128))  # the fake's world: the push centred on its spawn


def _invoke(args):
    r = CliRunner().invoke(world, [str(a) for a in args])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    from .fake_mcpi_server import FakeMcpiServer

    d = tmp_path_factory.mktemp("classroom")
    teams = d / "lag.csv"
    teams.write_text("name,challenge\n" + "".join(f"{n},{c}\n" for n, c in TEAMS),
                     encoding="utf-8")
    out = d / "world"
    _invoke(["build", GBG, "--out", out, *OPTIONS, "--teams", teams,
             "--format", "java,mcworld", "--quiet"])
    with FakeMcpiServer("raspberryjuice", box=BOX) as fake:
        said = _invoke(["push", GBG, "--server", f"127.0.0.1:{fake.port}", "--profile",
                        "bukkit", "--out", d / "push", *OPTIONS, "--teams", teams, "--quiet"])
    origin = tuple(int(v) for v in re.search(r"at origin (-?\d+),(-?\d+),(-?\d+)",
                                             said).groups())
    return d, out, fake, origin


def _layout(out):
    return json.loads((out / "metadata.json").read_text())["decorations"]["plots"]


def _sign_text(lines) -> list[str]:
    return (list(lines) + [""] * 4)[:4]


def test_twelve_plots_in_the_java_and_the_education_world(classroom, tmp_path):
    _, out, _, _ = classroom
    layout = _layout(out)
    assert [p["team"] for p in layout] == [n for n, _ in TEAMS]
    probe = WorldProbe(out)
    java_signs = _java_signs(out)
    chunks, _ = bedrock_reader.read_db(
        bedrock_reader.unpack_mcworld(out.with_suffix(".mcworld"), tmp_path / "mc"))
    bedrock_signs = {}
    for chunk in chunks.values():
        raw = chunk.records.get(0x31, b"")
        while raw:
            (be,), used = bedrock_reader.parse_nbt_sequence(raw, 1)
            raw = raw[used:]
            bedrock_signs[(int(be["x"]), int(be["y"]), int(be["z"]))] = \
                str(be["FrontText"]["Text"]).split("\n")

    def bedrock(x, y, z):
        palette, idx, _ = bedrock_reader.parse_subchunk(chunks[(x // 16, z // 16)].subchunks[
            y // 16], y // 16)
        return bedrock_reader.block_at(palette, idx, x % 16, y % 16, z % 16)[0]

    for p, (name, challenge) in zip(layout, TEAMS):
        b = p["blocks"]
        x, z, y, n = b["x"], b["z"], b["y"], b["width"]
        assert n == b["length"] == 10
        inside = [(x + 2, z + 3), (x + n - 2, z + n - 3), (x + 5, z + 6)]
        edge = [(x, z + 4), (x + n - 1, z + 7), (x + 3, z + n - 1), (x + 6, z)]
        for cx, cz in inside:
            assert probe.highest(cx, cz) == (y, "minecraft:grass_block"), (name, cx, cz)
            assert bedrock(cx, y, cz) == "minecraft:grass_block"
            assert bedrock(cx, y + 1, cz) == "minecraft:air"
            assert bedrock(cx, -64, cz) == "minecraft:allow"
        for cx, cz in edge:
            assert probe.block(cx, y, cz) == "minecraft:stone_bricks"
            assert probe.block(cx, y - 1, cz) == "minecraft:barrier"
            assert bedrock(cx, y, cz) == "minecraft:stonebrick"
            assert bedrock(cx, y - 1, cz) == "minecraft:border_block"
            assert bedrock(cx, -64, cz) == "minecraft:deny"  # the border is nobody's
        assert bedrock(x - 2, -64, z + 5) == "minecraft:deny"
        sign = (x + n // 2, y + 1, z + 1)
        lines = team_sign(Team(name, challenge))
        assert lines[0] == name
        assert java_signs[sign] == _sign_text(lines)
        assert probe.block(*sign) == "minecraft:oak_sign"
        assert bedrock(*sign) == "minecraft:standing_sign"
        assert bedrock_signs[sign] == lines
    # the hub: the data's attribution, and every plot's sign with its centre
    attribution = ["SRTM NASA/NGA,", "public domain", "", ""]
    assert attribution in java_signs.values()
    assert attribution[:2] in bedrock_signs.values()
    for p in layout:
        b = p["blocks"]
        hub = [p["team"], f"x {b['x'] + 5} z {b['z'] + 5}", f"y {b['y'] + 1}", ""]
        assert hub in java_signs.values() and hub[:3] in bedrock_signs.values()


def test_the_push_puts_the_same_plots_on_the_server(classroom):
    _, out, fake, (ox, oy, oz) = classroom
    bukkit = PROFILES["bukkit"]
    sea = json.loads((out / "metadata.json").read_text())["vertical"]["block_y_of_0_m"]
    sx, sy, sz = fake.spawn

    def server(x, y, z):
        """Absolute server position of world block (x, y, z): --origin places the world's
        north-west corner at its water surface, relative to the spawn (profiles.py)."""
        return x + ox + sx, y - sea + oy + sy, z + oz + sz

    def at(x, y, z):
        ax, ay, az = server(x, y, z)
        ids, data = fake.box(ax, ax + 1, ay, ay + 1, az, az + 1)
        return int(ids[0, 0, 0]), int(data[0, 0, 0])

    probe = WorldProbe(out)
    java_signs = _java_signs(out)
    by_name = {"minecraft:grass_block": Block.GRASS_BLOCK, "minecraft:air": Block.AIR,
               "minecraft:stone_bricks": Block.STONE_BRICKS, "minecraft:oak_sign": Block.OAK_SIGN}
    for p in _layout(out):
        b = p["blocks"]
        x, z, y, n = b["x"], b["z"], b["y"], b["width"]
        for cx in range(x, x + n):
            for cz in range(z, z + n):
                for cy in (y, y + 1):  # the surface and what stands on it, as in Java
                    want = bukkit.material(by_name[probe.block(cx, cy, cz)])
                    assert at(cx, cy, cz) == want, (p["team"], cx, cy, cz)
                edge = cx in (x, x + n - 1) or cz in (z, z + n - 1)
                if edge:  # Java's barrier under the path is the border block; no server but
                    # Education has one: it falls back to stone (profiles.py), not a barrier
                    assert probe.block(cx, y - 1, cz) == "minecraft:barrier"
                    assert at(cx, y - 1, cz) == (1, 0) == bukkit.material(Block.BORDER_BLOCK)
        sign = (x + n // 2, y + 1, z + 1)
        assert [t.replace(",", ";") for t in java_signs[sign]] == \
            _sign_text(fake.signs[server(*sign)])
    # every sign of the world (plots, hub, markers) went out with world.setSign
    assert fake.commands["world.setSign"] == len(java_signs)
    assert ["SRTM NASA/NGA;", "public domain", "", ""] in \
        [_sign_text(v) for v in fake.signs.values()]
    # the allow/deny floor lies below the y range the server holds: it is not pushed, and the
    # lowest pushed layer is a bedrock floor
    assert server(0, -64, 0)[1] < bukkit.y_min
    assert fake.commands["world.setBlock"] == 0 and fake.commands["world.setBlocks"] > 0


def test_played_plots_export_back(classroom, tmp_path):
    """A team builds a brick tower with a window in its plot (written into a copy of the Java
    world through our writer, from the push's stored blocks of the same build); all 12 plots
    are exported back with the build's own metadata.json as the layout."""
    from minecraft import blockfile, java
    from minecraft.build import STATE_DIR

    d, out, _, _ = classroom
    played = tmp_path / "played"
    shutil.copytree(out, played)
    meta = json.loads((played / "metadata.json").read_text())
    p = meta["decorations"]["plots"][2]["blocks"]  # Räksmörgåsarna's
    region = blockfile.load_region(d / "push" / STATE_DIR / blockfile.BLOCKS_DIR, 0, 0)
    tx, tz, ty = p["x"] + 4, p["z"] + 5, p["y"] + 1
    region.blocks[ty - region.y_min:ty - region.y_min + 4, tz, tx] = Block.BRICKS
    region.blocks[ty - region.y_min + 2, tz, tx] = Block.GLASS
    java.write_region(played, region, meta["game"]["data_version"])
    assert WorldProbe(played).block(tx, ty + 3, tz) == "minecraft:bricks"

    export = tmp_path / "export"
    _invoke(["export-plots", played, "--layout", played / "metadata.json", "--out", export])
    assert sorted(f.name for f in export.glob("*.schem")) == \
        sorted(f"{n}.schem" for n, _ in TEAMS)
    root, states = read_schem(export / "Räksmörgåsarna.schem")
    ox, oy, oz = (int(v) for v in root["Offset"])
    assert (ox, oz) == (p["x"], p["z"])
    assert sorted(map(tuple, np.argwhere(states == "minecraft:bricks"))) == \
        [(ty + k - oy, tz - oz, tx - ox) for k in (0, 1, 3)]
    assert [tuple(g) for g in np.argwhere(states == "minecraft:glass")] == \
        [(ty + 2 - oy, tz - oz, tx - ox)]
    _, other = read_schem(export / "Älgarna.schem")
    assert not (other == "minecraft:bricks").any()
