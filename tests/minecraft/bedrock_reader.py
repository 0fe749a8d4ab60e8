"""An independent reader for Bedrock worlds (.mcworld), used only by the tests.

Written from the format documentation (minecraft.wiki "Bedrock Edition level format", Team
Lodestone's "Subchunk Format" and "Data3D Format" pages), sharing no code with
minecraft/bedrock*.py: keys, sub-chunks, packed words and Data3D are decoded here by hand with
plain integer arithmetic; NBT is parsed by nbtlib; the LevelDB is opened with amulet-leveldb,
the same Mojang LevelDB fork the game uses.
"""
from __future__ import annotations

import io
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import nbtlib

OVERWORLD_KEY_LENGTHS = (9, 10)   # x, z, tag (+ sub-chunk y); 13/14 with a dimension id


@dataclass
class Chunk:
    records: dict[int, bytes] = field(default_factory=dict)      # tag -> value
    subchunks: dict[int, bytes] = field(default_factory=dict)    # y index -> value


def unpack_mcworld(path: Path, into: Path) -> Path:
    with zipfile.ZipFile(path) as zf:
        zf.extractall(into)
    return into


def read_db(world: Path) -> tuple[dict[tuple[int, int], Chunk], dict[bytes, bytes]]:
    """({(cx, cz): Chunk}, {other key: value}) of an unpacked world's db/."""
    import leveldb

    chunks: dict[tuple[int, int], Chunk] = {}
    other = {}
    db = leveldb.LevelDB(str(world / "db"))
    try:
        for key, value in db.iterate():
            if len(key) not in OVERWORLD_KEY_LENGTHS:
                other[key] = value
                continue
            cx, cz = struct.unpack("<ii", key[:8])
            chunk = chunks.setdefault((cx, cz), Chunk())
            if len(key) == 10:
                assert key[8] == 0x2F, f"a 10-byte key with tag {key[8]:#x}"
                chunk.subchunks[struct.unpack("b", key[9:10])[0]] = value
            else:
                chunk.records[key[8]] = value
    finally:
        db.close()
    return chunks, other


def unpack_words(data: bytes, bits: int, count: int = 4096) -> list[int]:
    """Indices packed `32 // bits` to a little-endian uint32, lowest bits first."""
    per_word = 32 // bits
    words = -(-count // per_word)
    assert len(data) >= 4 * words, "too few words"
    out = []
    mask = (1 << bits) - 1
    for w in struct.unpack(f"<{words}I", data[:4 * words]):
        for k in range(per_word):
            out.append((w >> (bits * k)) & mask)
    return out[:count]


def parse_nbt_sequence(data: bytes, count: int) -> tuple[list, int]:
    """`count` little-endian NBT root compounds back to back; (roots, bytes consumed)."""
    buf = io.BytesIO(data)
    roots = [nbtlib.File.parse(buf, byteorder="little") for _ in range(count)]
    return roots, buf.tell()


def state_of(entry) -> tuple[str, dict]:
    return str(entry["name"]), {k: v for k, v in entry["states"].items()}


def parse_subchunk(value: bytes, y_key: int) -> tuple[list, list[int], int]:
    """(palette entries, index per block (x * 256 + z * 16 + y), version tag of the entries)
    of a version 8/9 sub-chunk with one block storage."""
    version = value[0]
    assert version in (8, 9), f"sub-chunk version {version}"
    storages = value[1]
    pos = 2
    if version == 9:
        assert struct.unpack("b", value[2:3])[0] == y_key, "y byte differs from the key"
        pos = 3
    assert storages == 1, "expected one block storage (no water layer)"
    header = value[pos]
    pos += 1
    assert header & 1 == 0, "block storage must be the persistent (NBT) palette form"
    bits = header >> 1
    if bits == 0:
        palette, used = parse_nbt_sequence(value[pos:], 1)
        indices = [0] * 4096
    else:
        assert bits in (1, 2, 3, 4, 5, 6, 8, 16), f"{bits} bits per block"
        words = -(-4096 // (32 // bits))
        indices = unpack_words(value[pos:pos + 4 * words], bits)
        pos += 4 * words
        (size,) = struct.unpack("<I", value[pos:pos + 4])
        pos += 4
        palette, used = parse_nbt_sequence(value[pos:], size)
        assert max(indices) < size
    assert pos + used == len(value), "trailing bytes after the palette"
    versions = {int(e["version"]) for e in palette}
    assert len(versions) == 1
    return palette, indices, versions.pop()


def block_at(palette: list, indices: list[int], x: int, y: int, z: int) -> tuple[str, dict]:
    return state_of(palette[indices[x * 256 + z * 16 + y]])


def parse_data3d(value: bytes) -> tuple[list[int], list[list[int]]]:
    """(256 heights, index z * 16 + x; 24 biome id lists of 4096, index x * 256 + z * 16 + y)."""
    heights = list(struct.unpack("<256h", value[:512]))
    pos = 512
    biomes: list[list[int]] = []
    while pos < len(value):
        header = value[pos]
        pos += 1
        bits = header >> 1
        if bits == 127:
            assert biomes, "a repeat marker needs a storage below it"
            biomes.append(biomes[-1])
            continue
        if bits == 0:
            (only,) = struct.unpack("<I", value[pos:pos + 4])
            pos += 4
            biomes.append([only] * 4096)
            continue
        words = -(-4096 // (32 // bits))
        indices = unpack_words(value[pos:pos + 4 * words], bits)
        pos += 4 * words
        (size,) = struct.unpack("<I", value[pos:pos + 4])
        pos += 4
        ids = struct.unpack(f"<{size}I", value[pos:pos + 4 * size])
        pos += 4 * size
        biomes.append([ids[i] for i in indices])
    return heights, biomes


def read_level_dat(path: Path) -> tuple[int, int, nbtlib.tag.Compound]:
    """(storage version, declared length, root compound); asserts the length is exact."""
    raw = Path(path).read_bytes()
    version, length = struct.unpack("<ii", raw[:8])
    assert length == len(raw) - 8, "level.dat header length differs from the file"
    root = nbtlib.File.parse(io.BytesIO(raw[8:]), byteorder="little")
    return version, length, root
