"""Elevation sources: open any raster GDAL reads, check it, and read it window by window.

Every source (one GeoTIFF, an SRTM .hgt, an ASCII grid, a VRT, or a list of tiles) is turned into
one VRT held as an XML string. A string is cheap to send to a worker process or a Dask worker, and
GDAL opens it without a file, so every task reads exactly the same mosaic.

The world is a regular grid in a metric CRS: block (x, z) covers easting [west + x*scale,
west + (x+1)*scale) and northing (north - (z+1)*scale, north - z*scale]. That CRS is the source's
own when it is projected in metres (reprojecting a metric grid rotates and rescales the world), else
SWEREF 99 TM for sources in Sweden and the UTM zone of the centre elsewhere; the user may choose
(`choose_world_crs`). Tasks read their own window (plus a margin) with rasterio.warp.reproject,
so memory never depends on the size of the whole map.
"""
from __future__ import annotations

import math
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from xml.sax.saxutils import escape

import numpy as np
import rasterio
import rasterio.errors
import rasterio.fill
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.transform import Affine
from rasterio.warp import calculate_default_transform, reproject, transform_bounds
from rasterio.warp import transform as warp_transform

from .errors import WorldBuildError

# GDAL's block cache defaults to 5 % of RAM per process and fills as a build reads on, so a
# worker's memory grew with the area read (by up to the cap: 128 MB made 64 km^2 cost 140 MB more
# per worker than 1 km^2). Tasks read each window once, so a cache holding one window's source
# blocks (~2.3 MB of 256 x 256 float32 tiles, twice: the VRT's and the file's) is all that helps;
# 8 MB built 64 km^2 as fast as 16 or 128 did.
os.environ.setdefault("GDAL_CACHEMAX", "8")  # MB

SWEREF99TM = "EPSG:3006"
# EPSG's area of use of SWEREF 99 TM (Sweden, on- and offshore), lon/lat.
SWEDEN_LONLAT = (10.03, 54.96, 24.17, 69.07)
MIN_SCALE, MAX_SCALE = 0.1, 10_000.0
# Minecraft's world border cannot exceed 29,999,984 blocks from the centre.
MAX_BLOCKS = 59_999_968
_SENTINEL = np.float32(-3.0e38)


# ---------------------------------------------------------------------------------------------
# Opening sources


@dataclass(frozen=True)
class _Tile:
    path: str
    crs: CRS | None
    transform: Affine
    width: int
    height: int
    nodata: float | None
    count: int  # bands
    dtypes: tuple[str, ...]


def _open_tile(path: str) -> _Tile:
    if not os.path.exists(path) and not path.startswith(("/vsi", "<")):
        raise WorldBuildError("The elevation source %(path)s does not exist; check the path.",
                              path=path)
    try:
        with rasterio.open(path) as ds:
            if ds.count < 1 or ds.width < 1 or ds.height < 1:
                raise WorldBuildError("%(path)s has no raster band; give an elevation raster.",
                                      path=path)
            return _Tile(str(Path(path).resolve()) if os.path.exists(path) else path,
                         ds.crs if ds.crs and ds.crs.to_wkt() else None, ds.transform,
                         ds.width, ds.height, ds.nodata, ds.count, tuple(ds.dtypes))
    except rasterio.errors.RasterioIOError:
        raise WorldBuildError("%(path)s is not a raster GDAL can read; give a GeoTIFF, .hgt, "
                              "ASCII grid or VRT.", path=path) from None


def _check_band(t: _Tile, band: int | None) -> int:
    """The band holding heights. Elevation is one band of numbers wider than a byte: several
    bands or byte values mean an image (an RGB photo renamed .tif would otherwise build a world
    of colour values), refused unless the user names the band."""
    if band is not None:
        if not 1 <= band <= t.count:
            raise WorldBuildError("%(path)s has no band %(band)s; it has %(count)s, so choose "
                                  "--band between 1 and %(count)s.", path=t.path, band=band,
                                  count=t.count)
        return band
    if t.count > 1:
        raise WorldBuildError("%(path)s has %(count)s bands, so it looks like an image, not "
                              "elevation; give an elevation raster, or name the band that holds "
                              "heights with --band.", path=t.path, count=t.count)
    if t.dtypes[0] in ("uint8", "int8"):
        raise WorldBuildError("%(path)s holds byte values (0-255), so it looks like an image, not "
                              "elevation; give an elevation raster, or add --band 1 if it really "
                              "holds heights.", path=t.path)
    return 1


def _check_crs_text(text: str, option: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except (rasterio.errors.CRSError, ValueError):  # "EPSG:x" fails parsing the code
        raise WorldBuildError("%(option)s %(text)s is not a CRS; give one like EPSG:3006.",
                              option=option, text=repr(text)) from None


def open_source(paths: Sequence[str | os.PathLike], source_crs: str | None = None,
                require_crs: bool = True, band: int | None = None) -> str:
    """Combine one or more rasters into one VRT (an XML string GDAL opens directly).

    A raster without a CRS is refused unless `source_crs` states it: guessing a CRS would put the
    world somewhere else without anyone noticing. Tiles must share one CRS; their resolutions may
    differ (the VRT resamples onto the finest). `band` names the band holding heights (1-based);
    without it a raster that looks like an image is refused (`_check_band`).
    """
    if not paths:
        raise WorldBuildError("No elevation source was given; name at least one raster file.")
    tiles = [_open_tile(os.fspath(p)) for p in paths]
    bands = [_check_band(t, band) for t in tiles]
    stated = _check_crs_text(source_crs, "--source-crs") if source_crs else None
    crss = []
    for t in tiles:
        crs = t.crs or stated
        if crs is None and require_crs:
            raise WorldBuildError(
                "%(path)s has no coordinate reference system; state it with --source-crs "
                "(for example --source-crs EPSG:3006).", path=t.path)
        crss.append(crs)
    if stated is not None:
        crss = [stated] * len(tiles)  # the user's statement wins (e.g. a wrong .prj)
    if any(c != crss[0] for c in crss[1:]) and require_crs:
        raise WorldBuildError("The elevation tiles are in different CRSs; reproject them to one "
                              "CRS first or build them one at a time.")
    for t in tiles:
        if t.transform.b != 0 or t.transform.d != 0:
            raise WorldBuildError("%(path)s is rotated; warp it to a north-up grid first.",
                                  path=t.path)
    res_x = min(abs(t.transform.a) for t in tiles)
    res_y = min(abs(t.transform.e) for t in tiles)
    left = min(t.transform.c for t in tiles)
    top = max(t.transform.f for t in tiles)
    right = max(t.transform.c + t.width * abs(t.transform.a) for t in tiles)
    bottom = min(t.transform.f - t.height * abs(t.transform.e) for t in tiles)
    width = max(1, round((right - left) / res_x))
    height = max(1, round((top - bottom) / res_y))
    nodata = next((t.nodata for t in tiles if t.nodata is not None), -32768.0)
    if isinstance(nodata, float) and math.isnan(nodata):
        nodata = -32768.0
    parts = [
        f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}">',
        f"<SRS>{escape(crss[0].to_wkt())}</SRS>" if crss[0] is not None else "",
        f"<GeoTransform>{left!r},{res_x!r},0,{top!r},0,{-res_y!r}</GeoTransform>",
        '<VRTRasterBand dataType="Float32" band="1">',
        f"<NoDataValue>{nodata!r}</NoDataValue>",
    ]
    for t, b in zip(tiles, bands):
        xoff = (t.transform.c - left) / res_x
        yoff = (top - t.transform.f) / res_y
        xsize = t.width * abs(t.transform.a) / res_x
        ysize = t.height * abs(t.transform.e) / res_y
        tile_nodata = t.nodata if t.nodata is not None else None
        parts.append(
            "<ComplexSource>"
            f'<SourceFilename relativeToVRT="0">{escape(t.path)}</SourceFilename>'
            f"<SourceBand>{b}</SourceBand>"
            f'<SrcRect xOff="0" yOff="0" xSize="{t.width}" ySize="{t.height}"/>'
            f'<DstRect xOff="{xoff!r}" yOff="{yoff!r}" xSize="{xsize!r}" ySize="{ysize!r}"/>'
            + (f"<NODATA>{tile_nodata!r}</NODATA>" if tile_nodata is not None
               and not math.isnan(tile_nodata) else "")
            + "</ComplexSource>")
    parts.append("</VRTRasterBand></VRTDataset>")
    return "".join(parts)


_local = threading.local()


def forget_datasets() -> None:
    """Drop (without closing) datasets inherited from a parent process over fork: their file
    handles are shared with the parent, so a child must open its own."""
    global _local
    _local = threading.local()


def _dataset(vrt: str):
    """One open dataset per thread and source: tasks in a worker reuse it (GDAL datasets must
    not be shared between threads, and Dask may run tasks in threads)."""
    cache = getattr(_local, "datasets", None)
    if cache is None:
        cache = _local.datasets = {}
    ds = cache.get(vrt)
    if ds is None:
        if len(cache) >= 8:
            for old in cache.values():
                old.close()
            cache.clear()
        ds = cache[vrt] = rasterio.open(vrt)
    return ds


# ---------------------------------------------------------------------------------------------
# Information


@dataclass(frozen=True)
class RasterInfo:
    paths: tuple[str, ...]
    crs: str | None  # "EPSG:xxxx" or WKT; None when the source states none
    width: int
    height: int
    resolution: tuple[float, float]
    bounds: tuple[float, float, float, float]  # left, bottom, right, top in the raster's CRS
    nodata: float | None
    height_min: float
    height_max: float


def raster_info(paths: Sequence[str | os.PathLike], source_crs: str | None = None,
                band: int | None = None) -> RasterInfo:
    """CRS, size, resolution, bounds and height range of a source (range from a decimated read)."""
    vrt = open_source(paths, source_crs, require_crs=False, band=band)
    ds = _dataset(vrt)
    f = max(1, math.ceil(max(ds.width, ds.height) / 2048))
    arr = ds.read(1, out_shape=(max(1, ds.height // f), max(1, ds.width // f)),
                  resampling=Resampling.nearest, masked=True)
    if arr.count() == 0:
        raise WorldBuildError("The elevation source holds only nodata; check that it is the right "
                              "file and that its nodata value is set correctly.")
    crs = ds.crs
    crs_text = crs_id(crs) if crs is not None and crs.to_wkt() else None
    return RasterInfo(tuple(os.fspath(p) for p in paths), crs_text,
                      ds.width, ds.height, ds.res, tuple(ds.bounds), ds.nodata,
                      float(arr.min()), float(arr.max()))


# ---------------------------------------------------------------------------------------------
# The world's CRS


def crs_id(crs: CRS) -> str:
    """"EPSG:xxxx" when the CRS has a code, else its WKT (both round-trip through CRS())."""
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def crs_name(crs: str) -> str:
    """A CRS's human name, e.g. "SWEREF99 TM" or "NAD83 / UTM zone 15N"."""
    wkt = CRS.from_user_input(crs).to_wkt()
    return wkt[wkt.index('"') + 1:wkt.index('"', wkt.index('"') + 1)]


def in_metres(crs: CRS) -> bool:
    return crs.is_projected and crs.linear_units_factor[1] == 1.0


def utm_zone(lon: float, lat: float) -> int:
    """The UTM zone of a point, with the exceptions around south-west Norway and Svalbard."""
    zone = int((lon + 180.0) // 6.0) % 60 + 1
    if 56.0 <= lat < 64.0 and 3.0 <= lon < 12.0:
        return 32
    if 72.0 <= lat < 84.0 and 0.0 <= lon < 42.0:
        return 31 if lon < 9.0 else 33 if lon < 21.0 else 35 if lon < 33.0 else 37
    return zone


@dataclass(frozen=True)
class WorldCrs:
    crs: str  # as crs_id gives it
    reason: str  # why this CRS: "source", "sweden", "utm" or "chosen"


def choose_world_crs(vrt: str, chosen: str | None = None) -> WorldCrs:
    """The world's CRS: `chosen` if given; else the source's own when it is projected in metres
    (never reproject a metric grid unasked: that rotates and rescales the world); else, for
    geographic or non-metre sources, SWEREF 99 TM when the centre lies in Sweden and the UTM zone
    of the centre (WGS 84) elsewhere."""
    if chosen:
        crs = _check_crs_text(chosen, "--crs")
        if not in_metres(crs):
            raise WorldBuildError("--crs %(crs)s is not projected in metres; choose a "
                                  "projected CRS such as EPSG:3006 or a UTM zone.", crs=chosen)
        return WorldCrs(crs_id(crs), "chosen")
    ds = _dataset(vrt)
    if in_metres(ds.crs):
        return WorldCrs(crs_id(ds.crs), "source")
    (lon,), (lat,) = warp_transform(ds.crs, "EPSG:4326", [(ds.bounds.left + ds.bounds.right) / 2],
                                    [(ds.bounds.bottom + ds.bounds.top) / 2])
    w, s, e, n = SWEDEN_LONLAT
    if w <= lon <= e and s <= lat <= n:
        return WorldCrs(SWEREF99TM, "sweden")
    if not -80.0 <= lat <= 84.0:
        raise WorldBuildError("The data lies near a pole, where no UTM zone applies; choose a "
                              "projected CRS in metres with --crs.")
    return WorldCrs(f"EPSG:{(32600 if lat >= 0 else 32700) + utm_zone(lon, lat)}", "utm")


# ---------------------------------------------------------------------------------------------
# Area and grid


@dataclass(frozen=True)
class Grid:
    """The world's horizontal grid: block (x, z) -> a square cell in `crs`."""

    crs: str
    west: float
    north: float
    scale: float  # metres per block
    width: int  # blocks along x (east)
    height: int  # blocks along z (south)

    def transform(self, x0: int = 0, z0: int = 0, factor: int = 1) -> Affine:
        """Affine of a window whose first cell is block (x0, z0), cells `factor` blocks wide."""
        s = self.scale * factor
        return Affine(s, 0.0, self.west + x0 * self.scale, 0.0, -s, self.north - z0 * self.scale)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.west, self.north - self.height * self.scale,
                self.west + self.width * self.scale, self.north)


@dataclass(frozen=True)
class Area:
    bounds: tuple[float, float, float, float]  # in the world CRS
    polygons: tuple = field(default=())  # GeoJSON geometries in the world CRS (empty: whole box)


def check_scale(scale: float) -> float:
    if not isinstance(scale, (int, float)) or not math.isfinite(scale) \
            or not MIN_SCALE <= scale <= MAX_SCALE:
        raise WorldBuildError("A scale of %(scale)s metres per block is not usable; choose "
                              "between %(low)s and %(high)s (1 for full detail, 10-50 for "
                              "overview maps).", scale=scale, low=f"{MIN_SCALE:g}",
                              high=f"{MAX_SCALE:g}")
    return float(scale)


def area_from_bbox(bbox: Sequence[float], bbox_crs: str | None, world_crs: str) -> Area:
    if len(bbox) != 4:
        raise WorldBuildError("--area needs four numbers minx,miny,maxx,maxy.")
    minx, miny, maxx, maxy = (float(v) for v in bbox)
    if not (minx < maxx and miny < maxy):
        raise WorldBuildError("--area must be minx,miny,maxx,maxy with min < max on both axes.")
    src = _check_crs_text(bbox_crs or world_crs, "--area-crs")
    dst = _check_crs_text(world_crs, "--crs")
    try:
        b = transform_bounds(src, dst, minx, miny, maxx, maxy, densify_pts=21)
    except Exception:
        raise WorldBuildError("--area could not be transformed to the world CRS; check "
                              "--area-crs and the order minx,miny,maxx,maxy.") from None
    if not all(math.isfinite(v) for v in b):
        raise WorldBuildError("--area lies outside what the world CRS can represent; check "
                              "--area-crs and the order minx,miny,maxx,maxy.")
    return Area(tuple(b))


def area_from_file(path: str | os.PathLike, world_crs: str) -> Area:
    """Union bounding box and polygons of a polygon file (any CRS pyogrio reads)."""
    from .layers import read_features  # layers owns vector reading

    feats = read_features(path, world_crs)
    polys = tuple(f.geometry for f in feats if f.geometry["type"] in ("Polygon", "MultiPolygon"))
    if not polys:
        raise WorldBuildError("%(path)s holds no polygons; give a polygon file such as a "
                              "municipality boundary.", path=str(path))
    import shapely.geometry

    bounds = [shapely.geometry.shape(g).bounds for g in polys]
    b = (min(v[0] for v in bounds), min(v[1] for v in bounds),
         max(v[2] for v in bounds), max(v[3] for v in bounds))
    return Area(b, polys)


def source_bounds(vrt: str, world_crs: str) -> tuple[float, float, float, float]:
    ds = _dataset(vrt)
    return tuple(transform_bounds(ds.crs, CRS.from_user_input(world_crs), *ds.bounds,
                                  densify_pts=21))


def plan_grid(vrt: str, area: Area | None, scale: float, world_crs: str) -> Grid:
    """The world grid: the area (or the whole source) at `scale` metres per block.

    The size is rounded up to whole chunks (16 blocks) so the world border and every chunk are
    complete; the few extra cells are read from the data (or filled from neighbours).
    """
    scale = check_scale(scale)
    sb = source_bounds(vrt, world_crs)
    b = area.bounds if area is not None else sb
    if area is not None and (b[2] <= sb[0] or b[0] >= sb[2] or b[3] <= sb[1] or b[1] >= sb[3]):
        raise WorldBuildError(
            "The area lies outside the elevation data (data covers E %(west)s-%(east)s, "
            "N %(south)s-%(north)s in %(crs)s); choose an area inside it or check --area-crs.",
            west=f"{sb[0]:.0f}", east=f"{sb[2]:.0f}", south=f"{sb[1]:.0f}",
            north=f"{sb[3]:.0f}", crs=crs_name(world_crs))
    # Snap the origin to whole metres (or to the scale) so coordinates read well in metadata.
    # A thousandth of a cell is rounding, not data: a reprojected raster's edges often sit at
    # 299000.0000024, which must not add a 16-block strip of invented terrain.
    snap = scale if scale >= 1 else 1.0
    west = math.floor(b[0] / snap + 1e-3) * snap
    north = math.ceil(b[3] / snap - 1e-3) * snap
    width = max(1, math.ceil((b[2] - west) / scale - 1e-3))
    height = max(1, math.ceil((north - b[1]) / scale - 1e-3))
    width, height = -(-width // 16) * 16, -(-height // 16) * 16
    if width > MAX_BLOCKS or height > MAX_BLOCKS:
        raise WorldBuildError("At %(scale)s m per block the map would be %(width)s x %(height)s "
                              "blocks, larger than a Minecraft world; choose a coarser scale or "
                              "a smaller area.", scale=f"{scale:g}", width=width, height=height)
    return Grid(world_crs, float(west), float(north), scale, width, height)


def source_resolution(vrt: str, world_crs: str) -> float:
    """Approximate source cell size in world-CRS metres (to pick the resampling)."""
    ds = _dataset(vrt)
    t, _, _ = calculate_default_transform(ds.crs, CRS.from_user_input(world_crs), ds.width,
                                          ds.height, *ds.bounds)
    return abs(t.a)


def choose_resampling(vrt: str, grid: Grid) -> str:
    """Average when blocks are much coarser than source cells (every cell counts), else bilinear."""
    return "average" if grid.scale >= 1.5 * source_resolution(vrt, grid.crs) else "bilinear"


# ---------------------------------------------------------------------------------------------
# Reading


def warp_window(vrt: str, crs: str, transform: Affine, shape: tuple[int, int],
                resampling: str) -> np.ndarray:
    """Heights (float32, metres) on a window of the world grid; NaN where the source has none."""
    ds = _dataset(vrt)
    dst_crs = CRS.from_user_input(crs)
    if resampling in ("bilinear", "average", "nearest") and ds.crs == dst_crs:
        direct = _aligned_read(ds, transform, shape)
        if direct is not None:
            return direct
        if resampling == "bilinear":
            direct = _upsample_bilinear(ds, transform, shape)
            if direct is not None:
                return direct
    out = np.full(shape, np.nan, dtype=np.float32)
    reproject(source=rasterio.band(ds, 1), destination=out, src_crs=ds.crs,
              src_nodata=ds.nodata, dst_transform=transform, dst_crs=dst_crs,
              dst_nodata=np.nan, resampling=Resampling[resampling], num_threads=1)
    return out


def _aligned_read(ds, transform: Affine, shape: tuple[int, int]) -> np.ndarray | None:
    """A plain window read when the window's cells are exactly the source's cells.

    Then bilinear, average and nearest resampling all return the cell values themselves, so
    this gives the same numbers as the warp, several times faster (the common case of 1 m
    blocks on 1 m SWEREF 99 TM tiles). Returns None when the grids are not aligned.
    """
    st = ds.transform
    if not (math.isclose(transform.a, st.a, rel_tol=0, abs_tol=1e-9 * abs(st.a))
            and math.isclose(transform.e, st.e, rel_tol=0, abs_tol=1e-9 * abs(st.e))
            and transform.b == 0 and transform.d == 0 and st.b == 0 and st.d == 0):
        return None
    col = (transform.c - st.c) / st.a
    row = (transform.f - st.f) / st.e
    if abs(col - round(col)) > 1e-6 or abs(row - round(row)) > 1e-6:
        return None
    col, row = int(round(col)), int(round(row))
    h, w = shape
    out = np.full(shape, np.nan, dtype=np.float32)
    c0, r0 = max(col, 0), max(row, 0)
    c1, r1 = min(col + w, ds.width), min(row + h, ds.height)
    if c0 >= c1 or r0 >= r1:
        return out
    from rasterio.windows import Window

    data = ds.read(1, window=Window(c0, r0, c1 - c0, r1 - r0), masked=True)
    out[r0 - row:r1 - row, c0 - col:c1 - col] = data.filled(np.nan).astype(np.float32)
    return out


COARSE = 16  # blocks per cell of the coarse overview (divides every region and chunk edge)


def _upsample_bilinear(ds, transform: Affine, shape: tuple[int, int]) -> np.ndarray | None:
    """Bilinear interpolation in numpy when blocks are at most as large as source cells in the
    same CRS and the window holds no nodata: GDAL's warp kernel then is plain bilinear between
    the four surrounding cell centres, which this computes separably (several times faster than
    the warper). Like GDAL, a cell whose centre lies outside the data is NaN, and within half a
    cell of the data's edge the edge cells carry the value. Anything else returns None (GDAL).
    """
    st = ds.transform
    if not (transform.b == 0 and transform.d == 0 and st.b == 0 and st.d == 0
            and 0 < transform.a <= st.a and st.e <= transform.e < 0):
        return None
    h, w = shape
    # Source column/row coordinates (cell centres at .0) of the destination cell centres.
    u = (transform.c + (np.arange(w) + 0.5) * transform.a - st.c) / st.a - 0.5
    v = (transform.f + (np.arange(h) + 0.5) * transform.e - st.f) / st.e - 0.5
    inside_u = (u >= -0.5) & (u < ds.width - 0.5)
    inside_v = (v >= -0.5) & (v < ds.height - 0.5)
    if not inside_u.any() or not inside_v.any():
        return np.full(shape, np.nan, dtype=np.float32)
    c0 = max(int(np.floor(u[inside_u][0])), 0)
    r0 = max(int(np.floor(v[inside_v][0])), 0)
    c1 = min(int(np.floor(u[inside_u][-1])) + 2, ds.width)
    r1 = min(int(np.floor(v[inside_v][-1])) + 2, ds.height)
    from rasterio.windows import Window

    data = ds.read(1, window=Window(c0, r0, c1 - c0, r1 - r0), masked=True)
    if np.ma.is_masked(data):
        return None
    a = np.asarray(data, dtype=np.float64)
    fu = u - np.floor(u)
    fv = (v - np.floor(v))[:, None]
    # Beyond the first/last cell centre the edge cell carries the value (clamped indices).
    ru = np.floor(u).astype(np.intp) - c0
    rv = np.floor(v).astype(np.intp) - r0
    iu, iu1 = np.clip(ru, 0, a.shape[1] - 1), np.clip(ru + 1, 0, a.shape[1] - 1)
    iv, iv1 = np.clip(rv, 0, a.shape[0] - 1), np.clip(rv + 1, 0, a.shape[0] - 1)
    cols = a[:, iu] * (1.0 - fu) + a[:, iu1] * fu
    out = (cols[iv] * (1.0 - fv) + cols[iv1] * fv).astype(np.float32)
    out[:, ~inside_u] = np.nan
    out[~inside_v, :] = np.nan
    return out


@dataclass(frozen=True)
class Coarse:
    """A coarse overview of the whole map, filled everywhere: the last-resort nodata fill.

    Built from the region tasks' first pass (block means of COARSE x COARSE cells), so planning
    never reads the whole source and the overview costs nothing extra.
    """

    factor: int  # blocks per coarse cell
    mean: np.ndarray  # float32, no NaN
    origin: tuple[int, int] = (0, 0)  # (row, column) of mean[0, 0] in the whole map's overview

    def crop(self, r0: int, c0: int, r1: int, c1: int) -> Coarse:
        """Rows [r0, r1) and columns [c0, c1) of the whole map's overview, clipped to it."""
        h, w = self.mean.shape
        r0, c0 = min(max(r0, 0), h - 1), min(max(c0, 0), w - 1)
        r1, c1 = max(min(r1, h), r0 + 1), max(min(c1, w), c0 + 1)
        return Coarse(self.factor, self.mean[r0:r1, c0:c1].copy(), (r0, c0))


def coarse_tile(core: np.ndarray) -> np.ndarray:
    """Means of COARSE x COARSE cells of a region core (NaN where a cell has no data)."""
    h, w = core.shape
    ph, pw = -(-h // COARSE), -(-w // COARSE)
    pad = np.full((ph * COARSE, pw * COARSE), np.nan, dtype=np.float32)
    pad[:h, :w] = core
    cells = pad.reshape(ph, COARSE, pw, COARSE)
    valid = ~np.isnan(cells)
    count = valid.sum(axis=(1, 3))
    total = np.where(valid, cells, 0).sum(axis=(1, 3), dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.maximum(count, 1), np.nan).astype(np.float32)


def fill_nearest(arr: np.ndarray) -> np.ndarray:
    """Replace every NaN by the value of the nearest valid cell (whole array, never 0)."""
    from scipy import ndimage

    bad = np.isnan(arr)
    if not bad.any():
        return arr
    idx = ndimage.distance_transform_edt(bad, return_distances=False, return_indices=True)
    return arr[tuple(idx)].astype(np.float32)


def read_heights(vrt: str, grid: Grid, x0: int, z0: int, width: int, height: int,
                 resampling: str) -> tuple[np.ndarray, np.ndarray]:
    """Heights for blocks [x0, x0+width) x [z0, z0+height), holes filled from neighbours, and
    the mask of cells that had no data (nodata, or outside the source, e.g. the collars of a
    grid rotated against the source's).

    Holes are filled by GDAL's inverse-distance fill from the surrounding cells of this window
    (up to 64 cells away); whatever is farther from any data stays NaN here and is filled from
    the coarse overview by `fill_from_coarse`. So nodata never becomes 0 m.
    """
    h = warp_window(vrt, grid.crs, grid.transform(x0, z0), (height, width), resampling)
    bad = np.isnan(h)
    if bad.any() and not bad.all():
        valid = ~bad
        # Cells fillnodata cannot reach keep their input value: a sentinel no DEM holds.
        h = rasterio.fill.fillnodata(np.where(valid, h, _SENTINEL).astype(np.float32),
                                     mask=valid.astype(np.uint8), max_search_distance=64)
        h[h == _SENTINEL] = np.nan
    return h, bad


def fill_from_coarse(h: np.ndarray, coarse: Coarse, x0: int, z0: int) -> np.ndarray:
    """Fill the NaN left by read_heights (window cell (0, 0) = block (x0, z0)) from the overview."""
    bad = np.isnan(h)
    if bad.any():
        h = h.copy()
        zz, xx = np.nonzero(bad)
        cz = np.clip((zz + z0) // coarse.factor - coarse.origin[0], 0, coarse.mean.shape[0] - 1)
        cx = np.clip((xx + x0) // coarse.factor - coarse.origin[1], 0, coarse.mean.shape[1] - 1)
        h[zz, xx] = coarse.mean[cz, cx]
    return h
