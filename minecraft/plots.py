"""Team plots for a school event: where they go, what their signs say, and how they are drawn.

The layout is decided once for the whole map, after the first pass, from its coarse overview
(COARSE x COARSE blocks per cell): `layout` is a pure function of per-cell mean height, height
range and usability, so every region task draws the same plots (a plot may span regions).
Each plot is levelled to the median height of its ground, bordered by a stone-brick path and
signed with its team's name and challenge. In Education/Bedrock worlds it is protected:

- a border block (minecraft:border_block) under each path block: its invisible wall reaches up
  and down without end, so players stay on their own side of it;
- an allow block (minecraft:allow) on the world's floor under each plot and a deny block
  (minecraft:deny) under every other column: players without the World Builder ability may
  build and break only above allow blocks, i.e. inside the plots.

Java has no such blocks: the writer maps allow/deny to bedrock (the floor the world has anyway)
and the border block to a barrier (underground, so it changes nothing); Java servers protect
plots with WorldGuard instead (`worldguard_regions`).
"""
from __future__ import annotations

import csv
import io
import json
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .blocks import Block
from .errors import WorldBuildError
from .terrain import NO_WATER, Columns

SIGN_LINES = 4
SIGN_WIDTH = 15  # characters that fit on a sign line in the game's default font
GAP = 4  # blocks of free land at least between two plots, and between a plot and the hub
MIN_SIZE = 8  # blocks: a border and room to build inside
FLATNESS_STEP_M = 0.5  # plots whose relief differs by less are equally flat: the nearer wins


@dataclass(frozen=True)
class Team:
    name: str
    challenge: str = ""


@dataclass(frozen=True)
class Plot:
    """A plot of size x size blocks with its north-west corner at block (x, z), levelled so its
    top ground block is at y."""

    number: int
    team: Team
    x: int
    z: int
    size: int
    y: int

    @property
    def id(self) -> str:
        return f"plot-{self.number}"

    def sign(self) -> tuple[int, int, int]:
        """The team sign: inside the plot by the middle of its north border, facing south."""
        return self.x + self.size // 2, self.y + 1, self.z + 1

    def centre(self) -> tuple[int, int]:
        return self.x + self.size // 2, self.z + self.size // 2


def sign_lines(text: str) -> list[str]:
    """Lines of at most SIGN_WIDTH characters (words longer than a line are split)."""
    return textwrap.wrap(" ".join(text.split()), SIGN_WIDTH, break_long_words=True) or []


def team_sign(team: Team) -> list[str]:
    """The four (or fewer) lines of a team's sign: its name, then its challenge."""
    lines = sign_lines(team.name) + sign_lines(team.challenge)
    if len(lines) > SIGN_LINES:
        raise WorldBuildError("The name and challenge of team %(team)s need more than 4 sign "
                              "lines of 15 characters; shorten them.", team=team.name)
    return lines


def read_teams(path: str) -> list[Team]:
    """Teams from a CSV file (name, challenge per row; a first row "name,challenge" is a
    header) or a JSON file (a list of {"name": ..., "challenge": ...} or of names)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise WorldBuildError("Could not read the teams file %(path)s; give a UTF-8 CSV or JSON "
                              "file.", path=str(path)) from None
    try:
        if str(path).lower().endswith(".json"):
            items = json.loads(text)
            teams = [Team(i) if isinstance(i, str) else
                     Team(str(i["name"]), str(i.get("challenge") or "")) for i in items]
        else:
            rows = [r for r in csv.reader(io.StringIO(text)) if r and r[0].strip()]
            if rows and [c.strip().lower() for c in rows[0][:2]] in (["name", "challenge"],
                                                                     ["name"], ["lag", "uppdrag"]):
                rows = rows[1:]
            teams = [Team(r[0].strip(), (r[1] if len(r) > 1 else "").strip()) for r in rows]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise WorldBuildError("The teams file %(path)s is not a list of teams; give CSV rows "
                              "name,challenge or a JSON list of {\"name\", \"challenge\"}.",
                              path=str(path)) from None
    if not teams or any(not t.name.strip() for t in teams):
        raise WorldBuildError("The teams file %(path)s has no teams or a team without a name.",
                              path=str(path))
    for t in teams:
        team_sign(t)
    return teams


def choose_teams(count: int | None, teams_file: str | None) -> list[Team]:
    """The teams of --plots N and/or --teams FILE (N unnamed teams are "Lag 1" ... "Lag N")."""
    if teams_file:
        teams = read_teams(teams_file)
        if count is not None and count != len(teams):
            raise WorldBuildError("--plots %(count)s does not match the %(teams)s teams in "
                                  "--teams; give one of them.", count=count, teams=len(teams))
        return teams
    if count is None:
        return []
    if count < 1:
        raise WorldBuildError("--plots must be at least 1.")
    return [Team(f"Lag {i}") for i in range(1, count + 1)]


DEFAULT_SIZE_M = 32.0


def plot_size_blocks(size_m: float | None, scale: float) -> int:
    """Blocks along a plot's side: `size_m` metres, or by default 32 m but never under the
    smallest plot worth building on (at coarse scales 32 m is a block or two)."""
    if size_m is None:
        return max(int(round(DEFAULT_SIZE_M / scale)), MIN_SIZE)
    size = int(round(size_m / scale))
    if size < MIN_SIZE:
        raise WorldBuildError("A plot of %(size)s m is under %(least)s blocks at %(scale)s m per "
                              "block; choose a larger --plot-size.", size=size_m,
                              least=MIN_SIZE, scale=scale)
    return size


def cell_relief(heights: np.ndarray, usable: np.ndarray, cell: int) -> np.ndarray:
    """Per cell x cell block of a region core: the height range (max - min, metres), NaN
    where some column is not usable for a plot."""
    h, w = heights.shape
    ph, pw = -(-h // cell), -(-w // cell)
    pad = np.full((ph * cell, pw * cell), np.nan, dtype=np.float32)
    pad[:h, :w] = np.where(usable, heights, np.nan)
    cells = pad.reshape(ph, cell, pw, cell)
    ok = ~np.isnan(cells).any(axis=(1, 3))
    filled = np.nan_to_num(cells)  # cells with NaN are dropped below
    rng = filled.max(axis=(1, 3)) - filled.min(axis=(1, 3))
    return np.where(ok, rng, np.nan).astype(np.float32)


def layout(mean: np.ndarray, relief: np.ndarray, count: int, size: int, cell: int,
           spawn_xz: tuple[int, int], keep_out: int) -> list[tuple[int, int]]:
    """North-west corners (x, z) in blocks of `count` plots of size x size blocks.

    mean, relief: per coarse cell (cell x cell blocks) the mean height and height range in
    metres, NaN where the cell is unusable (water, nodata, buildings). A plot takes k x k cells
    (k cells hold the plot and GAP blocks around it) whose relief, max(cell ranges, spread of
    cell means), is smallest, in steps of FLATNESS_STEP_M; among equally flat places the one
    nearest the spawn wins, then the smaller z, then x. Cells within keep_out blocks of the
    spawn are left for the hub. Raises WorldBuildError when fewer than `count` fit.
    """
    from numpy.lib.stride_tricks import sliding_window_view

    k = -(-(size + 2 * GAP) // cell)
    rows, cols = mean.shape
    bad = np.isnan(mean) | np.isnan(relief)
    sx, sz = spawn_xz
    zc = (np.arange(rows) * cell)[:, None]
    xc = (np.arange(cols) * cell)[None, :]
    bad |= (np.abs(xc + cell / 2 - sx) < keep_out + cell / 2) & \
        (np.abs(zc + cell / 2 - sz) < keep_out + cell / 2)
    if rows < k or cols < k:
        found = []
    else:
        m = np.where(bad, 0, mean)
        r = np.where(bad, 0, relief)
        win_bad = sliding_window_view(bad, (k, k)).any(axis=(2, 3))
        spread = sliding_window_view(m, (k, k)).max(axis=(2, 3)) - \
            sliding_window_view(m, (k, k)).min(axis=(2, 3))
        score = np.maximum(spread, sliding_window_view(r, (k, k)).max(axis=(2, 3)))
        wz, wx = np.nonzero(~win_bad)
        q = np.floor(score[wz, wx] / FLATNESS_STEP_M)
        half = k * cell / 2
        d2 = (wx * cell + half - sx) ** 2 + (wz * cell + half - sz) ** 2
        order = np.lexsort((wx, wz, d2, q))
        taken = np.zeros((rows, cols), dtype=bool)
        found = []
        for i in order:
            z, x = wz[i], wx[i]
            if taken[z:z + k, x:x + k].any():
                continue
            taken[z:z + k, x:x + k] = True
            off = (k * cell - size) // 2
            found.append((int(x * cell + off), int(z * cell + off)))
            if len(found) == count:
                break
    if len(found) < count:
        raise WorldBuildError("Only %(fit)s of %(count)s plots fit on dry, flat land in this "
                              "area; ask for fewer or smaller plots, or choose a larger area.",
                              fit=len(found), count=count)
    return found


def level_y(heights_m: np.ndarray, vertical_scale: float, sea_level_y: int) -> int:
    """Block y of the top ground block at the plot's median ground height (NaN ignored)."""
    return sea_level_y + math.floor(float(np.nanmedian(heights_m)) / vertical_scale + 0.5)


def _window(plot: Plot, x0: int, z0: int, w: int, h: int):
    """The plot's part in a core whose cell (0, 0) is block (x0, z0): local slices, or None."""
    xa, xb = max(plot.x, x0), min(plot.x + plot.size, x0 + w)
    za, zb = max(plot.z, z0), min(plot.z + plot.size, z0 + h)
    if xa >= xb or za >= zb:
        return None
    return slice(za - z0, zb - z0), slice(xa - x0, xb - x0)


def place_plots(blocks: np.ndarray, y_min: int, cols: Columns, plots, x0: int,
                z0: int) -> list[tuple[int, int, int, list[str]]]:
    """Level, border and sign the parts of `plots` on this core (cell (0, 0) = block (x0, z0));
    update `cols` to the levelled ground so later decorations stand on it. Returns the signs
    (x, y, z, lines) whose column lies in the core."""
    h, w = cols.ground.shape
    ny = blocks.shape[0]
    ys = np.arange(ny, dtype=np.int32)[:, None, None] + y_min
    signs = []
    for p in plots:
        win = _window(p, x0, z0, w, h)
        if win is None:
            continue
        zs, xs = win
        view = blocks[:, zs, xs]
        ground = cols.ground[zs, xs].astype(np.int32)[None]
        view[(ys > p.y) & ~cols.void[zs, xs][None]] = Block.AIR  # trees, water, roofs
        view[(ys > ground) & (ys <= p.y - 4)] = Block.STONE
        view[(ys > p.y - 4) & (ys < p.y) & (view != Block.BEDROCK)] = Block.DIRT
        gz = np.arange(zs.start, zs.stop)[:, None] + z0
        gx = np.arange(xs.start, xs.stop)[None, :] + x0
        edge = (gx == p.x) | (gx == p.x + p.size - 1) | (gz == p.z) | (gz == p.z + p.size - 1)
        top = np.where(edge, np.uint8(Block.STONE_BRICKS), np.uint8(Block.GRASS_BLOCK))
        i = p.y - y_min
        if 0 <= i < ny:
            view[i] = top
            if i >= 1:
                view[i - 1][edge] = Block.BORDER_BLOCK
            view[0] = np.where(edge, view[0], np.uint8(Block.ALLOW))
        cols.ground[zs, xs] = p.y
        cols.water[zs, xs] = NO_WATER
        sx, sy, sz = p.sign()
        if x0 <= sx < x0 + w and z0 <= sz < z0 + h and 0 <= sy - y_min < ny:
            blocks[sy - y_min, sz - z0, sx - x0] = Block.OAK_SIGN
            signs.append((sx, sy, sz, team_sign(p.team)))
    return signs


def protect_floor(blocks: np.ndarray, y_min: int, cols: Columns) -> None:
    """Deny blocks on the world's floor under every column that is not a plot's (allow)."""
    floor = blocks[0, :cols.ground.shape[0], :cols.ground.shape[1]]
    floor[(floor == Block.BEDROCK) & ~cols.void] = Block.DENY


def worldguard_regions(plots, y_min: int, y_max: int) -> str:
    """WorldGuard 7 regions file (plugins/WorldGuard/worlds/<world>/regions.yml): one cuboid
    region per plot, from the world's floor to its top, with the team name as greeting; add
    members with `/rg addmember plot-N <player>`."""
    out = ["regions:"]
    for p in plots:
        out += [f"  {p.id}:",
                "    type: cuboid",
                f"    min: {{x: {p.x}, y: {y_min}, z: {p.z}}}",
                f"    max: {{x: {p.x + p.size - 1}, y: {y_max}, z: {p.z + p.size - 1}}}",
                "    members: {}",
                "    owners: {}",
                f"    flags: {{greeting: {json.dumps(p.team.name, ensure_ascii=False)}}}",
                "    priority: 0"]
    return "\n".join(out) + "\n"


def plot_metadata(plots, west: float, north: float, scale: float) -> list[dict]:
    """The layout for metadata.json: each plot's rectangle in blocks and in the world CRS."""
    return [{"id": p.id, "team": p.team.name, "challenge": p.team.challenge,
             "blocks": {"x": p.x, "z": p.z, "width": p.size, "length": p.size, "y": p.y},
             "crs": {"west": west + p.x * scale, "east": west + (p.x + p.size) * scale,
                     "north": north - p.z * scale, "south": north - (p.z + p.size) * scale}}
            for p in plots]
