"""Water above sea level from vector data: the levels of rivers, streams, lakes and river areas.

Pure functions (shapely and numpy); the caller samples the elevation data. Every level is
decided per feature, never per region, so both sides of a region seam draw the same water:

- A lake lies flat at a low percentile (LAKE_PERCENTILE) of the ground along its shore: lower
  than nearly all of the shore, yet not dragged down by the few shore cells where an outlet
  leaves or the outline and the elevation data disagree.
- A river steps down along its course. Every `step` metres along the line (OSM draws waterways
  downstream) the ground is read at the centre and on both banks; the lowest of the three,
  smoothed by a running median (one odd cell must not lower the whole river below it), then
  the running minimum from the source gives a level that never rises downstream and never lies
  above the banks it was read from (nor below sea level). Ways joined end to start,
  tributaries ending on a river and branches leaving one carry the level across the join
  (`network_levels`).
- A river area (OSM `water=river`, Lantmäteriet `Vattendragsyta`) takes at each point the level
  of the nearest centreline sample inside it (Voronoi cells), so it steps down with its river.
"""
from __future__ import annotations

import math
import re

import numpy as np
import shapely
from scipy import ndimage

LAKE_PERCENTILE = 10.0
# waterway=* -> default width in metres (OSM's `width` tag wins).
WATERWAYS = {"river": 20.0, "canal": 15.0, "tidal_channel": 5.0, "stream": 2.0, "brook": 1.5,
             "ditch": 1.5, "drain": 1.5}
JOIN_TOLERANCE_M = 1.0  # ends closer than this to another waterway join it
MEDIAN_SAMPLES = 5


def waterway_width(tags: dict) -> float | None:
    """Width in metres of a waterway line, or None when the line is not a waterway we draw."""
    kind = tags.get("waterway")
    if kind not in WATERWAYS:
        objekttyp = str(tags.get("objekttyp", ""))  # Lantmäteriet hydrography lines
        if not objekttyp.startswith("Vattendrag"):
            return None
        kind = "stream"
    m = re.match(r"\s*([0-9]+(?:[.,][0-9]+)?)", str(tags.get("width", "")))
    width = float(m.group(1).replace(",", ".")) if m else 0.0
    return width if width > 0 else WATERWAYS[kind]


def depth_for_width(width_m: float) -> float:
    """Depth in metres of a waterway's deepest part: a fifth of its width, 1 to 8 m (deep
    enough to swim in and take a boat on, without canyons under wide rivers)."""
    return min(8.0, max(1.0, width_m / 5.0))


def sample_line(line, step: float) -> np.ndarray:
    """(N, 2) points every ~`step` metres along a line, both ends included (N >= 2)."""
    n = max(1, math.ceil(line.length / step))
    d = np.linspace(0.0, line.length, n + 1)
    return shapely.get_coordinates(shapely.line_interpolate_point(line, d))


def bank_points(samples: np.ndarray, offset: float) -> tuple[np.ndarray, np.ndarray]:
    """Points `offset` metres to the left and right of each sample, across the line."""
    t = np.gradient(samples, axis=0)
    norm = np.hypot(t[:, 0], t[:, 1])
    norm[norm == 0] = 1.0
    n = np.column_stack([-t[:, 1], t[:, 0]]) / norm[:, None]
    return samples + n * offset, samples - n * offset


def bank_profile(centre: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Lowest ground at and beside each sample (NaN: no data there), median-smoothed."""
    stack = np.vstack([centre, left, right])
    low = np.where(np.isnan(stack), np.inf, stack).min(axis=0)
    if len(low) >= MEDIAN_SAMPLES and np.isfinite(low).any():
        # Unknown samples take the nearest known value for the median, then stay unknown.
        known = np.isfinite(low)
        idx = ndimage.distance_transform_edt(~known, return_distances=False,
                                             return_indices=True)[0]
        smooth = ndimage.median_filter(low[idx], size=MEDIAN_SAMPLES, mode="nearest")
        low = np.where(known, smooth, np.inf)
    return low


def find_joins(samples: list[np.ndarray], tol: float = JOIN_TOLERANCE_M) -> list[tuple]:
    """Constraints (a, ka, b, kb): the level of way b at sample kb is at most that of way a at
    ka. A way's end on another way's start or middle continues it (a tributary); a way starting
    in another's middle branches off it. Ways sharing only their ends or only their starts do
    not constrain each other."""
    lines = [shapely.LineString(s) for s in samples]
    tree = shapely.STRtree(lines)
    joins = []
    for a, s in enumerate(samples):
        for end, ka in ((s[-1], len(s) - 1), (s[0], 0)):
            p = shapely.Point(end)
            for b in tree.query(p, predicate="dwithin", distance=tol):
                b = int(b)
                if b == a:
                    continue
                sb = samples[b]
                kb = int(np.argmin(np.hypot(sb[:, 0] - end[0], sb[:, 1] - end[1])))
                last = len(sb) - 1
                if ka == len(s) - 1 and kb != last:
                    joins.append((a, ka, b, kb))
                elif ka == 0 and 0 < kb < last:
                    joins.append((b, kb, a, 0))
    return sorted(set(joins))


def network_levels(profiles: list[np.ndarray], joins: list[tuple],
                   sea_level_m: float = 0.0) -> list[np.ndarray]:
    """Levels (metres) of each way: running minima of their bank profiles, lowered where a join
    requires it, until nothing changes (a chain of n ways settles within n rounds; levels only
    fall, so loops in the network end too). No river runs below the sea it flows into: a dip
    in the data under sea level (an estuary's channel, a bridge's shadow) stops at sea level."""
    caps = [np.full(len(p), np.inf) for p in profiles]
    levels = [np.minimum.accumulate(p) for p in profiles]
    for _ in range(len(profiles) + 1):
        changed = set()
        for a, ka, b, kb in joins:
            if levels[a][ka] < caps[b][kb]:
                caps[b][kb] = levels[a][ka]
                changed.add(b)
        if not changed:
            break
        for b in changed:
            levels[b] = np.minimum.accumulate(np.minimum(profiles[b], caps[b]))
    return [np.maximum(lv, sea_level_m) for lv in levels]


def ring_points(polygon, step: float) -> np.ndarray:
    """(N, 2) points every ~`step` metres along every ring (outer and islands) of a polygon."""
    parts = getattr(polygon, "geoms", [polygon])
    rings = [r for p in parts for r in (p.exterior, *p.interiors)]
    return np.concatenate([sample_line(shapely.LineString(r.coords), step) for r in rings])


def lake_level(shore_heights: np.ndarray) -> float | None:
    """The level of a lake from the ground along its shore (None: no data on the shore)."""
    vals = shore_heights[np.isfinite(shore_heights)]
    return float(np.percentile(vals, LAKE_PERCENTILE)) if len(vals) else None


def area_pieces(area, points: np.ndarray, levels: np.ndarray) -> list[tuple]:
    """(piece, level) covering a river area: each piece is the part of the area nearest to one
    centreline sample (its Voronoi cell), at that sample's level."""
    keep = np.isfinite(levels) & shapely.contains_xy(area, points[:, 0], points[:, 1])
    pts, lv = points[keep], levels[keep]
    if len(pts) == 0:
        return []
    _, first = np.unique(np.round(pts, 3), axis=0, return_index=True)
    first.sort()  # keep sample order: determinism does not depend on numpy's sort of points
    pts, lv = pts[first], lv[first]
    if len(pts) == 1:
        return [(area, float(lv[0]))]
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.MultiPoint(pts),
                                                       extend_to=area))
    tree = shapely.STRtree(cells)
    pi, ci = tree.query(shapely.points(pts), predicate="within")
    out = []
    for p, c in sorted(zip(pi.tolist(), ci.tolist())):
        piece = shapely.intersection(cells[c], area)
        if not piece.is_empty:
            out.append((piece, float(lv[p])))
    return out
