"""Read blocks back out of a Java world that players have changed (Anvil region files).

The game rewrites chunks in its own way (any compression it supports, palettes in any order,
sections added or dropped), so this reads what the format allows, not what our writer wrote:
region headers and packed palette indices are decoded here (a few lines with numpy); NBT is
parsed by nbtlib, the library the project already uses. `anvil-parser` would do the same but
is unmaintained since 2021 and decodes block by block in Python.
"""
from __future__ import annotations

import gzip
import io
import zlib
from pathlib import Path

import nbtlib
import numpy as np

from .errors import WorldBuildError

SECTOR = 4096
AIR = "minecraft:air"
Y_MIN, Y_MAX = -64, 320  # the overworld's build range since 1.18


def state_string(entry) -> str:
    """`minecraft:name[key=value,...]` for a palette entry (properties sorted), the block state
    text that schematic palettes and commands use."""
    name = str(entry["Name"])
    props = entry.get("Properties")
    if props:
        return name + "[" + ",".join(f"{k}={props[k]}" for k in sorted(props)) + "]"
    return name


def _decompress(kind: int, payload: bytes) -> bytes:
    if kind == 2:
        return zlib.decompress(payload)
    if kind == 1:
        return gzip.decompress(payload)
    if kind == 3:
        return payload
    raise ValueError(f"chunk compression {kind} is not supported")


def read_chunks(path: Path) -> dict[tuple[int, int], nbtlib.Compound]:
    """{(cx % 32, cz % 32): chunk NBT} of one region file."""
    data = Path(path).read_bytes()
    out = {}
    for i in range(1024 if len(data) >= 2 * SECTOR else 0):
        offset = int.from_bytes(data[4 * i:4 * i + 3], "big")
        if offset == 0:
            continue
        start = offset * SECTOR
        length = int.from_bytes(data[start:start + 4], "big")
        raw = _decompress(data[start + 4], data[start + 5:start + 4 + length])
        out[(i % 32, i // 32)] = nbtlib.File.parse(io.BytesIO(raw))
    return out


def unpack(longs, bits: int, count: int) -> np.ndarray:
    """Packed indices (64 // bits per long, lowest bits first, none straddling two longs)."""
    words = np.asarray(longs, dtype=np.int64).view(np.uint64)
    per_long = 64 // bits
    shifts = (np.arange(per_long, dtype=np.uint64) * np.uint64(bits))
    values = (words[:, None] >> shifts[None, :]) & np.uint64((1 << bits) - 1)
    return values.reshape(-1)[:count].astype(np.int64)


class JavaWorldReader:
    """Block states of any box of a Java world, region files read once each."""

    def __init__(self, world_dir: str | Path):
        self.dir = Path(world_dir)
        if not (self.dir / "region").is_dir():
            raise WorldBuildError("%(world)s is not a Java world: it has no region folder.",
                                  world=str(self.dir))
        self._regions: dict[tuple[int, int], dict | None] = {}
        self.data_version: int | None = None

    def chunk(self, cx: int, cz: int):
        key = (cx >> 5, cz >> 5)
        if key not in self._regions:
            p = self.dir / "region" / f"r.{key[0]}.{key[1]}.mca"
            self._regions[key] = read_chunks(p) if p.exists() else None
        region = self._regions[key]
        return None if region is None else region.get((cx & 31, cz & 31))

    def box(self, x0: int, z0: int, x1: int, z1: int) -> tuple[list[str], np.ndarray] | None:
        """(palette, indices [y - Y_MIN, z - z0, x - x0]) of the columns x0..x1, z0..z1
        (inclusive) over the whole build height, or None when a chunk of it is missing."""
        palette: dict[str, int] = {AIR: 0}
        out = np.zeros((Y_MAX - Y_MIN, z1 - z0 + 1, x1 - x0 + 1), dtype=np.int32)
        for cz in range(z0 >> 4, (z1 >> 4) + 1):
            for cx in range(x0 >> 4, (x1 >> 4) + 1):
                chunk = self.chunk(cx, cz)
                if chunk is None:
                    return None
                if self.data_version is None and "DataVersion" in chunk:
                    self.data_version = int(chunk["DataVersion"])
                # The part of this chunk inside the box, in chunk and in box coordinates.
                ax, bx = max(x0, cx * 16), min(x1, cx * 16 + 15)
                az, bz = max(z0, cz * 16), min(z1, cz * 16 + 15)
                for section in chunk.get("sections", ()):
                    states = section.get("block_states")
                    y = int(section["Y"]) * 16 - Y_MIN
                    if states is None or not 0 <= y < out.shape[0]:
                        continue
                    ids = np.array([palette.setdefault(state_string(e), len(palette))
                                    for e in states["palette"]], dtype=np.int32)
                    if len(ids) == 1:
                        idx = np.zeros(4096, dtype=np.int64)
                    else:
                        bits = max(4, (len(ids) - 1).bit_length())
                        idx = unpack(states["data"], bits, 4096)
                    cube = ids[idx].reshape(16, 16, 16)  # [y, z, x]
                    out[y:y + 16, az - z0:bz - z0 + 1, ax - x0:bx - x0 + 1] = \
                        cube[:, az - cz * 16:bz - cz * 16 + 1, ax - cx * 16:bx - cx * 16 + 1]
        return list(palette), out
