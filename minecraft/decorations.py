"""Decorations: a spawn hub and coordinate markers, so players can find their way on a real map.

Pure numpy on a region's block array. Everything is decided per block column from global
coordinates (never from which region draws it), so a hub or marker on a region seam is drawn
identically by both regions.

- Spawn hub: a square of smooth stone, 9 x 9 blocks around the spawn column, laid on each
  column's own top (ground or water surface), with glowstone in its corners.
- Coordinate markers: where grid lines of the world CRS cross (every `marker_step_m` metres of
  easting and northing, a round number giving about 100-500 blocks between markers), a pillar of
  three stone bricks topped by glowstone stands on the column containing the crossing point.
  A sign on the glowstone gives the crossing's easting and northing in the world CRS.
- Hub signs: one per team plot giving its team and the coordinates of its centre, and the
  attribution of the data (sources and licences), standing on the hub's rows north and south
  of the spawn (`hub_signs`: decided once for the map, drawn by whichever region holds them).
"""
from __future__ import annotations

import math

import numpy as np

from .blocks import Block
from .plots import SIGN_LINES, sign_lines
from .terrain import Columns

HUB_RADIUS = 4
HUB_SIGN_SPOTS = 21  # plots whose sign fits on the hub (3 rows of 7 south of the spawn)
MARKER_HEIGHT = 3
_STEPS = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)


def marker_step_m(scale: float) -> int:
    """Metres between markers: the smallest round step that is at least 100 blocks."""
    for s in _STEPS:
        if s / scale >= 100:
            return s
    return _STEPS[-1]


def marker_columns(west: float, north: float, scale: float, step: int, x0: int, z0: int,
                   width: int, height: int) -> list[tuple[int, int, float, float]]:
    """(x, z, E, N) of markers whose column lies in blocks [x0, x0+width) x [z0, z0+height)."""
    e_lo, e_hi = west + x0 * scale, west + (x0 + width) * scale
    n_hi, n_lo = north - z0 * scale, north - (z0 + height) * scale
    out = []
    for k in range(math.ceil(e_lo / step), math.ceil(e_hi / step)):
        e = k * step
        for j in range(math.floor(n_lo / step) + 1, math.floor(n_hi / step) + 1):
            n = j * step
            x = math.floor((e - west) / scale)
            z = math.floor((north - n) / scale)
            if x0 <= x < x0 + width and z0 <= z < z0 + height:
                out.append((x, z, float(e), float(n)))
    return out


def _surface_top(cols: Columns, lz: int, lx: int) -> int:
    return int(max(cols.ground[lz, lx], cols.water[lz, lx]))


def place_markers(blocks: np.ndarray, y_min: int, cols: Columns, markers, x0: int,
                  z0: int, crs_label: str) -> list[tuple[int, int, int, list[str]]]:
    """Pillars on the region whose core cell (0, 0) is global block (x0, z0); returns their
    signs (x, y, z, lines): the CRS's name, easting and northing."""
    ny = blocks.shape[0]
    signs = []
    for x, z, e, n in markers:
        lx, lz = x - x0, z - z0
        if cols.void[lz, lx]:
            continue
        top = _surface_top(cols, lz, lx)
        for dy in range(1, MARKER_HEIGHT + 3):
            i = top + dy - y_min
            if 0 <= i < ny:
                blocks[i, lz, lx] = Block.OAK_SIGN if dy == MARKER_HEIGHT + 2 else \
                    Block.GLOWSTONE if dy == MARKER_HEIGHT + 1 else Block.STONE_BRICKS
        if top + MARKER_HEIGHT + 2 - y_min < ny:
            signs.append((x, top + MARKER_HEIGHT + 2, z,
                          sign_lines(crs_label)[:2] + [f"E {e:.0f}", f"N {n:.0f}"]))
    return signs


def hub_signs(spawn_xz: tuple[int, int], plots, attribution: list[str]
              ) -> list[tuple[int, int, list[str]]]:
    """(x, z, lines) of the hub's signs: the attribution (as many signs as its lines need) on
    the rows north of the spawn, one sign per plot (team, centre x z, standing y) on the rows
    south of it, west to east. Signs beyond the hub's spots are left out (see HUB_SIGN_SPOTS)."""
    sx, sz = spawn_xz
    spots_north = [(sx + dx, sz + dz) for dz in (-3, -2) for dx in range(-3, 4)]
    spots_south = [(sx + dx, sz + dz) for dz in (2, 3, 1) for dx in range(-3, 4)]
    out = []
    chunks = [attribution[i:i + SIGN_LINES] for i in range(0, len(attribution), SIGN_LINES)]
    for (x, z), lines in zip(spots_north, chunks):
        out.append((x, z, lines))
    for (x, z), p in zip(spots_south, plots):
        cx, cz = p.centre()
        out.append((x, z, sign_lines(p.team.name)[:2] + [f"x {cx} z {cz}", f"y {p.y + 1}"]))
    return out



def place_hub_signs(blocks: np.ndarray, y_min: int, cols: Columns, signs, x0: int,
                    z0: int) -> list[tuple[int, int, int, list[str]]]:
    """The hub signs whose column lies in this core, standing on the hub."""
    h, w = cols.ground.shape
    ny = blocks.shape[0]
    out = []
    for x, z, lines in signs:
        lx, lz = x - x0, z - z0
        if not (0 <= lx < w and 0 <= lz < h) or cols.void[lz, lx]:
            continue
        y = _surface_top(cols, lz, lx) + 1
        if 0 <= y - y_min < ny:
            blocks[y - y_min, lz, lx] = Block.OAK_SIGN
            out.append((x, y, z, list(lines)))
    return out


def place_hub(blocks: np.ndarray, y_min: int, cols: Columns, spawn_xz: tuple[int, int],
              x0: int, z0: int) -> None:
    """The part of the spawn hub that falls on this region (core cell (0, 0) = (x0, z0))."""
    sx, sz = spawn_xz
    h, w = cols.ground.shape
    ny = blocks.shape[0]
    for z in range(max(sz - HUB_RADIUS, z0), min(sz + HUB_RADIUS + 1, z0 + h)):
        for x in range(max(sx - HUB_RADIUS, x0), min(sx + HUB_RADIUS + 1, x0 + w)):
            lx, lz = x - x0, z - z0
            if cols.void[lz, lx]:
                continue
            i = _surface_top(cols, lz, lx) - y_min
            if not 0 <= i < ny:
                continue
            corner = abs(x - sx) == HUB_RADIUS and abs(z - sz) == HUB_RADIUS
            blocks[i, lz, lx] = Block.GLOWSTONE if corner else Block.SMOOTH_STONE
            blocks[i + 1:, lz, lx] = Block.AIR  # clear trees or roofs standing on the hub
