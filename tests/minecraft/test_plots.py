"""Team plots: the pure layout, sign text, and a small world built with plots, read back by the
independent Anvil and Bedrock readers."""
from __future__ import annotations

import json

import numpy as np
import pytest
from rasterio.transform import from_origin

from minecraft import plots
from minecraft.build import BuildOptions, build_world
from minecraft.errors import WorldBuildError

from . import bedrock_reader
from .anvil_reader import read_region
from .test_world_build import _write_tif
from .world_probe import WorldProbe

CELL = 16


def _grid(rows: int, cols: int, seed: int = 1):
    """Coarse mean heights and reliefs: rough hills (reliefs 3-8 m) with a flat patch."""
    rng = np.random.default_rng(seed)
    mean = rng.uniform(5, 30, (rows, cols)).astype(np.float32)
    relief = rng.uniform(3, 8, (rows, cols)).astype(np.float32)
    return mean, relief


def test_layout_takes_the_flattest_dry_land_and_never_water():
    mean, relief = _grid(12, 20)
    mean[2:8, 12:18] = 10.0          # a flat field of 6 x 6 cells: room for four 3 x 3 plots
    relief[2:8, 12:18] = 0.2
    relief[4, 12] = np.nan             # ... but a pond in it takes one plot's place
    corners = plots.layout(mean, relief, 3, 32, CELL, spawn_xz=(0, 0), keep_out=8)
    assert len(corners) == 3
    for x, z in corners:
        cz, cx = (z - plots.GAP) // CELL, (x - plots.GAP) // CELL
        window = relief[cz:cz + 3, cx:cx + 3]
        assert not np.isnan(window).any()           # no water under a plot
        assert np.nanmax(window) == pytest.approx(0.2)  # on the flat field
    assert len({(x // 48, z // 48) for x, z in corners}) == 3   # no overlaps
    # Deterministic: the same input gives the same layout.
    assert plots.layout(mean, relief, 3, 32, CELL, (0, 0), 8) == corners


def test_layout_refuses_more_plots_than_fit():
    mean, relief = _grid(6, 6)
    relief[3:, :] = np.nan                          # the south half is sea
    with pytest.raises(WorldBuildError) as e:
        plots.layout(mean, relief, 3, 32, CELL, (0, 0), 0)
    assert str(e.value) == ("Only 2 of 3 plots fit on dry, flat land in this area; ask for "
                            "fewer or smaller plots, or choose a larger area.")
    assert "tomter" in e.value.text("sv")


def test_sign_text_wraps_and_refuses_what_does_not_fit(tmp_path):
    assert plots.team_sign(plots.Team("Räksmörgåsarna", "Bygg en bro över ån")) == \
        ["Räksmörgåsarna", "Bygg en bro", "över ån"]
    long = plots.Team("Lag " + "ö" * 50, "Rita en karta")
    with pytest.raises(WorldBuildError) as e:
        plots.team_sign(long)
    assert "more than 4 sign lines" in str(e.value) and "skylt" in e.value.text("sv")
    csv_file = tmp_path / "lag.csv"
    csv_file.write_text("name,challenge\nÄlgarna,Bygg ett torn\nÖrnarna,\n", encoding="utf-8")
    assert plots.read_teams(str(csv_file)) == [plots.Team("Älgarna", "Bygg ett torn"),
                                               plots.Team("Örnarna", "")]
    json_file = tmp_path / "lag.json"
    json_file.write_text(json.dumps([{"name": "Åsnorna", "challenge": "Ett hus"}, "Ugglorna"]),
                         encoding="utf-8")
    assert plots.read_teams(str(json_file)) == [plots.Team("Åsnorna", "Ett hus"),
                                                plots.Team("Ugglorna")]


def _dem() -> np.ndarray:
    """700 x 128 m at 1 m: sea in the west, rough hills, and a gently sloping flat band at
    x 470-600 m that holds exactly four 32 m plots, two of them across the region seam at 512."""
    z, x = np.mgrid[0:128, 0:700].astype(np.float32)
    h = 20 + 8 * np.sin(x / 9.0) * np.cos(z / 7.0)
    flat = (x >= 470) & (x < 600)
    h[flat] = 12.0 + 0.02 * x[flat] + 0.01 * z[flat]
    h[:, :40] = -4.0
    return h


E0, N0 = 300000.0, 6400000.0


@pytest.fixture(scope="module")
def plot_world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("plots")
    dem = _dem()
    src = tmp / "lantmateriet_markhojd_test.tif"
    _write_tif(src, dem, from_origin(E0, N0, 1.0, 1.0))
    teams = tmp / "lag.csv"
    teams.write_text("name,challenge\nRäksmörgåsarna,Bygg en bro över ån\nÄlgarna,Ett torn\n"
                     "Örnarna,\nUgglorna,Ett hus\n", encoding="utf-8")
    out = tmp / "world"
    result = build_world(BuildOptions(sources=[str(src)], out=str(out), teams=str(teams),
                                      formats=["java", "mcworld"]))
    return dem, out, result


def test_plots_are_levelled_bordered_signed_and_in_metadata(plot_world):
    dem, out, result = plot_world
    probe = WorldProbe(out)
    layout = probe.meta["decorations"]["plots"]
    assert [p["team"] for p in layout] == ["Räksmörgåsarna", "Älgarna", "Örnarna", "Ugglorna"]
    assert any(p["blocks"]["x"] < 512 < p["blocks"]["x"] + 32 for p in layout)  # crosses
    for p in layout:
        b = p["blocks"]
        x, z, y, n = b["x"], b["z"], b["y"], b["width"]
        assert n == 32 and 470 <= x and x + n <= 600           # on the flat band
        assert p["crs"] == {"west": E0 + x, "east": E0 + x + n, "north": N0 - z,
                            "south": N0 - z - n}
        assert y == 62 + int(np.floor(np.median(dem[z:z + n, x:x + n]) + 0.5))
        for cx, cz in ((x + 3, z + 5), (x + n - 3, z + n - 4), (x + 10, z + 20)):
            assert probe.highest(cx, cz) == (y, "minecraft:grass_block")   # levelled
        for cx, cz in ((x, z + 7), (x + n - 1, z + 30), (x + 15, z + n - 1)):
            assert probe.block(cx, y, cz) == "minecraft:stone_bricks"      # the border path
            assert probe.block(cx, y - 1, cz) == "minecraft:barrier"       # Java's border block
            assert probe.block(cx, y + 1, cz) == "minecraft:air"
    first = layout[0]["blocks"]
    signs = _java_signs(out)
    sx, sz = first["x"] + 16, first["z"] + 1
    assert signs[(sx, first["y"] + 1, sz)] == ["Räksmörgåsarna", "Bygg en bro", "över ån", ""]
    assert probe.block(sx, first["y"] + 1, sz) == "minecraft:oak_sign"
    # The hub: the attribution, and a sign per plot with its centre.
    texts = list(signs.values())
    assert ["© Lantmäteriet,", "CC0", "", ""] in texts
    cx, cz = first["x"] + 16, first["z"] + 16
    assert ["Räksmörgåsarna", f"x {cx} z {cz}", f"y {first['y'] + 1}", ""] in texts
    # A coordinate marker's sign: the crossing of E 300100 and N 6399900.
    assert ["SWEREF99 TM", "E 300100", "N 6399900", ""] in texts
    wg = (out / "worldguard-regions.yml").read_text(encoding="utf-8")
    assert f"  plot-1:\n    type: cuboid\n    min: {{x: {first['x']}, y: -64, z: {first['z']}}}" \
        in wg and '"Räksmörgåsarna"' in wg


def _java_signs(out) -> dict:
    """{(x, y, z): four lines} of every sign block entity in the world (independent reader)."""
    signs = {}
    for path in (out / "region").glob("r.*.mca"):
        for entry in read_region(path).values():
            for be in entry.nbt.get("block_entities", []):
                if str(be["id"]) == "minecraft:sign":
                    signs[(int(be["x"]), int(be["y"]), int(be["z"]))] = \
                        [json.loads(str(m)) for m in be["front_text"]["messages"]]
    return signs


def test_bedrock_world_protects_the_plots(plot_world, tmp_path):
    _, out, result = plot_world
    world = bedrock_reader.unpack_mcworld(out.with_suffix(".mcworld"), tmp_path / "mc")
    chunks, _ = bedrock_reader.read_db(world)
    p = result.metadata["decorations"]["plots"][1]["blocks"]
    x, z, y = p["x"], p["z"], p["y"]

    def block(bx, by, bz):
        chunk = chunks[(bx // 16, bz // 16)]
        palette, idx, _ = bedrock_reader.parse_subchunk(chunk.subchunks[by // 16], by // 16)
        return bedrock_reader.block_at(palette, idx, bx % 16, by % 16, bz % 16)[0]

    assert block(x, y - 1, z + 9) == "minecraft:border_block"
    assert block(x + 9, y, z) == "minecraft:stonebrick"
    assert block(x + 9, -64, z + 9) == "minecraft:allow"      # pupils build inside the plot
    assert block(x - 5, -64, z + 9) == "minecraft:deny"       # and nowhere else
    assert block(100, -64, 100) == "minecraft:deny"


def test_the_builds_own_layout_exports_each_plot(plot_world, tmp_path):
    """The jury's round trip: metadata.json of the build is the layout export-plots reads."""
    from minecraft.plot_export import export_plots, read_layout
    _dem_, out, result = plot_world
    layout = read_layout(out / "metadata.json")
    assert [p.name for p in layout] == [p["team"] for p in
                                       result.metadata["decorations"]["plots"]]
    files = export_plots(out, layout, tmp_path / "export")
    names = {f.name for f in files}
    assert {"Räksmörgåsarna.schem", "Räksmörgåsarna-top.png", "Räksmörgåsarna-iso.png"} <= names


def test_a_flood_never_puts_a_plot_under_water(tmp_path):
    """Found by a newcomer: with --sea-level-rise 2 the plots stayed on the 1 m shore flats,
    under the flood. A plot now stands above the (raised) sea by half a block or more."""
    z, x = np.mgrid[0:128, 0:700].astype(np.float32)
    dem = 20 + 8 * np.sin(x / 9.0) * np.cos(z / 7.0)   # rough hills
    dem[:, :40] = -4.0                                  # the sea
    dem[:, 40:400] = 1.0                                # flat shore, around the spawn
    dem[:, 560:] = 10.0                                 # a flat plateau farther off
    src = tmp_path / "dem.tif"
    _write_tif(src, dem, from_origin(E0, N0, 1.0, 1.0))
    result = build_world(BuildOptions(sources=[str(src)], out=str(tmp_path / "w"), plots=1,
                                      sea_level_rise=2.0, formats=["java"]))
    plot = result.metadata["decorations"]["plots"][0]["blocks"]
    assert plot["y"] > result.metadata["sea"]["surface_block_y"] and plot["x"] >= 560


def test_the_default_plot_size_is_never_too_small_to_build_on():
    # A newcomer's --plots 6 at 25 m per block was refused: 32 m is one block there.
    assert plots.plot_size_blocks(None, 1.0) == 32
    assert plots.plot_size_blocks(None, 25.0) == plots.MIN_SIZE
    with pytest.raises(WorldBuildError):
        plots.plot_size_blocks(32.0, 25.0)   # asked for: still said, not changed


def test_plot_pictures_draw_the_stone_brick_border_grey():
    from minecraft.plot_export import block_colour
    grey = block_colour("minecraft:stone_bricks")   # a newcomer saw the path reddish brown
    assert max(grey) - min(grey) < 10
    assert block_colour("minecraft:bricks") != block_colour("minecraft:stone_bricks")
