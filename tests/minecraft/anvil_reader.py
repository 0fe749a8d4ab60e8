"""An independent reader for Java Edition worlds, used only by the tests.

Written from the format documentation (minecraft.wiki "Region file format" and "Chunk format"),
sharing no code with minecraft/java.py or minecraft/packing.py: region headers and packed longs
are decoded here by hand, NBT is parsed by nbtlib.
"""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from pathlib import Path

import nbtlib
import numpy as np

SECTOR_BYTES = 4096


@dataclass
class ChunkEntry:
    sector_offset: int
    sector_count: int
    timestamp: int
    compression: int
    nbt: nbtlib.tag.Compound


def read_region_bytes(data: bytes) -> dict[tuple[int, int], ChunkEntry]:
    """{(cx_local, cz_local): entry} for every chunk stored in a region file's bytes."""
    assert len(data) >= 2 * SECTOR_BYTES, "region file shorter than its 8 KiB header"
    assert len(data) % SECTOR_BYTES == 0, "region file not a whole number of sectors"
    chunks = {}
    for i in range(1024):
        loc = data[4 * i:4 * i + 4]
        offset = int.from_bytes(loc[:3], "big")
        count = loc[3]
        timestamp = int.from_bytes(data[SECTOR_BYTES + 4 * i:SECTOR_BYTES + 4 * i + 4], "big")
        if offset == 0 and count == 0:
            continue
        assert offset >= 2, "chunk data overlaps the header"
        start = offset * SECTOR_BYTES
        length = int.from_bytes(data[start:start + 4], "big")
        compression = data[start + 4]
        assert 5 + length - 1 <= count * SECTOR_BYTES, "chunk longer than its sectors"
        payload = data[start + 5:start + 4 + length]
        assert compression == 2, f"unexpected compression type {compression}"
        raw = zlib.decompress(payload)
        root = nbtlib.File.parse(io.BytesIO(raw))
        chunks[(i % 32, i // 32)] = ChunkEntry(offset, count, timestamp, compression, root)
    return chunks


def read_region(path: Path) -> dict[tuple[int, int], ChunkEntry]:
    return read_region_bytes(Path(path).read_bytes())


def unpack_longs(longs, bits: int, count: int) -> np.ndarray:
    """Entries of `bits` bits, 64 // bits per long, lowest bits first, none straddling longs."""
    per_long = 64 // bits
    mask = (1 << bits) - 1
    values = []
    for signed in longs:
        word = int(signed) & 0xFFFFFFFFFFFFFFFF
        for k in range(per_long):
            values.append((word >> (bits * k)) & mask)
    assert len(values) >= count, "too few longs for the entries"
    # Unused slots at the end of the last long must be zero padding.
    assert all(v == 0 for v in values[count:]), "non-zero padding after the last entry"
    return np.array(values[:count], dtype=np.int64)


def state_key(entry) -> str:
    """'minecraft:name[k=v,...]' for a palette compound (properties sorted)."""
    name = str(entry["Name"])
    props = entry.get("Properties")
    if props:
        inner = ",".join(f"{k}={props[k]}" for k in sorted(props))
        return f"{name}[{inner}]"
    return name


def section_states(section) -> tuple[list[str], np.ndarray]:
    """(palette as state keys, palette indices (16, 16, 16) indexed [y, z, x])."""
    states = section["block_states"]
    palette = [state_key(e) for e in states["palette"]]
    if len(palette) == 1:
        assert "data" not in states, "a one-entry palette must not carry data"
        return palette, np.zeros((16, 16, 16), dtype=np.int64)
    bits = max(4, (len(palette) - 1).bit_length())
    per_long = 64 // bits
    data = states["data"]
    assert len(data) == -(-4096 // per_long), f"wrong long count {len(data)} for {bits} bits"
    idx = unpack_longs(data, bits, 4096)
    assert idx.max() < len(palette)
    return palette, idx.reshape(16, 16, 16)


def section_biomes(section) -> np.ndarray:
    """Biome names (4, 4, 4) indexed [y, z, x] of 4x4x4 cells."""
    biomes = section["biomes"]
    palette = [str(b) for b in biomes["palette"]]
    if len(palette) == 1:
        assert "data" not in biomes
        return np.full((4, 4, 4), palette[0], dtype=object)
    bits = (len(palette) - 1).bit_length()
    idx = unpack_longs(biomes["data"], bits, 64)
    return np.array(palette, dtype=object)[idx].reshape(4, 4, 4)


def chunk_states(chunk, y_lo: int = -64, y_hi: int = 320) -> np.ndarray:
    """State keys (y_hi - y_lo, 16, 16) [y, z, x] of one chunk; missing sections read as air."""
    out = np.full((y_hi - y_lo, 16, 16), "minecraft:air", dtype=object)
    for section in chunk["sections"]:
        sy = int(section["Y"])
        palette, idx = section_states(section)
        y0 = sy * 16 - y_lo
        if 0 <= y0 < out.shape[0]:
            out[y0:y0 + 16] = np.array(palette, dtype=object)[idx]
    return out


def heightmap(chunk, name: str) -> np.ndarray:
    """(16, 16) [z, x] heightmap values (9 bits each for a 384-block world)."""
    longs = chunk["Heightmaps"][name]
    assert len(longs) == 37
    return unpack_longs(longs, 9, 256).reshape(16, 16)
