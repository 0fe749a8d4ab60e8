"""Rivers, lakes, land cover, bridges and buildings in whole builds, read back independently.

A synthetic valley (realistic, small): 640 x 160 m at 1 m per block, falling 20 m eastwards
along its floor and rising 0.2 m per metre to both sides, across two Anvil regions. In it an
8 m river along the floor (with a river-area polygon along part of it), a stream joining from
the north, a lake in a basin with an outlet notch in its rim, a road bridge and a footpath
over the stream, forest across the region seam, a field, a wetland, two houses, and an NMD
land-cover raster under everything. Plus Göta älv on the real Göteborg SRTM clip.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import Affine

from minecraft.build import BuildOptions, build_world
from minecraft.metadata import to_block

from .data import GBG
from .world_probe import WorldProbe

W, H = 640, 160  # metres = blocks
E0, N0 = 500000, 6500000 + H
Y0 = 62
AIR_WATER = ("minecraft:air", "minecraft:water")
PLANTS = AIR_WATER + ("minecraft:short_grass", "minecraft:poppy", "minecraft:dandelion",
                      "minecraft:wheat")


def floor_m(x):
    return 30.0 - x * 20.0 / W


def valley_dem() -> np.ndarray:
    zz, xx = np.mgrid[0:H, 0:W] + 0.5
    h = floor_m(xx) + 0.2 * np.abs(zz - 80)
    # A basin at (200, 135): flat 26 m (the lake) to r 15, up to the valley side by r 22 ...
    r = np.hypot(xx - 200, zz - 135)
    t = np.clip((r - 15) / 7, 0, 1)
    h = np.where(r < 22, 26 * (1 - t) + h * t, h)
    # ... with a 2 m outlet notch at 24 m in its northern rim.
    notch = (np.abs(xx - 200) < 1.0) & (zz > 112) & (zz < 121)
    return np.where(notch, np.minimum(h, 24.0), h).astype(np.float32)


def _xy(x, z):
    return [E0 + x, N0 - z]


def _line(props, *pts):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "LineString", "coordinates": [_xy(*p) for p in pts]}}


def _poly(props, *pts):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [[_xy(*p) for p in pts + pts[:1]]]}}


def _rect(props, x0, z0, x1, z1):
    return _poly(props, (x0, z0), (x1, z0), (x1, z1), (x0, z1))


def _circle(props, cx, cz, r):
    a = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    return _poly(props, *[(cx + r * np.cos(t), cz + r * np.sin(t)) for t in a])


def _geojson(path: Path, features: list, epsg: int = 3006) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": {
        "type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}},
        "features": features}))
    return path


def valley_features() -> list:
    return [
        _line({"waterway": "river", "width": "8"}, (0, 80), (200, 80), (400, 80), (640, 80)),
        _rect({"natural": "water", "water": "river"}, 100, 74, 400, 86),
        _line({"waterway": "stream"}, (300, 10), (300, 80)),
        _circle({"natural": "water"}, 200, 135, 15.5),
        _line({"highway": "secondary"}, (420, 40), (420, 70)),
        _line({"highway": "secondary", "bridge": "yes"}, (420, 70), (420, 90)),
        _line({"highway": "secondary"}, (420, 90), (420, 120)),
        _line({"highway": "footway"}, (260, 40), (340, 40)),
        _rect({"landuse": "forest"}, 470, 0, 560, 40),
        _rect({"landuse": "farmland"}, 100, 0, 180, 30),
        _rect({"natural": "wetland"}, 560, 120, 620, 160),
        _rect({"building": "house", "building:levels": "2", "roof:shape": "gabled"},
              40, 20, 56, 30),
        _rect({"building": "yes", "building:levels": "2", "roof:shape": "hipped"},
              70, 20, 82, 32),
    ]


def valley_inputs(d: Path) -> dict:
    with rasterio.open(d / "valley.tif", "w", driver="GTiff", width=W, height=H, count=1,
                       dtype="float32", crs="EPSG:3006",
                       transform=Affine(1, 0, E0, 0, -1, N0)) as ds:
        ds.write(valley_dem(), 1)
    # NMD at 10 m: "other open land with vegetation" (42), a spruce stand (112) in the south-west.
    codes = np.full((H // 10, W // 10), 42, np.uint8)
    codes[12:, 2:8] = 112
    with rasterio.open(d / "nmd.tif", "w", driver="GTiff", width=W // 10, height=H // 10,
                       count=1, dtype="uint8", crs="EPSG:3006", nodata=0,
                       transform=Affine(10, 0, E0, 0, -10, N0)) as ds:
        ds.write(codes, 1)
    osm = _geojson(d / "osm.geojson", valley_features())
    return dict(sources=[str(d / "valley.tif")], scale=1.0, layers=[str(osm)],
                landcover=str(d / "nmd.tif"))


@pytest.fixture(scope="module")
def valley(tmp_path_factory):
    d = tmp_path_factory.mktemp("valley")
    opts = valley_inputs(d)
    build_world(BuildOptions(out=str(d / "w"), **opts))
    return d / "w", opts


def water_top(probe, x, z) -> int | None:
    col = probe.column(x, z)
    wet = np.flatnonzero(col == "minecraft:water")
    return int(wet.max()) - 64 if len(wet) else None


def ground(probe, x, z) -> int:
    return probe.highest(x, z, PLANTS)[0]


def assert_contained(probe, cells) -> int:
    """Every dry 4-neighbour of a water column holds ground at least at the water's level."""
    size = probe.meta["size_blocks"]
    checked = 0
    for x, z in cells:
        top = water_top(probe, x, z)
        if top is None:
            continue
        for nx, nz in ((x + 1, z), (x - 1, z), (x, z + 1), (x, z - 1)):
            if 0 <= nx < size["x"] and 0 <= nz < size["z"] \
                    and water_top(probe, nx, nz) is None:
                assert ground(probe, nx, nz) >= top, ((x, z), (nx, nz), top)
                checked += 1
    return checked


def _away_from_spawn(probe, x, z):
    s = probe.meta["spawn"]
    return max(abs(x - s["x"]), abs(z - s["z"])) > 5  # the spawn hub covers its columns


def test_river_steps_down_its_valley_inside_its_banks(valley):
    probe = WorldProbe(valley[0])
    xs = [x for x in range(0, W, 4) if _away_from_spawn(probe, x, 80)]
    levels = [water_top(probe, x, 80) for x in xs]
    assert None not in levels
    assert all(a >= b for a, b in zip(levels, levels[1:]))  # never up downstream
    assert levels[0] - levels[-1] >= 15  # it follows the 20 m fall, not one flat level
    for x, lv in zip(xs, levels):
        assert lv == Y0 + np.floor(floor_m(x + 0.5) + 0.5) or lv == Y0 + round(floor_m(x)), x
        for z in (73, 87):  # dry banks just beside the water: no wall, no trench
            if water_top(probe, x, z) is None:  # (not where the stream comes in)
                assert lv <= ground(probe, x, z) <= lv + 3, (x, z)
        col = probe.column(x, 80)[:lv + 64]
        assert np.flatnonzero(~np.isin(col, AIR_WATER)).max() - 64 <= lv - 2  # deep enough
        # to swim in (under the bridge, too)
    cells = [(x, z) for x in range(2, W - 2, 6) for z in range(72, 89)
             if _away_from_spawn(probe, x, z)]
    assert assert_contained(probe, cells) > 100


def test_lake_is_flat_at_its_shore_level(valley):
    probe = WorldProbe(valley[0])
    tops = {water_top(probe, x, z) for x in range(186, 215) for z in range(121, 150)
            if np.hypot(x + 0.5 - 200, z + 0.5 - 135) <= 14.5}
    assert tops == {Y0 + 26}  # the basin floor: the outlet notch at 24 m does not drain it
    assert ground(probe, 200, 135) <= Y0 + 26 - 4  # deeper towards the middle
    ring = [(x, z) for x in range(182, 219) for z in range(117, 154)
            if 14 <= np.hypot(x + 0.5 - 200, z + 0.5 - 135) <= 17]
    assert assert_contained(probe, ring) > 40


def test_stream_is_a_narrow_channel_into_the_river(valley):
    probe = WorldProbe(valley[0])
    levels = []
    for z in range(12, 72, 3):
        wet = [x for x in range(294, 307) if water_top(probe, x, z) is not None]
        assert 1 <= len(wet) <= 2 and wet[-1] - wet[0] == len(wet) - 1, (z, wet)
        levels.append(water_top(probe, wet[0], z))
    assert all(a >= b for a, b in zip(levels, levels[1:]))
    assert levels[-1] >= water_top(probe, 300, 82)  # it joins the river from above
    assert assert_contained(probe, [(x, z) for x in range(296, 305) for z in range(12, 72, 3)])


def test_bridge_decks_at_bank_height_over_water(valley):
    probe = WorldProbe(valley[0])
    # The bridge's ends are 10 m from the river's centre: 2 m above the valley floor.
    deck = Y0 + round(floor_m(420) + 2.0)
    for z in (77, 80, 83):
        top = water_top(probe, 420, z)
        assert top is not None and top < deck
        assert probe.block(420, deck, z) == "minecraft:black_concrete"
        assert probe.block(420, deck - 1, z) in AIR_WATER
    assert probe.highest(420, 60)[1] == "minecraft:black_concrete"  # the road on the ground
    # The footpath crosses the stream without a bridge tag: planks (gravel would fall) a block
    # over the water.
    x = next(x for x in range(296, 305) if water_top(probe, x, 40) is not None)
    assert probe.block(x, water_top(probe, x, 40) + 1, 40) == "minecraft:oak_planks"


def _count(probe, x0, z0, x1, z1, names) -> int:
    n = 0
    for cx in range(x0 // 16, (x1 - 1) // 16 + 1):
        for cz in range(z0 // 16, (z1 - 1) // 16 + 1):
            c = probe.chunk(cx, cz)
            lx0, lx1 = max(x0 - cx * 16, 0), min(x1 - cx * 16, 16)
            lz0, lz1 = max(z0 - cz * 16, 0), min(z1 - cz * 16, 16)
            n += int(np.isin(c[:, lz0:lz1, lx0:lx1], names).sum())
    return n


LOGS = ["minecraft:spruce_log", "minecraft:birch_log", "minecraft:oak_log"]


def test_land_cover_where_its_polygons_and_raster_say(valley):
    probe = WorldProbe(valley[0])
    # Field (OSM): farmland under ripe wheat, no trees.
    assert _count(probe, 104, 4, 176, 26, ["minecraft:farmland"]) == 72 * 22
    assert _count(probe, 104, 4, 176, 26, ["minecraft:wheat"]) == 72 * 22
    # Wetland (OSM): moss on mud.
    assert probe.highest(590, 140, PLANTS)[1] == "minecraft:moss_block"
    # Forest (OSM) and a spruce stand (NMD 112): trees, podzol under the spruces.
    assert _count(probe, 470, 0, 560, 40, LOGS) >= 5 * 20
    assert _count(probe, 20, 120, 80, 160, ["minecraft:spruce_log"]) >= 7 * 10
    assert _count(probe, 20, 120, 80, 160, ["minecraft:podzol"]) > 1000
    # NMD 42 (open land with vegetation) elsewhere: a meadow, short grass and no trees.
    assert _count(probe, 560, 48, 640, 64, LOGS) == 0
    grass = _count(probe, 560, 48, 640, 64, ["minecraft:short_grass"])
    assert 0.2 < grass / (80 * 16) < 0.4


def test_houses_get_doors_and_their_roof_shapes(valley):
    probe = WorldProbe(valley[0])
    # Gabled, 16 x 10 m, long side along x: the ridge runs along x, gables at the short ends.
    ridge = [probe.highest(x, 25)[0] for x in range(41, 56)]
    eave = probe.highest(48, 20)[0]
    assert len(set(ridge)) == 1 and ridge[0] >= eave + 4
    assert [probe.highest(48, z)[0] for z in range(20, 26)] == \
        sorted(probe.highest(48, z)[0] for z in range(20, 26))  # rising to the ridge
    assert probe.highest(40, 25)[1] != "minecraft:air" and probe.highest(40, 25)[0] >= eave + 3
    # Hipped, 12 x 12 m: rises from every side.
    centre = probe.highest(76, 26)[0]
    assert all(probe.highest(x, z)[0] < centre for x, z in ((70, 26), (81, 26), (76, 20),
                                                              (76, 31)))
    # A door in the middle of the gabled house's long (north) side, facing out.
    door = [y for y in range(80, 120) if probe.block(48, y, 20) == "minecraft:oak_door"]
    assert len(door) == 2 and probe.block(48, door[0] - 1, 20) == "minecraft:oak_planks"
    from .anvil_reader import read_region
    chunk = read_region(valley[0] / "region" / "r.0.0.mca")[(3, 1)].nbt
    props = [dict(p.get("Properties", {})) for s in chunk["sections"]
             for p in s["block_states"]["palette"] if p["Name"] == "minecraft:oak_door"]
    assert {(p["facing"], p["half"]) for p in props} == {("north", "lower"), ("north", "upper")}


def test_tree_crowns_cross_the_region_seam_whole(valley):
    probe = WorldProbe(valley[0])
    seen = 0
    for z in range(0, 40):
        for x in (510, 511, 512, 513):  # trunks beside the seam between x 511 and 512
            col = probe.column(x, z)
            logs = np.flatnonzero(np.isin(col, LOGS))
            if not len(logs):
                continue
            top = int(logs.max()) - 64
            for dx in (-2, 2):  # the crown's widest layer, on both sides of the seam
                layer = [probe.block(x + dx, y, z) for y in range(top - 2, top + 1)]
                assert any(b.endswith("_leaves") for b in layer), (x, z, dx, layer)
            seen += 1
    assert seen >= 2


def test_resume_and_workers_give_the_same_bytes(valley, tmp_path):
    out, opts = valley
    clean = {p.name: p.read_bytes() for p in (out / "region").glob("r.*.mca")}
    assert sorted(clean) == ["r.0.0.mca", "r.1.0.mca"]
    w = tmp_path / "w"
    build_world(BuildOptions(out=str(w), workers=2, **opts))
    (w / "region" / "r.1.0.mca").unlink()
    build_world(BuildOptions(out=str(w), workers=2, resume=True, **opts))
    assert {p.name: p.read_bytes() for p in (w / "region").glob("r.*.mca")} == clean


@pytest.mark.skipif(not GBG.exists(), reason="shared DEM data not present")
def test_gota_alv_is_water_not_land(tmp_path):
    # Göta älv from Frihamnen to Älvsborgsbron and out to sea, digitised along the channel the
    # SRTM clip shows (1-3 m there: land until now); about 250 m wide.
    course = [(318975, 6401675), (318575, 6401575), (318525, 6400875), (317725, 6400675),
              (317675, 6399825), (317525, 6399675), (316675, 6399625), (315225, 6398425),
              (313775, 6398275), (313325, 6397825)]
    river = _geojson(tmp_path / "gota_alv.geojson", [{
        "type": "Feature", "properties": {"waterway": "river", "name": "Göta älv",
                                          "width": "250"},
        "geometry": {"type": "LineString", "coordinates": course}}])
    out = tmp_path / "w"
    build_world(BuildOptions(sources=[str(GBG)], out=str(out), scale=25.0, vertical_scale=1.0,
                             area=(312500, 6397000, 319000, 6402500), layers=[str(river)]))
    probe = WorldProbe(out)
    meta = probe.meta
    y0 = meta["vertical"]["block_y_of_0_m"]
    import shapely
    line = shapely.LineString(course)
    levels = []
    for d in np.arange(0, line.length, 25.0):
        p = line.interpolate(d)
        x, z = to_block(meta, p.x, p.y)
        if not (0 <= x < meta["size_blocks"]["x"] and 0 <= z < meta["size_blocks"]["z"]):
            continue
        top = water_top(probe, x, z)
        assert top is not None and top >= y0, (d, x, z)
        assert ground(probe, x, z) < top
        levels.append(top)
    assert len(levels) > 200 and all(a >= b for a, b in zip(levels, levels[1:]))
    cells = {to_block(meta, *line.interpolate(d).coords[0]) for d in range(0, 9000, 100)}
    near = {(x + dx, z + dz) for x, z in cells for dx in range(-6, 7) for dz in range(-6, 7)}
    assert assert_contained(probe, near) > 50

