"""preview.png: a map of the world for people who would rather look than read.

Each region task returns a small colour tile of its own columns (hillshaded ground, water,
buildings, roads, forests), so the preview costs no extra pass over the data; this module
colours tiles and assembles them with a labelled grid of world-CRS (SWEREF 99 TM) coordinates.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import cover
from .blocks import Block
from .terrain import NO_WATER, Columns, hillshade

# Longest side of the preview. Encoding the PNG is serial work at the end of a build (about
# 0.3 s at 2,048 px here), so keep it modest; the grid labels stay readable at 1,024 px.
MAX_PIXELS = 1024

# RGB per top block; anything else is drawn grey.
COLOURS = {
    Block.GRASS_BLOCK: (108, 160, 72), Block.DIRT: (134, 96, 67), Block.STONE: (125, 125, 125),
    Block.SAND: (219, 207, 163), Block.GRAVEL: (136, 126, 126), Block.DIRT_PATH: (148, 122, 65),
    Block.GRAY_CONCRETE: (70, 72, 76), Block.BLACK_CONCRETE: (40, 40, 44),
    Block.LIGHT_GRAY_CONCRETE: (150, 150, 145), Block.COBBLESTONE: (110, 110, 110),
    Block.FARMLAND: (214, 190, 96), Block.MOSS_BLOCK: (112, 128, 60),
    Block.PODZOL: (92, 110, 52), Block.SNOW_BLOCK: (245, 248, 250), Block.MUD: (70, 62, 60),
}
SHALLOW_RGB = np.array((90, 150, 220), dtype=np.float32)  # water a block deep
DEEP_RGB = np.array((25, 55, 140), dtype=np.float32)  # water DEEP_BLOCKS deep or more
DEEP_BLOCKS = 8
BUILDING_RGB = np.array((178, 84, 68), dtype=np.float32)
FOREST_RGB = np.array((38, 92, 40), dtype=np.float32)
VOID_RGB = np.array((255, 255, 255), dtype=np.float32)
_M2 = cover.table("m2_per_tree", np.float64)
_FOREST = (_M2 > 0) & (_M2 <= 60)  # dense trees are drawn as forest (parks are not)


def preview_factor(width: int, height: int) -> int:
    """Blocks per preview pixel: the smallest power of two keeping the image within MAX_PIXELS."""
    f = 1
    while max(width, height) / f > MAX_PIXELS:
        f *= 2
    return f


def colour_tile(cols: Columns, ground_m: np.ndarray, building: np.ndarray, classes: np.ndarray,
                decks: np.ndarray, scale: float, factor: int) -> np.ndarray:
    """RGB uint8 tile of one region core, downsampled by `factor` (block means): hillshaded
    ground by its top block, forests green, buildings red, water lighter where shallow,
    bridge decks (`decks`: their block, 0 none) over it."""
    lut = np.full((256, 3), 128, dtype=np.float32)
    for b, c in COLOURS.items():
        lut[int(b)] = c
    rgb = lut[cols.top]
    shade = hillshade(ground_m, scale)
    rgb *= (0.55 + 0.6 * shade)[..., None]
    forest = _FOREST[classes]
    rgb[forest] = rgb[forest] * 0.3 + FOREST_RGB * 0.7
    wet = cols.water != NO_WATER
    t = np.clip((cols.water[wet] - cols.ground[wet] - 1) / (DEEP_BLOCKS - 1), 0.0, 1.0)[:, None]
    rgb[wet] = SHALLOW_RGB * (1 - t) + DEEP_RGB * t
    rgb[decks > 0] = lut[decks[decks > 0]]
    rgb[building >= 0] = BUILDING_RGB
    rgb[cols.void] = VOID_RGB
    h, w = cols.top.shape
    if factor > 1:
        ph, pw = -(-h // factor), -(-w // factor)
        pad = np.pad(rgb, ((0, ph * factor - h), (0, pw * factor - w), (0, 0)), mode="edge")
        rgb = pad.reshape(ph, factor, pw, factor, 3).mean(axis=(1, 3))
    return np.clip(rgb, 0, 255).astype(np.uint8)


def nice_step(span_m: float, target_lines: int = 6) -> float:
    """A round grid spacing (1, 2 or 5 x 10^k metres) giving about `target_lines` lines."""
    raw = span_m / max(1, target_lines)
    k = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * k >= raw:
            return m * k
    return 10 * k


def render_preview(image: np.ndarray, west: float, north: float, metres_per_pixel: float,
                   crs_label: str, path: Path, attribution: str = "") -> Path:
    """Save the assembled RGB array with a labelled coordinate grid."""
    img = Image.fromarray(image, "RGB")
    h, w = image.shape[:2]
    margin_top, margin_left = 18, 64
    footer = f"{crs_label}, {metres_per_pixel:g} m per pixel. {attribution}".strip()
    # The default bitmap font is 6 px per character: wrap the footer to the image width.
    per_line = max(20, (w + margin_left - 4) // 6)
    footer_lines = textwrap.wrap(footer, per_line) or [""]
    canvas = Image.new("RGB", (w + margin_left, h + margin_top + 4 + 12 * len(footer_lines)),
                       (255, 255, 255))
    canvas.paste(img, (margin_left, margin_top))
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.load_default()
    east = west + w * metres_per_pixel
    south = north - h * metres_per_pixel
    step = nice_step(max(east - west, north - south))
    e = math.ceil(west / step) * step
    while e < east:
        px = margin_left + int(round((e - west) / metres_per_pixel))
        draw.line([(px, margin_top), (px, margin_top + h)], fill=(0, 0, 0), width=1)
        draw.text((px + 2, 2), f"E {e:,.0f}".replace(",", " "), fill=(0, 0, 0), font=font)
        e += step
    n = math.floor(north / step) * step
    while n > south:
        py = margin_top + int(round((north - n) / metres_per_pixel))
        draw.line([(margin_left, py), (margin_left + w, py)], fill=(0, 0, 0), width=1)
        draw.text((2, py + 2), f"N {n:,.0f}".replace(",", " "), fill=(0, 0, 0), font=font)
        n -= step
    for i, line in enumerate(footer_lines):
        draw.text((2, margin_top + h + 2 + 12 * i), line, fill=(0, 0, 0), font=font)
    tmp = Path(path).with_suffix(".png.tmp")
    canvas.save(tmp, format="PNG", compress_level=1)
    tmp.replace(path)
    return Path(path)
