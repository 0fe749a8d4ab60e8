"""Build a world: plan regions, run region tasks locally or on Dask, write the world's files.

The map is cut into Anvil regions of 512 x 512 blocks. Each region is one independent task that
reads only its own window plus a margin, so memory per task does not depend on the map's size:

1. plan (this process): open the sources as one VRT, the grid, the regions; nothing here reads
   the elevation data, so planning a county costs what planning a village does;
2. first pass (tasks): each region reads its window, labels its cells at or below 0 m and
   returns the labels on its four borders, its height range and a 16-block coarse overview.
   Here the border labels are joined into one graph (scipy connected components) to learn which
   labels reach the map edge: an exact flood fill with bounded memory. The height range decides
   the vertical fit (shift/compress); the overviews make a filled coarse map for nodata holes
   too far from any data to fill locally;
3. region pass (tasks): heights -> terrain -> layers -> RegionBlocks -> java.write_region
   (atomic: temp file + rename), plus a small preview tile, saved beside the build state;
4. level.dat, preview.png, metadata.json, optionally a .zip.

`resume` skips regions whose final .mca and tile exist; the others are rebuilt exactly, so the
world is byte-identical to an uninterrupted build.

On a Dask cluster (`scheduler`), workers read the sources and write region files and tiles
themselves, so sources and the output folder must be on storage every worker sees at the same
path (a shared file system), and workers need this package installed.
"""
from __future__ import annotations

import concurrent.futures as cf
import errno
import hashlib
import json
import math
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from . import blockfile, decorations, plots as plots_mod
from . import layers as layers_mod
from . import source, terrain
from .blocks import Block
from .errors import WorldBuildError
from .metadata import make_metadata, write_metadata
from .preview import VOID_RGB, colour_tile, preview_factor, render_preview

REGION = 512
MARGIN = 8  # blocks read around each region: slopes, beaches, water beds and banks, walls and
# tree crowns at seams (terrain.surface's `reach`)
STATE_DIR = ".samskapa-build"
STATE_VERSION = 1
FORMATS = ("java", "preview")
OPTIONAL_FORMATS = ("mcworld",)   # Minecraft Education / Bedrock: OUT.mcworld beside OUT
# "blocks": each region's RegionBlocks kept for a live push (blockfile.py); never listed to users
INTERNAL_FORMATS = ("blocks",)
SCHEDULER_TIMEOUT = "10s"  # to connect to a Dask scheduler before giving up


@dataclass
class BuildOptions:
    sources: Sequence[str]
    out: str
    area: tuple[float, float, float, float] | None = None
    area_crs: str | None = None
    area_file: str | None = None
    outside: str = "void"  # what lies outside an --area-file polygon: "void" or "sea"
    scale: float = 1.0
    vertical_scale: float | None = None
    sea_level_y: int = 62
    layers: Sequence[str] = ()
    landcover: str | None = None  # ESA WorldCover or NMD raster
    bathymetry: str | None = None  # sea floor heights (negative below sea level)
    formats: Sequence[str] = FORMATS
    workers: int = 1
    scheduler: str | None = None
    resume: bool = False
    force: bool = False
    source_crs: str | None = None
    crs: str | None = None  # None: the source's own if metric, else SWEREF 99 TM or UTM
    band: int | None = None  # the band holding heights (1-based); None: a one-band raster
    spawn: tuple[float, float] | None = None  # x, y in --area-crs (else the world CRS)
    game_version: str | None = None
    name: str | None = None
    zip: bool = False
    sea_level_rise: float = 0.0  # metres: a flood scenario (0 = today's sea)
    plots: int | None = None  # team plots (plots.py): a number, or one per team in `teams`
    teams: str | None = None  # CSV or JSON file of team names and challenges
    plot_size: float | None = None  # metres along each side (None: plots.plot_size_blocks)
    plots_over_buildings: bool = False

    def identity(self) -> dict:
        """What decides the world's content (not how it is computed): compared on --resume."""
        return {
            "sources": [str(Path(s).resolve()) for s in self.sources],
            "area": list(self.area) if self.area else None, "area_crs": self.area_crs,
            "area_file": str(Path(self.area_file).resolve()) if self.area_file else None,
            "outside": self.outside, "scale": float(self.scale),
            "vertical_scale": self.vertical_scale, "sea_level_y": int(self.sea_level_y),
            "layers": [str(Path(p).resolve()) for p in self.layers],
            "landcover": str(Path(self.landcover).resolve()) if self.landcover else None,
            "bathymetry": str(Path(self.bathymetry).resolve()) if self.bathymetry else None,
            "formats": sorted(self.formats), "source_crs": self.source_crs, "crs": self.crs,
            "band": self.band, "spawn": list(self.spawn) if self.spawn else None,
            "game_version": self.game_version, "name": self.name,
            "sea_level_rise": float(self.sea_level_rise),
            "plots": self.plots, "teams": _sha256(self.teams) if self.teams else None,
            "plot_size": self.plot_size, "plots_over_buildings": self.plots_over_buildings,
        }


@dataclass
class BuildResult:
    out: Path
    regions: int
    regions_skipped: int
    chunks: int
    seconds: float
    height_message: str
    metadata: dict
    files: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Job:
    """What every task needs, fixed by the plan; small and picklable (sent once per worker)."""

    vrt: str
    grid: source.Grid
    resampling: str
    layers: tuple[str, ...]
    polygons: tuple
    outside: str
    data_version: int
    world_dir: str
    state_dir: str
    preview_factor: int
    spawn_wish: tuple[int, int]  # the chosen spawn column; the spawn is the dry one nearest it
    walls: tuple[str, ...]  # map sides closed by a barrier wall (see `edge_walls`)
    write_java: bool
    write_bedrock: bool = False
    landcover: str | None = None  # path of a land cover raster
    landcover_scheme: str | None = None  # its class codes: "worldcover" or "nmd"
    bathymetry: str | None = None  # path of a sea floor raster
    write_blocks: bool = False
    sea_m: float = 0.0  # the sea's level in metres: 0, or the rise of a flood scenario
    plan_plots: bool = False  # the first pass measures each coarse cell's relief for plots
    plots_over_buildings: bool = False
    plot_floor_m: float = 0.0  # plots only on ground above this (see plan)


@dataclass(frozen=True)
class Fit:
    """What the first pass decided for the region pass: the same for every region."""

    vertical_scale: float
    sea_level_y: int
    spawn_xz: tuple[int, int]
    plots: tuple = ()  # plots.Plot, decided for the whole map
    hub_signs: tuple = ()  # decorations.hub_signs


# ---------------------------------------------------------------------------------------------
# Region tasks (run in worker processes or on Dask workers)


def _core(job: Job, rx: int, rz: int) -> tuple[int, int, int, int]:
    """Global block origin and size of a region's part inside the map."""
    x0, z0 = rx * REGION, rz * REGION
    return x0, z0, min(REGION, job.grid.width - x0), min(REGION, job.grid.height - z0)


def _read(job: Job, rx: int, rz: int):
    """Heights on the region core plus MARGIN (NaN only far from any data), the mask of cells
    without data, and the core's slices within that window. Both passes call exactly this, so
    they see the same numbers."""
    x0, z0, w, h = _core(job, rx, rz)
    ext, nodata = source.read_heights(job.vrt, job.grid, x0 - MARGIN, z0 - MARGIN,
                                      w + 2 * MARGIN, h + 2 * MARGIN, job.resampling)
    core = (slice(MARGIN, MARGIN + h), slice(MARGIN, MARGIN + w))
    return ext, nodata, core


def _inside(job: Job, transform, shape: tuple[int, int]) -> np.ndarray | None:
    """Cells inside the area polygons (None: no polygons, everything is inside)."""
    if not job.polygons:
        return None
    import rasterio.features
    return rasterio.features.rasterize([(g, 1) for g in job.polygons], out_shape=shape,
                                       transform=transform, fill=0, dtype="uint8").astype(bool)


def _low_labels(job: Job, heights: np.ndarray, nodata: np.ndarray,
                inside: np.ndarray | None) -> tuple[np.ndarray, int]:
    """Labels of a core's cells that may carry the sea: low cells, and cells without data or
    outside the area polygons (the sea's way to the edge may cross them)."""
    open_cells = nodata if inside is None else nodata | ~inside
    return terrain.label_low(heights, job.sea_m, open_cells=open_cells)


@dataclass
class LowBorders:
    rx: int
    rz: int
    n: int  # number of low labels in the core
    north: np.ndarray  # labels of the first core row (0 = not low)
    south: np.ndarray
    west: np.ndarray
    east: np.ndarray
    map_edge: np.ndarray  # labels touching the edge of the map
    low: float = math.inf  # lowest height in the core (metres; inf when it has no data)
    high: float = -math.inf
    coarse: np.ndarray | None = None  # source.coarse_tile of the core
    dry: tuple[int, int, int] | None = None  # see _spawn_candidates
    low_near: np.ndarray | None = None
    relief: np.ndarray | None = None  # plots.cell_relief of the core (when planning plots)


def low_task(job: Job, rx: int, rz: int, edges: tuple[bool, bool, bool, bool]) -> LowBorders:
    """First pass: sea labels on the borders, height range, coarse overview and the dry column
    nearest the spawn wish of a region. edges: whether its (north, west, south, east) side is the
    map's edge or faces a region that is not built (outside the area polygons)."""
    ext, nodata, core = _read(job, rx, rz)
    x0, z0, w, h = _core(job, rx, rz)
    heights = ext[core]
    inside = _inside(job, job.grid.transform(x0, z0), (h, w))
    labels, n = _low_labels(job, heights, nodata[core], inside)
    b = low_borders(labels, n, rx, rz, edges)
    if not np.isnan(heights).all():
        b.low, b.high = float(np.nanmin(heights)), float(np.nanmax(heights))
    b.coarse = source.coarse_tile(heights)
    ok = _usable(job, heights, nodata[core], inside, x0, z0)
    b.dry, b.low_near = _spawn_candidates(job, heights, ok, labels, x0, z0)
    if job.plan_plots:
        with np.errstate(invalid="ignore"):
            dry = ok & (heights > job.plot_floor_m)
        if job.layers and not job.plots_over_buildings:
            dry &= ~_building_cells(job, heights.shape, x0, z0)
        b.relief = plots_mod.cell_relief(heights, dry, source.COARSE)
    return b


def _usable(job: Job, heights: np.ndarray, nodata: np.ndarray, inside: np.ndarray | None,
            x0: int, z0: int) -> np.ndarray:
    """Columns with data, inside the area and not in the water of the layers."""
    ok = ~nodata & ~np.isnan(heights)
    if inside is not None:
        ok &= inside
    if job.layers and ok.any():
        g = job.grid
        ls = layers_mod.load_layers(job.layers, g.crs, job.vrt, g.scale)
        ok &= ~layers_mod.water_cells(ls, g.transform(x0, z0), heights.shape, g.scale)
    return ok


def _building_cells(job: Job, shape: tuple[int, int], x0: int, z0: int) -> np.ndarray:
    import rasterio.features
    g = job.grid
    ls = layers_mod.load_layers(job.layers, g.crs, job.vrt, g.scale)
    t = g.transform(x0, z0)
    h, w = shape
    items = ls.query("buildings", (t.c, t.f - h * g.scale, t.c + w * g.scale, t.f))
    if not items:
        return np.zeros(shape, dtype=bool)
    return rasterio.features.rasterize([(it[0], 1) for it in items], out_shape=shape,
                                       transform=t, fill=0, dtype="uint8").astype(bool)


def _spawn_candidates(job: Job, heights: np.ndarray, ok: np.ndarray, labels: np.ndarray,
                      x0: int, z0: int) -> tuple[tuple[int, int, int] | None, np.ndarray]:
    """Columns of this core that may carry the spawn, nearest the wish first.

    Returns the nearest column that is surely dry (real data above 0 m, so never sea) as
    (distance², z, x), and for each low label with a column nearer than that, its nearest
    column as rows (label, distance², z, x): a low label is dry land too unless the join of
    the first pass finds it is sea. Never a column without data, outside the area or in the
    water of the layers (`ok`, from _usable)."""
    sx, sz = job.spawn_wish
    h, w = heights.shape
    d2 = ((np.arange(z0, z0 + h, dtype=np.int64) - sz) ** 2)[:, None] + \
        ((np.arange(x0, x0 + w, dtype=np.int64) - sx) ** 2)[None, :]
    far = np.iinfo(np.int64).max
    with np.errstate(invalid="ignore"):
        high = heights > job.sea_m
    # argmin and minimum_position take the first minimum in row-major order: ties go to the
    # smaller z, then x, whichever process computes them.
    i = int(np.argmin(np.where(ok & high, d2, far)))
    sure = None
    if ok.flat[i] and high.flat[i]:
        sure = (int(d2.flat[i]), i // w + z0, i % w + x0)
    near = ok & ~high & (d2 < (sure[0] if sure else far))
    if not near.any():
        return sure, np.zeros((0, 4), dtype=np.int64)
    labs = np.flatnonzero(np.bincount(labels[near]))
    positions = ndimage.minimum_position(np.where(near, d2, far), labels, labs)
    rows = [(lab, d2[z, x], z + z0, x + x0) for lab, (z, x) in zip(labs, positions)]
    return sure, np.array(rows, dtype=np.int64)


def low_borders(labels: np.ndarray, n: int, rx: int, rz: int,
                edges: tuple[bool, bool, bool, bool]) -> LowBorders:
    """Border labels of one region; edges: whether its (north, west, south, east) side is the
    map's edge."""
    sides = (labels[0], labels[:, 0], labels[-1], labels[:, -1])
    at_edge = [side for side, is_edge in zip(sides, edges) if is_edge]
    edge = np.unique(np.concatenate(at_edge)) if at_edge else np.zeros(0, np.int32)
    return LowBorders(rx, rz, n, labels[0].copy(), labels[-1].copy(), labels[:, 0].copy(),
                      labels[:, -1].copy(), edge[edge > 0])


@dataclass
class RegionResult:
    rx: int
    rz: int
    chunks: int
    tile: np.ndarray | None  # preview RGB
    spawn_y: int | None  # top block + 1 at the spawn column, if this region holds it
    skipped: bool = False


def _tile_path(job_state_dir: str, rx: int, rz: int) -> Path:
    return Path(job_state_dir) / "tiles" / f"r.{rx}.{rz}.npz"


WALL_HEIGHT = 16  # barrier blocks above the surface on map edges the world border leaves open


def edge_walls(width: int, height: int) -> tuple[str, ...]:
    """Map sides that need a wall. Java's world border is a square (a centre and one size), so
    for a rectangular map it is drawn around the long side and leaves strips of void beyond the
    two long edges; an invisible barrier wall along those edges keeps players on the map."""
    if width > height:
        return ("north", "south")
    if height > width:
        return ("west", "east")
    return ()


def _place_walls(blocks: np.ndarray, y_min: int, cols: terrain.Columns, walls: tuple[str, ...],
                 x0: int, z0: int, width: int, height: int) -> None:
    """Barrier blocks on the wall columns of this core (cell (0, 0) = block (x0, z0)), from the
    surface up WALL_HEIGHT blocks."""
    h, w = cols.ground.shape
    cells = np.zeros((h, w), dtype=bool)
    lines = {"north": (0 - z0, None), "south": (height - 1 - z0, None),
             "west": (None, 0 - x0), "east": (None, width - 1 - x0)}
    for side in walls:
        lz, lx = lines[side]
        if lz is not None and 0 <= lz < h:
            cells[lz, :] = True
        if lx is not None and 0 <= lx < w:
            cells[:, lx] = True
    cells &= ~cols.void
    surface = np.maximum(cols.ground, cols.water)
    ny = blocks.shape[0]
    for lz, lx in zip(*np.nonzero(cells)):
        lo = int(surface[lz, lx]) + 1 - y_min
        blocks[max(lo, 0):min(lo + WALL_HEIGHT, ny), lz, lx] = Block.BARRIER


def region_task(job: Job, fit: Fit, rx: int, rz: int, sea_labels: np.ndarray,
                coarse: source.Coarse) -> RegionResult:
    """Compute one region's blocks, write its .mca (atomically) and its preview tile."""
    from . import bedrock, java

    ext, nodata, core = _read(job, rx, rz)
    x0, z0, w, h = _core(job, rx, rz)
    wx0, wz0 = x0 - MARGIN, z0 - MARGIN  # global block of window cell (0, 0)
    shape = ext.shape
    transform = job.grid.transform(wx0, wz0)
    inside = _inside(job, transform, shape)
    # Labels as in the first pass: before the coarse fill, on the core alone.
    labels, _ = _low_labels(job, ext[core], nodata[core],
                            None if inside is None else inside[core])
    ext = source.fill_from_coarse(ext, coarse, wx0, wz0)
    low = ext <= job.sea_m
    # Cells without data carry the sea's connection but are sea only where their filled
    # height is low too.
    sea_core = terrain.sea_from_labels(labels, sea_labels) & low[core]
    sea = terrain.extend_sea(sea_core, low, core)

    void = outside_sea = None
    if inside is not None:
        if job.outside == "sea":
            outside_sea = ~inside
            sea = sea & inside
        else:
            void = ~inside

    lr = None
    if job.layers or job.landcover:
        ls = layers_mod.load_layers(job.layers, job.grid.crs, job.vrt, job.grid.scale) \
            if job.layers else None
        lc = layers_mod.landcover_classes(job.landcover, job.landcover_scheme, job.grid,
                                          transform, shape) if job.landcover else None
        lr = layers_mod.rasterize(ls, lc, transform, shape, job.grid.scale, fit.vertical_scale,
                                  fit.sea_level_y)
    bathymetry = source.warp_window(job.bathymetry, job.grid.crs, transform, shape,
                                    "bilinear") if job.bathymetry else None
    cols = terrain.surface(ext, job.grid.scale, fit.vertical_scale, fit.sea_level_y, sea,
                           inland_level=lr.water_level if lr is not None else None,
                           inland_depth=lr.water_depth if lr is not None else None,
                           void=void, outside_sea=outside_sea, bathymetry_m=bathymetry,
                           reach=MARGIN, sea_m=job.sea_m)
    if lr is not None:
        layers_mod.apply_surface(cols, lr)

    cc = terrain.Columns(*(getattr(cols, f)[core] for f in ("ground", "top", "sub", "water",
                                                             "void")))
    # + 2: a marker's pillar and glowstone, then its sign (hub signs stand lower)
    top_y = max(layers_mod.needed_top(cols, lr, core),
                int(np.maximum(cc.ground, cc.water).max()) + decorations.MARKER_HEIGHT + 2,
                max((p.y + 1 for p in fit.plots), default=0))
    if job.walls:
        top_y = max(top_y, int(np.maximum(cc.ground, cc.water).max()) + WALL_HEIGHT)
    top_y = min(top_y, terrain.WORLD_TOP)
    y_min = terrain.WORLD_FLOOR
    ny = min(-(-(top_y + 1 - y_min) // 16) * 16, terrain.WORLD_TOP + 1 - y_min)
    chunks = 0
    if job.write_java or job.write_bedrock or job.write_blocks:
        blocks = _zeroed_blocks(ny)
        view = blocks[:, :h, :w]
        terrain.fill_region(blocks, y_min, cc)
        if lr is not None:
            layers_mod.place_structures(view, y_min, cols, lr, core, wx0, wz0, job.grid.scale)
        g = job.grid
        signs = plots_mod.place_plots(view, y_min, cc, fit.plots, x0, z0)
        if fit.plots:
            plots_mod.protect_floor(view, y_min, cc)
        markers = decorations.marker_columns(g.west, g.north, g.scale,
                                             decorations.marker_step_m(g.scale), x0, z0, w, h)
        signs += decorations.place_markers(view, y_min, cc, markers, x0, z0,
                                           source.crs_name(g.crs))
        decorations.place_hub(view, y_min, cc, fit.spawn_xz, x0, z0)
        signs += decorations.place_hub_signs(view, y_min, cc, fit.hub_signs, x0, z0)
        _place_walls(view, y_min, cc, job.walls, x0, z0, g.width, g.height)
        present = np.zeros((32, 32), dtype=bool)
        keep = ~cc.void
        kz, kx = -(-h // 16), -(-w // 16)
        pad = np.zeros((kz * 16, kx * 16), dtype=bool)
        pad[:h, :w] = keep
        present[:kz, :kx] = pad.reshape(kz, 16, kx, 16).any(axis=(1, 3))
        chunks = int(present.sum())
        region = java.RegionBlocks(rx=rx, rz=rz, y_min=y_min, blocks=blocks, present=present,
                                   signs=signs)
        try:
            if job.write_java:
                java.write_region(Path(job.world_dir), region, job.data_version)
            if job.write_bedrock:
                bedrock.write_region_records(Path(job.state_dir), region)
            if job.write_blocks:
                blockfile.save_region(Path(job.state_dir) / blockfile.BLOCKS_DIR, region)
        except OSError as e:
            raise _disk_error(e, job.world_dir) from None

    building = lr.building[core] if lr is not None else np.full((h, w), -1, np.int32)
    cover = lr.cover[core] if lr is not None else np.zeros((h, w), np.uint8)
    decks = layers_mod.deck_blocks(lr)[core] if lr is not None else np.zeros((h, w), np.uint8)
    tile = colour_tile(cc, ext[core], building, cover, decks, job.grid.scale,
                       job.preview_factor)
    spawn_y = None
    sx, sz = fit.spawn_xz
    if x0 <= sx < x0 + w and z0 <= sz < z0 + h:
        lz, lx = sz - z0, sx - x0
        spawn_y = int(max(cc.ground[lz, lx], cc.water[lz, lx])) + 1  # standing on the hub
    result = RegionResult(rx, rz, chunks, tile, spawn_y)
    _save_tile(job, result)
    return result


_buffers = threading.local()


def _zeroed_blocks(ny: int) -> np.ndarray:
    """A zeroed (ny, 512, 512) uint8 array, reusing this thread's buffer from earlier regions:
    fresh pages cost a page fault each, which on a VM is a noticeable part of a region's time."""
    need = ny * REGION * REGION
    buf = getattr(_buffers, "buf", None)
    if buf is None or buf.size < need:
        buf = _buffers.buf = np.empty(need, dtype=np.uint8)
    out = buf[:need].reshape(ny, REGION, REGION)
    out.fill(0)
    return out


def _save_tile(job: Job, r: RegionResult) -> None:
    """Record a finished region (after its .mca is in place) for --resume."""
    p = _tile_path(job.state_dir, r.rx, r.rz)
    p.parent.mkdir(parents=True, exist_ok=True)
    tmp = p.with_name(p.name + ".tmp.npz")
    np.savez(tmp, tile=r.tile, chunks=np.int64(r.chunks),
             spawn_y=np.int64(-9999 if r.spawn_y is None else r.spawn_y))
    os.replace(tmp, p)


def _load_tile(job: Job, rx: int, rz: int) -> RegionResult | None:
    p = _tile_path(job.state_dir, rx, rz)
    if not p.exists():
        return None
    try:
        with np.load(p) as d:
            s = int(d["spawn_y"])
            return RegionResult(rx, rz, int(d["chunks"]), d["tile"], None if s == -9999 else s,
                                skipped=True)
    except (OSError, ValueError, KeyError):
        return None


def _disk_error(e: OSError, where: str) -> WorldBuildError:
    if e.errno == errno.ENOSPC:
        return WorldBuildError("The disk is full while writing %(where)s; free some space and "
                               "run the same command with --resume.", where=where)
    return WorldBuildError("Could not write %(where)s (%(reason)s); check the folder's "
                           "permissions and run the same command with --resume.", where=where,
                           reason=e.strerror)


# Worker-process globals for the local pool: the Job is sent once, not with every task.
_JOB: Job | None = None


def _init_worker(job: Job, parent: int) -> None:
    global _JOB
    _JOB = job
    source.forget_datasets()
    _die_with_parent(parent)


def _die_with_parent(parent: int) -> None:
    """End this worker when the build process ends, however it ends: `kill -9` runs no cleanup
    in the build, so without this its workers would run on, orphaned. On Linux the kernel sends
    the signal (PR_SET_PDEATHSIG); elsewhere a thread watches for the parent to go."""
    if sys.platform.startswith("linux"):
        import ctypes
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    else:
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _pool_low(*args) -> LowBorders:
    return low_task(_JOB, *args)


def _pool_region(*args) -> RegionResult:
    return region_task(_JOB, *args)


# ---------------------------------------------------------------------------------------------
# Sea: join border labels across regions


def sea_labels_by_region(borders: dict[tuple[int, int], LowBorders]) -> dict:
    """For each region, the array of its low labels connected to the map edge."""
    keys = sorted(borders)
    offset, total = {}, 1  # node 0 = "outside the map"
    for k in keys:
        offset[k] = total
        total += borders[k].n + 1
    rows, cols = [], []
    for k in keys:
        b = borders[k]
        if len(b.map_edge):
            rows.append(np.zeros(len(b.map_edge), np.int64))
            cols.append(offset[k] + b.map_edge.astype(np.int64))
        for nb_key, mine, theirs in (((b.rx + 1, b.rz), b.east, "west"),
                                     ((b.rx, b.rz + 1), b.south, "north")):
            nb = borders.get(nb_key)
            if nb is None:
                continue
            other = getattr(nb, theirs)
            both = (mine > 0) & (other > 0)
            if both.any():
                rows.append(offset[k] + mine[both].astype(np.int64))
                cols.append(offset[nb_key] + other[both].astype(np.int64))
    if rows:
        r, c = np.concatenate(rows), np.concatenate(cols)
    else:
        r = c = np.zeros(0, np.int64)
    graph = coo_matrix((np.ones(len(r), np.int8), (r, c)), shape=(total, total))
    _, comp = connected_components(graph, directed=False)
    out = {}
    for k in keys:
        ids = np.arange(1, borders[k].n + 1)
        out[k] = ids[comp[offset[k] + ids] == comp[0]].astype(np.int32)
    return out


# ---------------------------------------------------------------------------------------------
# Planning and the output folder


@dataclass
class Plan:
    job: Job
    regions: list[tuple[int, int]]  # the regions built (those meeting the area polygons)
    fit: terrain.HeightFit | None  # known after the first pass
    game_version: str
    area_info: dict | None
    world_crs: source.WorldCrs
    vertical_scale: float  # requested (or the default for the scale)
    sea_level_y: int

    def edges(self) -> dict[tuple[int, int], tuple[bool, bool, bool, bool]]:
        """Per region, whether each (north, west, south, east) side ends the built map: the
        map's edge, or a neighbour that is not built. The sea may leave the map there."""
        built = set(self.regions)
        return {(rx, rz): tuple((nx, nz) not in built for nx, nz in
                                ((rx, rz - 1), (rx - 1, rz), (rx, rz + 1), (rx + 1, rz)))
                for rx, rz in self.regions}


def plan(options: BuildOptions) -> Plan:
    from . import java

    fmts = set(options.formats)
    unknown = fmts - set(FORMATS + OPTIONAL_FORMATS + INTERNAL_FORMATS)
    if unknown:
        raise WorldBuildError("Unknown format %(formats)s; choose from %(choices)s.",
                              formats=", ".join(sorted(unknown)),
                              choices=", ".join(FORMATS + OPTIONAL_FORMATS))
    if options.outside not in ("void", "sea"):
        raise WorldBuildError("--outside must be void or sea.")
    if options.workers < 1:
        raise WorldBuildError("--workers must be at least 1.")
    source.check_scale(options.scale)
    if options.vertical_scale is not None and not (
            math.isfinite(options.vertical_scale) and 0.01 <= options.vertical_scale <= 1000):
        raise WorldBuildError("A vertical scale of %(scale)s metres per block is not usable; "
                              "choose between 0.01 and 1000 (1 = true height).",
                              scale=options.vertical_scale)
    if not (math.isfinite(options.sea_level_rise) and 0 <= options.sea_level_rise <= 100):
        raise WorldBuildError("--sea-level-rise must lie between 0 and 100 metres.")
    if not -60 <= options.sea_level_y <= 300:
        raise WorldBuildError("--sea-level-y must lie between -60 and 300 (the game's own sea "
                              "is at 62).")
    gv = options.game_version or java.DEFAULT_GAME_VERSION
    if gv not in java.GAME_VERSIONS:
        raise WorldBuildError("Unknown game version %(version)s; choose one of %(choices)s.",
                              version=gv, choices=", ".join(java.GAME_VERSIONS))
    vrt = source.open_source(options.sources, options.source_crs, band=options.band)
    if options.area_file and options.area:
        raise WorldBuildError("Give either --area or --area-file, not both.")
    world_crs = source.choose_world_crs(vrt, options.crs)
    crs = world_crs.crs
    area, area_info = None, None
    if options.area_file:
        area = source.area_from_file(options.area_file, crs)
        area_info = {"file": str(options.area_file), "outside": options.outside}
    elif options.area:
        area = source.area_from_bbox(options.area, options.area_crs, crs)
        area_info = {"bbox": list(options.area), "crs": options.area_crs or crs}
    grid = source.plan_grid(vrt, area, options.scale, crs)
    resampling = source.choose_resampling(vrt, grid)
    regions = [(rx, rz) for rz in range(-(-grid.height // REGION))
               for rx in range(-(-grid.width // REGION))]
    polygons = area.polygons if area is not None else ()
    if polygons and options.outside == "void":
        regions = _regions_meeting(grid, regions, polygons)  # the rest would be all void
    out = Path(options.out)
    job = Job(vrt=vrt, grid=grid, resampling=resampling,
              layers=tuple(str(Path(p).resolve()) for p in options.layers),
              polygons=polygons, outside=options.outside,
              data_version=java.GAME_VERSIONS[gv], world_dir=str(out),
              state_dir=str(out / STATE_DIR),
              preview_factor=preview_factor(grid.width, grid.height),
              spawn_wish=_spawn_wish(options, grid), walls=edge_walls(grid.width, grid.height),
              write_java="java" in fmts, write_bedrock="mcworld" in fmts,
              write_blocks="blocks" in fmts, sea_m=float(options.sea_level_rise))
    if options.landcover:
        job = replace(job, landcover=layers_mod.check_raster(options.landcover, "--landcover"),
                      landcover_scheme=layers_mod.landcover_scheme(options.landcover))
    if options.bathymetry:
        job = replace(job, bathymetry=layers_mod.check_raster(options.bathymetry, "--bathymetry"))
    if options.plots is not None or options.teams:
        plots_mod.choose_teams(options.plots, options.teams)  # fail early on a bad teams file
        plots_mod.plot_size_blocks(options.plot_size, grid.scale)
        # Half a block (at the requested vertical scale) above the sea, a flood's sea too: a
        # levelled plot is then never awash or under water.
        v = options.vertical_scale or terrain.default_vertical_scale(grid.scale)
        job = replace(job, plan_plots=True, plots_over_buildings=options.plots_over_buildings,
                      plot_floor_m=job.sea_m + v / 2)
    if job.layers:
        # Fail early on a bad layer file; forked workers inherit what this reads.
        layers_mod.load_layers(job.layers, grid.crs, vrt, grid.scale)
    return Plan(job, regions, None, gv, area_info, world_crs,
                options.vertical_scale or terrain.default_vertical_scale(grid.scale),
                options.sea_level_y)


def _regions_meeting(grid: source.Grid, regions: list, polygons: tuple) -> list:
    """The regions whose core meets an area polygon: the others cost nothing."""
    import shapely
    import shapely.geometry

    union = shapely.union_all([shapely.geometry.shape(g) for g in polygons])
    shapely.prepare(union)
    out = []
    for rx, rz in regions:
        x0, z0 = rx * REGION, rz * REGION
        w, h = min(REGION, grid.width - x0), min(REGION, grid.height - z0)
        box = shapely.box(grid.west + x0 * grid.scale, grid.north - (z0 + h) * grid.scale,
                          grid.west + (x0 + w) * grid.scale, grid.north - z0 * grid.scale)
        if union.intersects(box):
            out.append((rx, rz))
    return out


def _spawn_wish(options: BuildOptions, grid: source.Grid) -> tuple[int, int]:
    """The column asked for as spawn (--spawn, in --area-crs or the world CRS), else the centre."""
    if options.spawn is None:
        return grid.width // 2, grid.height // 2
    from rasterio.warp import transform as warp_transform

    (e,), (n,) = warp_transform(options.area_crs or grid.crs, grid.crs, [options.spawn[0]],
                                [options.spawn[1]])
    x, z = math.floor((e - grid.west) / grid.scale), math.floor((grid.north - n) / grid.scale)
    if not (0 <= x < grid.width and 0 <= z < grid.height):
        raise WorldBuildError("--spawn lies outside the map; give a point inside the area (in "
                              "--area-crs, or the world CRS).")
    return x, z


def fit_and_overview(p: Plan, borders: dict, sea: dict) -> tuple[Fit, source.Coarse,
                                                                 terrain.HeightFit, tuple]:
    """After the first pass: the vertical fit from the exact height range, the spawn, and the
    filled coarse overview for the region pass."""
    grid = p.job.grid
    low = min(b.low for b in borders.values())
    high = max(b.high for b in borders.values())
    if not math.isfinite(low):
        raise WorldBuildError("The elevation data holds only nodata inside the area; choose an "
                              "area the data covers or check the raster's nodata value.")
    f = source.COARSE
    mean = np.full((grid.height // f, grid.width // f), np.nan, dtype=np.float32)
    per_region = REGION // f
    for (rx, rz), b in borders.items():
        th, tw = b.coarse.shape
        mean[rz * per_region:rz * per_region + th, rx * per_region:rx * per_region + tw] = b.coarse
    coarse = source.Coarse(f, source.fill_nearest(mean))
    height_fit = terrain.fit_heights(low, high, p.vertical_scale, p.sea_level_y)
    candidates = [b.dry for b in borders.values() if b.dry is not None]
    for key, b in borders.items():
        land = b.low_near[~np.isin(b.low_near[:, 0], sea[key])]
        candidates += [(int(d2), int(z), int(x)) for _, d2, z, x in land]
    dry = min(candidates, default=None)
    # No dry land at all (open sea): the wish stands, and the hub floats as a raft.
    spawn = (dry[2], dry[1]) if dry is not None else p.job.spawn_wish
    fit = Fit(height_fit.vertical_scale, height_fit.sea_level_y, spawn)
    return fit, coarse, height_fit, (low, high)


WORLDGUARD_FILE = "worldguard-regions.yml"
_ARTEFACTS = ("region", "level.dat", "preview.png", "metadata.json", STATE_DIR, "session.lock",
              WORLDGUARD_FILE)


def prepare_out(options: BuildOptions) -> bool:
    """Check the output folder; return True when resuming. Never deletes foreign files."""
    out = Path(options.out)
    state = out / STATE_DIR / "state.json"
    want = {"version": STATE_VERSION, "options": options.identity()}
    if out.exists() and not out.is_dir():
        raise WorldBuildError("%(out)s exists and is not a folder; choose another --out.",
                              out=str(out))
    exists = out.exists() and any(out.iterdir())
    if exists and options.resume:
        try:
            have = json.loads(state.read_text())
        except (OSError, ValueError):
            have = None
        if have == want:
            for pattern in ("*.tmp*", ".*.tmp*"):
                for tmp in (out / "region").glob(pattern):
                    tmp.unlink()  # an interrupted write: its region is simply rebuilt
            return True
        if not options.force:
            raise WorldBuildError("%(out)s is not an unfinished build with the same options, so "
                                  "it cannot be resumed; rerun without --resume and with --force "
                                  "to rebuild it.", out=str(out))
    if exists and not options.force:
        raise WorldBuildError("The output folder %(out)s already exists; use --force to replace "
                              "it or --resume to finish an interrupted build.", out=str(out))
    if exists:
        for name in _ARTEFACTS:
            p = out / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        for p in out.glob("*.zip"):
            p.unlink()
    try:
        (out / STATE_DIR).mkdir(parents=True, exist_ok=True)
        (out / "region").mkdir(exist_ok=True)
        tmp = state.with_suffix(".tmp")
        tmp.write_text(json.dumps(want, indent=1))
        tmp.replace(state)
    except OSError as e:
        raise _disk_error(e, str(out)) from None
    return False


# ---------------------------------------------------------------------------------------------
# Running tasks


class _Runner:
    """Runs the same task functions in this process, a local process pool or on Dask.

    The job goes to each worker once, before the first pass: workers are forked while this
    process is still small (a forked worker's memory starts as a copy of ours, and ours grows
    with the map's first-pass results), and the same workers serve both passes.
    """

    def __init__(self, job: Job, workers: int, scheduler: str | None):
        self.job, self.workers, self.scheduler = job, workers, scheduler
        self.pool = self.client = self.job_future = None

    def __enter__(self):
        if self.scheduler:
            try:
                from distributed import Client
                self.client = Client(self.scheduler, timeout=SCHEDULER_TIMEOUT)
            except OSError:
                raise WorldBuildError("Could not reach the Dask scheduler at %(address)s; "
                                      "check the address and that the scheduler is running.",
                                      address=self.scheduler) from None
            self.job_future = self.client.scatter(self.job, broadcast=True)
        elif self.workers > 1:
            # fork: workers start in milliseconds with everything imported, and they are our
            # direct children (so RUSAGE_CHILDREN sees them). Open GDAL datasets are not
            # inherited: _init_worker drops the parent's cache before the first task.
            ctx = multiprocessing.get_context("fork")
            self.pool = cf.ProcessPoolExecutor(self.workers, mp_context=ctx,
                                               initializer=_init_worker,
                                               initargs=(self.job, os.getpid()))
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.client is not None:
            self.client.close()

    def map(self, kind: str, args: list[tuple], on_done: Callable) -> list:
        """Run low/region tasks over args; call on_done(result) as each finishes."""
        results = []
        if self.client is not None:
            from distributed import as_completed
            fn = low_task if kind == "low" else region_task
            futs = [self.client.submit(fn, self.job_future, *a, pure=False) for a in args]
            for fut in as_completed(futs):
                r = fut.result()
                results.append(r)
                on_done(r)
        elif self.pool is not None:
            fn = _pool_low if kind == "low" else _pool_region
            futs = [self.pool.submit(fn, *a) for a in args]
            for fut in cf.as_completed(futs):
                r = fut.result()
                results.append(r)
                on_done(r)
        else:
            fn = low_task if kind == "low" else region_task
            for a in args:
                r = fn(self.job, *a)
                results.append(r)
                on_done(r)
        return results


def _coarse_window(coarse: source.Coarse, rx: int, rz: int) -> source.Coarse:
    """The part of the coarse overview a region's window can use: each task gets a few KB
    instead of the whole map's overview (18 MB for a municipality at 1 m per block)."""
    f = coarse.factor
    return coarse.crop((rz * REGION - MARGIN) // f, (rx * REGION - MARGIN) // f,
                       (rz * REGION + REGION + MARGIN) // f + 1,
                       (rx * REGION + REGION + MARGIN) // f + 1)


def build_world(options: BuildOptions,
                progress: Callable[[int, int, str], None] | None = None) -> BuildResult:
    """Build the world described by `options`; progress(done, total, stage) as regions finish.

    Stages: "sea" (border labels, one per region), "regions" (one per region, including
    regions skipped on --resume). Raises WorldBuildError with a one-sentence message.
    """
    from . import bedrock, java

    t0 = time.perf_counter()
    p = plan(options)
    job = p.job
    resuming = prepare_out(options)
    out = Path(options.out)
    total = len(p.regions)
    report = progress or (lambda done, tot, stage: None)

    done = {}
    if resuming:
        for rx, rz in p.regions:
            r = _load_tile(job, rx, rz)
            if r is not None and (not job.write_java or java.region_path(out, rx, rz).exists()) \
                    and (not job.write_bedrock or bedrock.records_path(job.state_dir, rx, rz)
                         .exists()):
                done[(rx, rz)] = r
    todo = [k for k in p.regions if k not in done]

    with _Runner(job, options.workers, options.scheduler) as runner:
        borders = {}
        count = [0]

        def low_done(b):
            borders[(b.rx, b.rz)] = b
            count[0] += 1
            report(count[0], total, "sea")

        edges = p.edges()
        runner.map("low", [(rx, rz, edges[(rx, rz)]) for rx, rz in p.regions], low_done)
        sea = sea_labels_by_region(borders)
        fit, coarse, p.fit, height_range = fit_and_overview(p, borders, sea)
        fit = replace(fit, **_decide_plots(p, options, borders, fit))
        count[0] = len(done)
        report(count[0], total, "regions")

        def region_done(r):
            done[(r.rx, r.rz)] = r
            count[0] += 1
            report(count[0], total, "regions")

        try:
            runner.map("region", [(fit, rx, rz, sea[(rx, rz)], _coarse_window(coarse, rx, rz))
                                  for rx, rz in todo], region_done)
        except OSError as e:
            raise _disk_error(e, str(out)) from None

    grid = job.grid
    spawn_y = next((r.spawn_y for r in done.values() if r.spawn_y is not None),
                   fit.sea_level_y + 1)
    spawn = (fit.spawn_xz[0], spawn_y, fit.spawn_xz[1])
    chunks = sum(r.chunks for r in done.values())
    files = []
    crs_label = source.crs_name(grid.crs)
    if grid.crs.startswith("EPSG:"):
        crs_label = f"{grid.crs} ({crs_label})"
    name = options.name or f"Samskapa {Path(options.sources[0]).stem}"
    settings = java.LevelSettings(
        name=name, spawn=spawn, data_version=job.data_version, version_name=p.game_version,
        border_center=(grid.width / 2.0, grid.height / 2.0),
        border_size=float(max(grid.width, grid.height)))
    try:
        if job.write_java:
            files.append(java.write_level_dat(out, settings))
        f = job.preview_factor
        # Regions not built (outside the area polygons) show as void.
        image = np.empty((-(-grid.height // f), -(-grid.width // f), 3), dtype=np.uint8)
        image[:] = VOID_RGB
        for (rx, rz), r in done.items():
            py, px = rz * REGION // f, rx * REGION // f
            th, tw = r.tile.shape[:2]
            image[py:py + th, px:px + tw] = r.tile[: image.shape[0] - py, : image.shape[1] - px]
        attribution = "; ".join(s["attribution"] for s in _sources(options) if s["attribution"])
        if "preview" in options.formats:
            files.append(render_preview(image, grid.west, grid.north, grid.scale * f,
                                        crs_label, out / "preview.png", attribution))
        meta = make_metadata(
            crs=grid.crs, crs_name=source.crs_name(grid.crs),
            crs_wkt=source.CRS.from_user_input(grid.crs).to_wkt(),
            crs_reason=CRS_REASONS[p.world_crs.reason],
            west=grid.west, north=grid.north, scale=grid.scale,
            vertical_scale=p.fit.vertical_scale, sea_level_y=p.fit.sea_level_y,
            requested_sea_level_y=p.fit.requested_sea_level_y,
            requested_vertical_scale=p.fit.requested_vertical_scale,
            height_message=p.fit.message, width=grid.width, height=grid.height,
            game_version=p.game_version, data_version=job.data_version,
            sources=_sources(options), resampling=job.resampling,
            height_range_m=height_range, spawn=spawn, area=p.area_info,
            sea={"rise_m": job.sea_m,
                 "surface_block_y": int(terrain.block_heights(np.float64(job.sea_m),
                                                              p.fit.vertical_scale,
                                                              p.fit.sea_level_y)),
                 "description": "the sea stands rise_m metres above 0 m (a flood scenario when "
                                "above 0) and covers the land at or below that level joined to "
                                "the map's edge; lakes, rivers and low land cut off from it "
                                "stay as they are"},
            border={"center_x": grid.width / 2.0, "center_z": grid.height / 2.0,
                    "size": float(max(grid.width, grid.height)),
                    "walls": list(job.walls),
                    "description": "Java's world border is a square, drawn around the map's "
                                   "long side; along the map's edges in `walls`, beyond which "
                                   "it leaves strips of void, an invisible barrier wall stands "
                                   f"{WALL_HEIGHT} blocks high above the surface"},
            decorations={
                "spawn_hub": f"{2 * decorations.HUB_RADIUS + 1} x "
                             f"{2 * decorations.HUB_RADIUS + 1} blocks of smooth stone around "
                             "the spawn, glowstone corners; the spawn is the dry column nearest "
                             "the requested point (the map's centre unless --spawn)",
                "markers": {"every_m": decorations.marker_step_m(grid.scale),
                            "description": "a pillar of stone bricks topped by glowstone on the "
                                           "column containing each crossing of grid lines every "
                                           "every_m metres of easting and northing"}},
            options={k: v for k, v in options.identity().items()
                     if k not in ("sources", "layers", "area_file", "landcover", "bathymetry")})
        if fit.plots:
            meta["decorations"]["plots"] = plots_mod.plot_metadata(fit.plots, grid.west,
                                                                   grid.north, grid.scale)
            meta["decorations"]["protection"] = (
                "Education/Bedrock: a border block under each plot's border path, an allow "
                "block on the floor under each plot and deny blocks under every other column; "
                f"Java: the plots as WorldGuard regions in {WORLDGUARD_FILE}")
            if job.write_java:
                wg = out / WORLDGUARD_FILE
                wg.write_text(plots_mod.worldguard_regions(fit.plots, terrain.WORLD_FLOOR,
                                                           terrain.WORLD_TOP), encoding="utf-8")
                files.append(wg)
        meta["decorations"]["hub_signs"] = (
            "the data's attribution north of the spawn; one sign per plot (team, centre x z, "
            f"y to stand on) south of it, for the first {decorations.HUB_SIGN_SPOTS} plots")
        files.append(write_metadata(out / "metadata.json", meta))
        if job.write_bedrock:
            records = [bedrock.records_path(job.state_dir, rx, rz) for rx, rz in p.regions]
            files.append(bedrock.write_mcworld(out.with_suffix(".mcworld"), records, settings,
                                               icon=image))
            shutil.rmtree(Path(job.state_dir) / "bedrock")   # can be large; the world has it
        if options.zip and job.write_java:
            files.append(java.zip_world(out, out.with_suffix(".zip")))
    except OSError as e:
        raise _disk_error(e, str(out)) from None
    return BuildResult(out, total, total - len(todo), chunks, time.perf_counter() - t0,
                       p.fit.message, meta, files)


def _decide_plots(p: Plan, options: BuildOptions, borders: dict, fit: Fit) -> dict:
    """The plots (layout from the first pass's coarse relief, each levelled to the median of
    its heights read here) and the hub's signs: fixed before any region is drawn."""
    grid, f = p.job.grid, source.COARSE
    teams = plots_mod.choose_teams(options.plots, options.teams)
    found = []
    if teams:
        size = plots_mod.plot_size_blocks(options.plot_size, grid.scale)
        mean = np.full((grid.height // f, grid.width // f), np.nan, dtype=np.float32)
        relief = mean.copy()
        per_region = REGION // f
        for (rx, rz), b in borders.items():
            r0, c0 = rz * per_region, rx * per_region
            th = min(b.relief.shape[0], mean.shape[0] - r0)
            tw = min(b.relief.shape[1], mean.shape[1] - c0)
            mean[r0:r0 + th, c0:c0 + tw] = b.coarse[:th, :tw]
            relief[r0:r0 + th, c0:c0 + tw] = b.relief[:th, :tw]
        corners = plots_mod.layout(mean, relief, len(teams), size, f, fit.spawn_xz,
                                   decorations.HUB_RADIUS + plots_mod.GAP)
        for i, (team, (x, z)) in enumerate(zip(teams, corners), start=1):
            heights, _ = source.read_heights(p.job.vrt, grid, x, z, size, size, p.job.resampling)
            found.append(plots_mod.Plot(i, team, x, z, size, plots_mod.level_y(
                heights, fit.vertical_scale, fit.sea_level_y)))
    lines = []
    for s in _sources(options):
        if s["sign"] and s["sign"] not in lines:
            lines.append(s["sign"])
    attribution = [line for text in lines for line in plots_mod.sign_lines(text)]
    return {"plots": tuple(found),
            "hub_signs": tuple(decorations.hub_signs(fit.spawn_xz, found, attribution))}


CRS_REASONS = {
    "source": "the source's own CRS (projected in metres, so the data is not reprojected)",
    "sweden": "SWEREF 99 TM, for a geographic or non-metric source lying in Sweden",
    "utm": "the UTM zone (WGS 84) of the data's centre, for a geographic or non-metric source",
    "chosen": "chosen with --crs",
}


# Licences and attribution of the data we know; anything else is listed with its path.
# (name, licence, attribution, the hub's attribution sign)
_KNOWN = {
    "srtm": ("SRTM (NASA/NGA)", "public domain", "Elevation: SRTM, NASA/NGA",
             "SRTM NASA/NGA, public domain"),
    "osm": ("OpenStreetMap", "ODbL 1.0", "© OpenStreetMap contributors",
            "© OpenStreetMap contributors, ODbL"),
    "scb": ("SCB Digitala gränser", "CC0 1.0", "Boundary: SCB", "© SCB, CC0"),
    "lm": ("Lantmäteriet Markhöjdmodell", "CC0 1.0", "Elevation: © Lantmäteriet",
           "© Lantmäteriet, CC0"),
}


def _guess(path: str) -> tuple[str, str, str, str] | None:
    n = Path(path).name.lower()
    for key, words in (("srtm", ("srtm", ".hgt")), ("osm", ("osm",)), ("scb", ("scb",)),
                       ("lm", ("lantmateriet", "markhojd", "mhm"))):
        if any(w in n for w in words):
            return _KNOWN[key]
    return None


def _sources(options: BuildOptions) -> list[dict]:
    out = []
    for role, paths in (("elevation", options.sources), ("layer", options.layers),
                        ("area", [options.area_file] if options.area_file else []),
                        ("landcover", [options.landcover] if options.landcover else []),
                        ("bathymetry", [options.bathymetry] if options.bathymetry else [])):
        for pth in paths:
            g = _guess(str(pth))
            out.append({"role": role, "path": Path(pth).name,
                        "sha256": _sha256(pth),
                        "name": g[0] if g else None, "licence": g[1] if g else "unknown",
                        "attribution": g[2] if g else "", "sign": g[3] if g else ""})
    return out


HASH_LIMIT = 256 * 1024 * 1024  # larger sources are identified by size only (hashing is serial)


def _sha256(path) -> str | None:
    try:
        if os.path.getsize(path) > HASH_LIMIT:
            return None
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return h.hexdigest()
    except OSError:
        return None
