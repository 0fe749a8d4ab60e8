"""Export team plots from a played world: a structure file and two pictures per plot.

A Java world gives Sponge schematics, a Bedrock / Education world (.mcworld or an unpacked world
folder, read by bedrock_read.py) Bedrock structure files (`<name>.mcstructure`, mcstructure.py)
with the same box and origin.

- `<name>.schem`: Sponge Schematic version 2 (gzip NBT, root "Schematic"), which WorldEdit,
  FastAsyncWorldEdit and Amulet read: Palette (block state -> index), BlockData (indices as
  varints, index = x + z * Width + y * Width * Length), Width/Height/Length, Offset = the box's
  lowest corner in world blocks, so the build can be pasted back where it stood.
- `<name>-top.png`: the plot seen from above, TOP_PX pixels per block.
- `<name>-iso.png`: an isometric view from the south-east, for juries and the municipality.

The box exported is the plot's columns from BELOW blocks under its lowest surface up to its
highest block, so foundations and a little of the ground show and the sky does not.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbtlib
import numpy as np
from PIL import Image, ImageDraw

from .errors import WorldBuildError
from .bedrock_read import BedrockWorldReader, is_bedrock_world, java_name
from .java_read import AIR, Y_MIN, JavaWorldReader
from .mcstructure import write_mcstructure

BELOW = 4
TOP_PX = 8
ISO_PX = 6  # half the width of a block's top face in the isometric view
TRANSPARENT = {"minecraft:air", "minecraft:cave_air", "minecraft:void_air",
               "minecraft:barrier", "minecraft:light", "minecraft:structure_void"}


@dataclass(frozen=True)
class Plot:
    name: str
    x0: int
    z0: int
    x1: int  # inclusive
    z1: int


def parse_plot(text: str, number: int) -> Plot:
    """A `--plot x0,z0,x1,z1` (block corners, inclusive) as Plot `plot-<number>`."""
    try:
        x0, z0, x1, z1 = (int(v) for v in text.split(","))
    except ValueError:
        raise WorldBuildError("--plot must be four whole numbers x0,z0,x1,z1 (block corners) "
                              "separated by commas.") from None
    return _plot(f"plot-{number}", x0, z0, x1, z1)


def _plot(name: str, x0: int, z0: int, x1: int, z1: int) -> Plot:
    return Plot(name, min(x0, x1), min(z0, z1), max(x0, x1), max(z0, z1))


def _corners(plot: dict) -> tuple[int, int, int, int]:
    """Inclusive block corners: given as x0, z0, x1, z1, or as the build's metadata.json writes
    a plot (blocks: x, z, width, length)."""
    if "blocks" in plot:
        b = plot["blocks"]
        x, z = int(b["x"]), int(b["z"])
        return x, z, x + int(b["width"]) - 1, z + int(b["length"]) - 1
    return int(plot["x0"]), int(plot["z0"]), int(plot["x1"]), int(plot["z1"])


def read_layout(path: str | Path) -> list[Plot]:
    """Plots from a JSON layout: a list of {name, x0, z0, x1, z1}, or an object holding one
    under "plots" (at the top or under "decorations", as the build's metadata.json does)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("plots", data.get("decorations", {}).get("plots"))
        plots = [_plot(str(p.get("name") or p.get("team") or f"plot-{i}"), *_corners(p))
                 for i, p in enumerate(data, 1)]
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        raise WorldBuildError("%(path)s is not a plot layout: it must be JSON with a list of "
                              "plots, each with x0, z0, x1 and z1.", path=str(path)) from None
    if not plots:
        raise WorldBuildError("%(path)s lists no plots.", path=str(path))
    return plots


def file_stem(name: str) -> str:
    """A file name from a team name: letters (å ä ö kept), digits, dashes."""
    return re.sub(r"[^\w-]+", "-", name, flags=re.UNICODE).strip("-") or "plot"


def varints(values: np.ndarray) -> bytes:
    """Unsigned LEB128: 7 bits per byte, lowest first, high bit set while more follow."""
    out = bytearray()
    for v in values.tolist():
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
    return bytes(out)


def write_schem(path: Path, palette: list[str], blocks: np.ndarray, origin: tuple[int, int, int],
                data_version: int) -> Path:
    """Sponge schematic v2 of `blocks` [y, z, x] (indices into `palette`) at world `origin`."""
    used = np.unique(blocks)
    remap = np.zeros(len(palette), dtype=np.int64)
    remap[used] = np.arange(len(used))
    height, length, width = blocks.shape
    root = nbtlib.File({
        "Version": nbtlib.Int(2), "DataVersion": nbtlib.Int(data_version),
        "Width": nbtlib.Short(width), "Height": nbtlib.Short(height),
        "Length": nbtlib.Short(length), "Offset": nbtlib.IntArray(list(origin)),
        "PaletteMax": nbtlib.Int(len(used)),
        "Palette": nbtlib.Compound({palette[u]: nbtlib.Int(i) for i, u in enumerate(used)}),
        "BlockData": nbtlib.ByteArray(np.frombuffer(varints(remap[blocks].ravel()),
                                                    dtype=np.int8)),
        "BlockEntities": nbtlib.List[nbtlib.Compound](),
    }, root_name="Schematic")
    root.save(path, gzipped=True)
    return path


# Colours of the pictures, by words in block names (first match wins: stone bricks before
# bricks); teams build with any block, so the dye colours and materials cover most of what
# they use.
DYES = {"white": (234, 236, 237), "light_gray": (142, 142, 135), "gray": (62, 68, 71),
        "black": (21, 21, 26), "brown": (114, 72, 41), "red": (161, 39, 35),
        "orange": (240, 118, 19), "yellow": (248, 198, 40), "lime": (112, 185, 26),
        "green": (84, 109, 27), "cyan": (21, 138, 145), "light_blue": (58, 175, 217),
        "blue": (53, 57, 157), "purple": (121, 42, 172), "magenta": (189, 68, 179),
        "pink": (237, 141, 172)}
WORDS = (("stone_brick", (122, 121, 122)), ("water", (64, 110, 220)), ("lava", (220, 90, 20)), ("glass", (190, 220, 230)),
         ("leaves", (60, 120, 40)), ("grass", (95, 160, 60)), ("sand", (220, 208, 160)),
         ("dirt", (134, 96, 67)), ("farmland", (110, 75, 45)), ("gravel", (130, 125, 120)),
         ("brick", (150, 75, 60)), ("log", (100, 80, 50)), ("wood", (100, 80, 50)),
         ("planks", (170, 135, 85)), ("snow", (245, 250, 250)), ("ice", (160, 190, 250)),
         ("glowstone", (250, 210, 120)), ("lantern", (250, 210, 120)), ("gold", (245, 205, 60)),
         ("iron", (215, 215, 215)), ("copper", (190, 110, 80)), ("quartz", (235, 230, 222)),
         ("terracotta", (160, 90, 65)), ("stone", (125, 125, 125)), ("ore", (125, 125, 125)),
         ("deepslate", (80, 80, 85)), ("bedrock", (50, 50, 50)))
OTHER = (150, 150, 150)


def block_colour(state: str) -> tuple[int, int, int]:
    name = state.split("[")[0].split(":")[-1]
    for dye in sorted(DYES, key=len, reverse=True):  # light_gray before gray
        if name.startswith(dye + "_"):
            return DYES[dye]
    return next((rgb for word, rgb in WORDS if word in name), OTHER)


def top_view(palette: list[str], blocks: np.ndarray) -> Image.Image:
    """Each column's highest visible block, shaded lighter the higher it stands."""
    see = np.array([s.split("[")[0] not in TRANSPARENT for s in palette])
    solid = see[blocks]
    height, length, width = blocks.shape
    top = height - 1 - np.argmax(solid[::-1], axis=0)  # highest visible y per column
    has = solid.any(axis=0)
    idx = np.take_along_axis(blocks, top[None], axis=0)[0]
    colours = np.array([block_colour(s) for s in palette], dtype=np.float32)
    rgb = colours[idx]
    if has.any():
        lo, hi = top[has].min(), top[has].max()
        shade = 0.75 + 0.25 * (top - lo) / max(1, hi - lo)
        rgb *= shade[..., None]
    rgb[~has] = 255
    img = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8), "RGB")
    return img.resize((width * TOP_PX, length * TOP_PX), Image.NEAREST)


def iso_size(width: int, height: int, length: int) -> tuple[int, int]:
    """Pixel size of the isometric view of a box of blocks."""
    return (width + length) * ISO_PX, (width + length) * ISO_PX // 2 + height * ISO_PX


def iso_view(palette: list[str], blocks: np.ndarray) -> Image.Image:
    """Isometric view from the south-east: the top, east and south faces of every block that
    shows one, drawn far to near (painter's order), sides darker than tops."""
    height, length, width = blocks.shape
    t = ISO_PX
    img = Image.new("RGB", iso_size(width, height, length), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    see = np.array([s.split("[")[0] not in TRANSPARENT for s in palette])
    solid = np.pad(see[blocks], ((0, 1), (0, 1), (0, 1)))  # beyond the box counts as open
    shown = solid[:-1, :-1, :-1] & ~(solid[1:, :-1, :-1] & solid[:-1, 1:, :-1]
                                     & solid[:-1, :-1, 1:])
    colours = np.array([block_colour(s) for s in palette], dtype=np.int64)
    ox, oy = length * t, height * t  # screen point of world corner (x=0, y=0, z=0)

    def at(u: float, h: float, v: float) -> tuple[float, float]:
        return ox + (u - v) * t, oy + (u + v) * t / 2 - h * t

    ys, zs, xs = np.nonzero(shown)
    for i in np.lexsort((ys, xs + zs)):
        y, z, x = int(ys[i]), int(zs[i]), int(xs[i])
        c = colours[blocks[y, z, x]]
        top, east, south = tuple(c), tuple(c * 8 // 10), tuple(c * 6 // 10)
        draw.polygon([at(x, y + 1, z), at(x + 1, y + 1, z), at(x + 1, y + 1, z + 1),
                      at(x, y + 1, z + 1)], fill=top)
        draw.polygon([at(x + 1, y + 1, z), at(x + 1, y + 1, z + 1), at(x + 1, y, z + 1),
                      at(x + 1, y, z)], fill=east)
        draw.polygon([at(x, y + 1, z + 1), at(x + 1, y + 1, z + 1), at(x + 1, y, z + 1),
                      at(x, y, z + 1)], fill=south)
    return img


def plot_box(palette: list[str], column: np.ndarray) -> tuple[int, int]:
    """(lowest, highest) index along y worth exporting from the plot's full-height blocks."""
    solid = np.array([s != AIR for s in palette])[column]
    any_y = solid.any(axis=(1, 2))
    if not any_y.any():
        return 0, 0
    ny = solid.shape[0]
    surface = ny - 1 - np.argmax(solid[::-1], axis=0)  # highest non-air per column
    return max(0, int(surface.min()) - BELOW), int(np.flatnonzero(any_y).max())


def _read_boxes(reader, plots: list[Plot], world_dir) -> list:
    boxes = []
    for p in plots:
        got = reader.box(p.x0, p.z0, p.x1, p.z1)
        if got is None:
            raise WorldBuildError("The plot %(name)s (x %(x0)s to %(x1)s, z %(z0)s to %(z1)s) "
                                  "lies outside the chunks of the world in %(world)s; check "
                                  "that the layout belongs to this world.", name=p.name,
                                  x0=p.x0, x1=p.x1, z0=p.z0, z1=p.z1, world=str(world_dir))
        boxes.append(got)
    return boxes


def export_plots(world_dir: str | Path, plots: list[Plot], out_dir: str | Path) -> list[Path]:
    """Write the files of every plot; checks every plot against the world before writing.
    A Java world gives .schem files, a Bedrock one (.mcworld or folder) .mcstructure files."""
    bedrock = is_bedrock_world(world_dir)
    if bedrock:
        with BedrockWorldReader(world_dir) as reader:
            boxes = _read_boxes(reader, plots, world_dir)
    else:
        reader = JavaWorldReader(world_dir)
        boxes = _read_boxes(reader, plots, world_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for p, (palette, column) in zip(plots, boxes):
        # Pictures and the box go by Java names, so both editions' pictures look alike.
        names = [java_name(s) for s in palette] if bedrock else palette
        lo, hi = plot_box(names, column)
        blocks = column[lo:hi + 1]
        stem = out / file_stem(p.name)
        origin = (p.x0, lo + Y_MIN, p.z0)
        if bedrock:
            files.append(write_mcstructure(stem.with_suffix(".mcstructure"), palette, blocks,
                                           origin))
        else:
            files.append(write_schem(stem.with_suffix(".schem"), palette, blocks, origin,
                                     reader.data_version or 0))
        for suffix, image in (("-top.png", top_view(names, blocks)),
                              ("-iso.png", iso_view(names, blocks))):
            path = stem.with_name(stem.name + suffix)
            image.save(path)
            files.append(path)
    return files
