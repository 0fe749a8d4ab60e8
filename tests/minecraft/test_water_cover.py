"""Pure functions behind rivers, lakes, sea beds, land cover, trees and roofs, on small arrays."""
import numpy as np
import pytest
import shapely

from minecraft import cover, terrain, vegetation, water
from minecraft.buildings import make_building, roof_rise_m
from minecraft.terrain import NO_WATER


def test_river_levels_step_down_and_carry_across_joins():
    # Way 0 flows into way 1 at its start; way 2 (a tributary) ends in the middle of way 1.
    profiles = [np.array([9.0, 8.0, 8.5, 7.0]),   # a bump downstream is flattened
                np.array([7.5, 7.5, 6.0, 6.5, 5.0]),  # starts above where way 0 ended
                np.array([8.0, 4.0])]   # the tributary ends lower than way 1 there
    joins = [(0, 3, 1, 0), (2, 1, 1, 2)]
    levels = water.network_levels(profiles, joins)
    assert levels[0].tolist() == [9.0, 8.0, 8.0, 7.0]
    assert levels[1].tolist() == [7.0, 7.0, 4.0, 4.0, 4.0]
    assert levels[2].tolist() == [8.0, 4.0]
    # Never below the sea it flows into.
    assert water.network_levels([np.array([2.0, -1.5, 1.0])], [])[0].tolist() == [2.0, 0, 0]


def test_joins_found_from_geometry():
    main = water.sample_line(shapely.LineString([(0, 0), (100, 0)]), 10.0)
    up = water.sample_line(shapely.LineString([(-50, 0), (0, 0)]), 10.0)
    trib = water.sample_line(shapely.LineString([(40, 60), (40, 0)]), 10.0)
    branch = water.sample_line(shapely.LineString([(70, 0), (70, -40)]), 10.0)
    joins = water.find_joins([main, up, trib, branch])
    assert joins == sorted([(1, len(up) - 1, 0, 0), (2, len(trib) - 1, 0, 4), (0, 7, 3, 0)])


def test_one_odd_sample_does_not_lower_the_river():
    centre = np.array([10.0, 9.9, 2.0, 9.7, 9.6, 9.5, 9.4])  # a one-sample hole in the data
    banks = centre + 1.0
    profile = water.bank_profile(centre, banks, banks)
    assert np.minimum.accumulate(profile).min() > 9.0
    assert water.bank_profile(np.array([np.nan, 5.0]), np.full(2, np.nan),
                              np.array([6.0, 4.0])).tolist() == [6.0, 4.0]


def test_lake_level_ignores_an_outlet():
    shore = np.array([12.0] * 45 + [9.0, 9.2] + [np.nan] * 3)  # an outlet notch, some nodata
    assert water.lake_level(shore) == 12.0
    assert water.lake_level(np.full(4, np.nan)) is None


def test_river_area_takes_the_nearest_centreline_level():
    area = shapely.box(0, -5, 100, 5)
    pts = np.array([[5.0, 0], [35.0, 0], [65.0, 0], [95.0, 0], [150.0, 0]])
    pieces = water.area_pieces(area, pts, np.array([4.0, 3.0, 2.0, 1.0, 0.0]))
    assert len(pieces) == 4  # the sample outside the area adds nothing
    assert sum(p.area for p, _ in pieces) == pytest.approx(area.area)
    at = {lv for p, lv in pieces if p.contains(shapely.Point(60, 4))}
    assert at == {2.0}


def test_banks_blend_into_a_river_below_them_and_hold_it():
    # A 3-block river at y 70 in ground at y 80 (coarse data missed the valley), and a bank
    # cell at y 68, lower than the water beside it.
    h = np.full((5, 16), 18.0, dtype=np.float32)
    level = np.full(h.shape, NO_WATER, np.int16)
    level[:, 6:9] = 70
    h[0, 9] = 6.0
    cols = terrain.surface(h, 1.0, 1.0, 62, np.zeros(h.shape, bool), inland_level=level,
                           inland_depth=np.full(h.shape, 2, np.uint8), reach=8)
    g = cols.ground[2]
    assert (cols.water[:, 6:9] == 70).all() and (g[6:9] <= 69).all() and g[7] == 68
    assert g[5] == g[9] == 71  # a block above the water at the shore
    assert list(g[:6]) == sorted(g[:6], reverse=True) and g[0] == 80  # a slope, not a wall
    assert np.abs(np.diff(g[9:].astype(int))).max() <= 2
    assert cols.ground[0, 9] == 70  # the low bank is raised to the water's level


def test_sea_bed_deepens_from_the_shore_or_follows_bathymetry():
    h = np.zeros((3, 24), np.float32)
    h[:, 20:] = 5.0  # land on the east
    sea = terrain.sea_mask_single(h)
    cols = terrain.surface(h, 1.0, 1.0, 62, sea, reach=8)
    depth = 62 - cols.ground[1, :20]
    assert depth[19] == 1 and depth[17] == 3 and depth[:12].tolist() == [8] * 12
    assert list(depth) == sorted(depth, reverse=True)
    bathy = np.full(h.shape, np.nan, np.float32)
    bathy[:, :10] = -30.0
    cols = terrain.surface(h, 1.0, 1.0, 62, sea, bathymetry_m=bathy, reach=8)
    assert (cols.ground[:, :10] == 32).all() and (cols.ground[:, 10:20] == 62 - depth[10:]).all()
    # Sea level fitted down near the floor: the sea is shallower rather than into the bedrock.
    cols = terrain.surface(h, 1.0, 1.0, -58, sea, reach=8)
    assert cols.ground[:, :20].min() == terrain.LOWEST_SURFACE and (cols.water[:, :20] == -58).all()


def test_land_cover_from_tags_and_rasters():
    assert cover.from_tags({"landuse": "forest", "leaf_type": "needleleaved"}) == \
        cover.FOREST_CONIFER
    assert cover.from_tags({"natural": "wetland"}) == cover.WETLAND
    assert cover.from_tags({"objekttyp": "Åker"}) == cover.FARMLAND
    assert cover.from_tags({"landuse": "residential"}) == cover.NONE
    assert cover.raster_scheme([0, 10, 30, 50, 80]) == "worldcover"
    assert cover.raster_scheme([2, 3, 51, 61, 112]) == "nmd"
    assert cover.raster_scheme([51, 61]) is None  # built-up and water only: cannot tell
    codes = np.array([[112.0, 3.0, np.nan, 61.0]])
    assert cover.classes_of(codes, "nmd").tolist() == [[cover.FOREST_CONIFER, cover.FARMLAND,
                                                        cover.NONE, cover.NONE]]


def test_trees_depend_on_the_column_not_the_window():
    classes = np.full((40, 60), cover.FOREST_MIXED, np.uint8)
    free = np.ones(classes.shape, bool)
    whole = vegetation.trees(classes, free, 1000, 2000, 1.0)
    part = vegetation.trees(classes[10:, 25:], free[10:, 25:], 1025, 2010, 1.0)
    assert sorted(whole) == sorted(part) == [cover.SPRUCE, cover.BIRCH]
    n = 0
    for sp in whole:
        assert (whole[sp][10:, 25:] == part[sp]).all()
        n += int(whole[sp].sum())
    assert 0.02 < n / classes.size < 0.09  # about one tree per 20 m2
    assert vegetation.trees(classes, free, 1000, 2000, 10.0) == {}  # too coarse for trees


def test_gabled_and_hipped_roofs_rise_from_the_eaves():
    house = shapely.box(0, 0, 16, 10)  # long side along x
    gabled = make_building(house, {"building": "house", "roof:shape": "gabled"}, 1.0)
    hipped = make_building(house, {"building": "house", "roof:shape": "hipped"}, 1.0)
    flat = make_building(house, {"building": "house"}, 1.0)
    xs = np.array([0.5, 8.5, 8.5, 8.5, 15.5])
    ys = np.array([5.5, 0.5, 3.5, 5.5, 5.5])
    assert gabled.roof_m == hipped.roof_m == 5.0 and flat.roof_m == 0.0
    assert roof_rise_m(gabled, xs, ys, 1.0).tolist() == [4.0, 0.0, 3.0, 4.0, 4.0]
    assert roof_rise_m(hipped, xs, ys, 1.0).tolist() == [0.0, 0.0, 3.0, 4.0, 0.0]
    assert not roof_rise_m(flat, xs, ys, 1.0).any()
    # The door: middle of a long side, facing out of the house.
    x, y, facing = gabled.door
    assert (facing, y) in (("south", 0.5), ("north", 9.5)) and x == 8.0
    # `height` includes the roof; levels do not.
    assert make_building(house, {"height": "12", "roof:shape": "gabled"}, 1.0).wall_m == 7.0
    assert make_building(house, {"building:levels": "2", "roof:shape": "gabled"},
                         1.0).wall_m == 6.0

