"""preview.png: a map of the world for people who would rather look than read.

Each region task returns a small colour tile of its own columns (hillshaded ground, water,
buildings, roads, green areas), so the preview costs no extra pass over the data; this module
colours tiles and assembles them with a labelled grid of world-CRS (SWEREF 99 TM) coordinates.
"""
from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .blocks import Block
from .terrain import NO_WATER, hillshade

# Longest side of the preview. Encoding the PNG is serial work at the end of a build (about
# 0.3 s at 2,048 px here), so keep it modest; the grid labels stay readable at 1,024 px.
MAX_PIXELS = 1024

# RGB per top block; anything else is drawn grey.
COLOURS = {
    Block.GRASS_BLOCK: (108, 160, 72), Block.DIRT: (134, 96, 67), Block.STONE: (125, 125, 125),
    Block.SAND: (219, 207, 163), Block.GRAVEL: (136, 126, 126), Block.DIRT_PATH: (148, 122, 65),
    Block.GRAY_CONCRETE: (70, 72, 76), Block.BLACK_CONCRETE: (40, 40, 44),
    Block.LIGHT_GRAY_CONCRETE: (150, 150, 145), Block.COBBLESTONE: (110, 110, 110),
}
WATER_RGB = np.array((50, 95, 190), dtype=np.float32)
BUILDING_RGB = np.array((178, 84, 68), dtype=np.float32)
WOOD_RGB = np.array((46, 104, 46), dtype=np.float32)
VOID_RGB = np.array((255, 255, 255), dtype=np.float32)


def preview_factor(width: int, height: int) -> int:
    """Blocks per preview pixel: the smallest power of two keeping the image within MAX_PIXELS."""
    f = 1
    while max(width, height) / f > MAX_PIXELS:
        f *= 2
    return f


def colour_tile(top: np.ndarray, ground_m: np.ndarray, water: np.ndarray, building: np.ndarray,
                green: np.ndarray, void: np.ndarray, scale: float, factor: int) -> np.ndarray:
    """RGB uint8 tile of one region core, downsampled by `factor` (block means)."""
    lut = np.full((256, 3), 128, dtype=np.float32)
    for b, c in COLOURS.items():
        lut[int(b)] = c
    rgb = lut[top]
    shade = hillshade(ground_m, scale)
    rgb *= (0.55 + 0.6 * shade)[..., None]
    wet = water != NO_WATER
    rgb[wet] = WATER_RGB
    rgb[green == 2] = rgb[green == 2] * 0.3 + WOOD_RGB * 0.7
    rgb[building >= 0] = BUILDING_RGB
    rgb[void] = VOID_RGB
    if factor > 1:
        h, w = top.shape
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
