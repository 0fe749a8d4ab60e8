"""Pure terrain functions on small hand-made arrays."""
import math

import numpy as np
import pytest

from minecraft import terrain
from minecraft.blocks import Block
from minecraft.build import low_borders, sea_labels_by_region
from minecraft.buildings import building_height_m
from minecraft.layers import parse_tags
from minecraft.metadata import to_block, to_world
from minecraft.terrain import NO_WATER


def test_default_vertical_scale():
    assert terrain.default_vertical_scale(1) == 1.0
    assert terrain.default_vertical_scale(2) == 1.0
    assert terrain.default_vertical_scale(8) == pytest.approx(2.0)
    assert terrain.default_vertical_scale(50) == pytest.approx(5.0)


def test_fit_heights_unchanged_when_it_fits():
    fit = terrain.fit_heights(-5.0, 104.4, 1.0, 62)
    assert (fit.vertical_scale, fit.sea_level_y, fit.shifted, fit.compressed) == (1.0, 62, 0, False)
    assert "nothing was shifted" in fit.message


def test_fit_heights_shifts_before_compressing():
    # 0..300 m at 1 m per block: 62 + 300 = 362 is above the top; the span 300 fits if shifted.
    fit = terrain.fit_heights(0.0, 300.0, 1.0, 62)
    assert not fit.compressed and fit.vertical_scale == 1.0
    assert fit.sea_level_y + 300 == terrain.WORLD_TOP - terrain.HEADROOM
    assert fit.shifted == fit.sea_level_y - 62 < 0
    assert f"y {fit.sea_level_y}" in fit.message and "moved 0 m" in fit.message
    # Deep below: -200 m at y 62 is y -138 (below the floor): shifted up.
    fit = terrain.fit_heights(-200.0, 10.0, 1.0, 62)
    assert fit.sea_level_y - 200 == terrain.LOWEST_SURFACE


def test_fit_heights_compresses_a_mountain():
    fit = terrain.fit_heights(0.0, 2100.0, 1.0, 62)
    assert fit.compressed and fit.vertical_scale > 1.0
    lo = fit.sea_level_y + round(0 / fit.vertical_scale)
    hi = fit.sea_level_y + round(2100 / fit.vertical_scale)
    assert terrain.LOWEST_SURFACE <= lo and hi <= terrain.WORLD_TOP - terrain.HEADROOM
    assert "compressed the vertical scale from 1 to" in fit.message


def test_block_heights_rounds_half_up_and_clips():
    h = np.array([[0.0, 0.49, 0.5, -0.5, -0.51, 1000.0]])
    assert terrain.block_heights(h, 1.0, 62).tolist() == [[62, 62, 63, 62, 61, 318]]
    assert terrain.block_heights(np.array([[10.0]]), 5.0, 0).tolist() == [[2]]


def test_sea_is_low_and_connected_to_the_edge():
    h = np.array([
        [-1, -1, 5, 5, 5],
        [5, -1, 5, -2, 5],   # the -2 is an inland pit
        [5, 0, 5, 5, 5],     # 0 m counts as sea level
        [5, 5, 5, 5, 5],
    ], dtype=np.float32)
    sea = terrain.sea_mask_single(h)
    expected = np.zeros_like(sea)
    expected[0, 0] = expected[0, 1] = expected[1, 1] = expected[2, 1] = True
    assert (sea == expected).all()


def test_diagonal_low_cells_are_not_connected():
    h = np.array([[-1, 5, 5], [5, -1, 5], [5, 5, 5]], dtype=np.float32)
    sea = terrain.sea_mask_single(h)
    assert sea[0, 0] and not sea[1, 1]


def _tiled_sea(h: np.ndarray, tile: int) -> np.ndarray:
    """Sea via per-tile labels joined by sea_labels_by_region, as the build does."""
    H, W = h.shape
    borders, labels = {}, {}
    for rz in range(-(-H // tile)):
        for rx in range(-(-W // tile)):
            part = h[rz * tile:(rz + 1) * tile, rx * tile:(rx + 1) * tile]
            lab, n = terrain.label_low(part)
            edges = (rz == 0, rx == 0, (rz + 1) * tile >= H, (rx + 1) * tile >= W)
            borders[(rx, rz)] = low_borders(lab, n, rx, rz, edges)
            labels[(rx, rz)] = lab
    sea_labels = sea_labels_by_region(borders)
    out = np.zeros(h.shape, dtype=bool)
    for (rx, rz), lab in labels.items():
        out[rz * tile:(rz + 1) * tile, rx * tile:(rx + 1) * tile] = terrain.sea_from_labels(
            lab, sea_labels[(rx, rz)])
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_tiled_sea_equals_whole_array_flood_fill(seed):
    rng = np.random.default_rng(seed)
    # Smooth-ish random terrain around 0 m with winding channels crossing tile borders.
    h = rng.normal(0.5, 1.0, size=(37, 41)).astype(np.float32)
    whole = terrain.sea_mask_single(h)
    assert whole.any() and (~whole & (h <= 0)).any()  # both sea and inland low cells occur
    for tile in (5, 8, 16):
        assert (_tiled_sea(h, tile) == whole).all(), tile


def test_channel_winding_through_tiles_reaches_inland():
    # A U-shaped channel enters at the top-left, goes down, across and back up: the basin at
    # its end (inside another tile) is sea only through that path.
    h = np.full((12, 12), 5.0, dtype=np.float32)
    h[0:10, 1] = -1
    h[9, 1:10] = -1
    h[3:10, 9] = -1
    h[3, 5:10] = -1  # ends in the middle
    h[6, 5] = -3  # an inland pit near it, not connected
    sea = _tiled_sea(h, 4)
    assert sea[3, 5] and not sea[6, 5]
    assert (sea == terrain.sea_mask_single(h)).all()


def test_extend_sea_follows_core_components_only():
    low = np.zeros((6, 6), dtype=bool)
    low[2, 0:4] = True  # continues from the core into the margin
    low[5, 5] = True  # a margin-only low cell, not sea
    core = (slice(1, 5), slice(1, 5))
    core_sea = low[core].copy()
    sea = terrain.extend_sea(core_sea, low, core)
    assert sea[2, 0] and not sea[5, 5]


def test_surface_materials_beach_stone_and_water():
    scale = 1.0
    # Sea along the west edge, a gentle shore, then a cliff on the east edge.
    h = np.tile(np.array([-0.5, -0.5, 0.4, 0.8, 1.2, 1.6, 10, 20], dtype=np.float32), (5, 1))
    sea = terrain.sea_mask_single(h)
    cols = terrain.surface(h, scale, 1.0, 62, sea, beach_m=2.0)
    assert (cols.water[:, :2] == 62).all() and (cols.water[:, 2:] == NO_WATER).all()
    assert (cols.ground[:, :2] == [60, 61]).all()  # a block deeper per block from the shore
    assert (cols.top[:, 2:4] == Block.SAND).all()  # within 2 m of water, up to 2 blocks above it
    assert (cols.top[:, 4] == Block.GRASS_BLOCK).all()  # 3 blocks from the water: no beach
    assert (cols.top[:, 6:8] == Block.STONE).all()  # 10 m per block: steep


def test_sea_out_of_sight_of_the_shore_has_its_full_depth():
    h = np.zeros((3, 3), dtype=np.float32)  # exactly sea level everywhere, all edge-connected
    sea = terrain.sea_mask_single(h)
    cols = terrain.surface(h, 1.0, 1.0, 62, sea, reach=8)
    # 10 m at 1 m per block, but never deeper than the window's margin lets it see.
    assert sea.all() and (cols.ground == 62 - 8).all() and (cols.water == 62).all()
    cols = terrain.surface(h, 50.0, 5.0, 62, sea, reach=8)  # 10 m is 2 blocks: at least 3
    assert (cols.ground == 62 - terrain.MIN_SEA_DEPTH).all()


def test_fill_region_column_layout():
    cols = terrain.Columns(
        ground=np.array([[70, 60]], dtype=np.int16),
        top=np.array([[Block.GRASS_BLOCK, Block.SAND]], dtype=np.uint8),
        sub=np.array([[Block.DIRT, Block.SAND]], dtype=np.uint8),
        water=np.array([[NO_WATER, 62]], dtype=np.int16),
        void=np.zeros((1, 2), dtype=bool))
    blocks = np.zeros((160, 1, 2), dtype=np.uint8)
    terrain.fill_region(blocks, -64, cols)

    def at(y, i):
        return Block(blocks[y + 64, 0, i])

    assert at(-64, 0) == at(-64, 1) == Block.BEDROCK
    assert at(-63, 0) == Block.STONE and at(66, 0) == Block.STONE
    assert [at(y, 0) for y in (67, 68, 69)] == [Block.DIRT] * 3
    assert at(70, 0) == Block.GRASS_BLOCK and at(71, 0) == Block.AIR
    assert at(56, 1) == Block.STONE and at(57, 1) == Block.SAND and at(60, 1) == Block.SAND
    assert at(61, 1) == at(62, 1) == Block.WATER and at(63, 1) == Block.AIR


def test_fill_region_void_columns_are_empty():
    cols = terrain.Columns(np.array([[5, 5]], np.int16), np.array([[3, 3]], np.uint8),
                           np.array([[2, 2]], np.uint8), np.full((1, 2), NO_WATER, np.int16),
                           np.array([[False, True]]))
    blocks = np.zeros((80, 1, 2), dtype=np.uint8)
    terrain.fill_region(blocks, -64, cols)
    assert blocks[:, 0, 1].max() == 0 and blocks[:, 0, 0].max() > 0


def test_hillshade_is_lit_from_the_north_west():
    z, x = np.mgrid[0:9, 0:9].astype(np.float32)
    facing_nw = (x + z) * 1.0  # rises towards the south-east: the slope faces north-west
    facing_se = (x + z) * -1.0
    assert terrain.hillshade(facing_nw, 1.0)[4, 4] > terrain.hillshade(facing_se, 1.0)[4, 4]
    flat = terrain.hillshade(np.zeros((3, 3), np.float32), 1.0)
    assert flat[1, 1] == pytest.approx(math.sin(math.radians(45)))


def test_osm_tags_and_building_heights():
    tags = parse_tags({"building": "yes", "other_tags":
                       '"addr:street"=>"Råsundavägen","building:levels"=>"5"'})
    assert tags["building:levels"] == "5" and tags["addr:street"] == "Råsundavägen"
    assert building_height_m(tags) == 15.0
    assert building_height_m({"height": "21.5 m", "building:levels": "3"}) == 21.5
    assert building_height_m({"building": "yes"}) == 9.0


def test_metadata_transform_round_trip():
    meta = {"origin": {"easting": 300000.0, "northing": 6400000.0},
            "metres_per_block": {"horizontal": 10.0, "vertical": 2.0},
            "vertical": {"block_y_of_0_m": 62}}
    assert to_block(meta, 300000.0, 6400000.0) == (0, 0)
    assert to_block(meta, 300015.0, 6399975.0, 10.0) == (1, 67, 2)
    e, n, h = to_world(meta, 1, 2, 67)
    assert (e, n, h) == (300015.0, 6399975.0, 10.0)
    assert to_block(meta, e, n, h) == (1, 67, 2)
