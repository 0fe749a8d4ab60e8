"""Minecraft Education / Bedrock writer: a .mcworld from the same RegionBlocks as the Java writer.

Public API:
- `encode_region(region) -> list[(key, value)]`: every LevelDB record of one region's present
  chunks, sorted by key; pure.
- `write_region_records(state_dir, region) -> Path`, `records_path(state_dir, rx, rz)`: the
  records of one region in a file (atomic), so region tasks can run in parallel processes and a
  build can resume: a LevelDB has one writer at a time, the process that builds the world.
- `write_db(db_dir, record_files) -> int`: all regions' records into a new LevelDB.
- `write_mcworld(path, record_files, settings, icon) -> Path`: the importable .mcworld.

A .mcworld is a zip of a Bedrock world folder (entries at the root, as the game exports them):
`level.dat` (bedrock_level.py), `levelname.txt`, `world_icon.jpeg` and the `db/` LevelDB.

LevelDB library: amulet-leveldb (PyPI), a wrapper of Mojang's own LevelDB fork
(github.com/Mojang/leveldb). The game opens its worlds with that fork, whose tables are
compressed with raw deflate (compressor id 4), a compressor stock LevelDB does not have; plain
bindings such as plyvel can neither read game worlds nor write tables the game can read.
amulet-leveldb writes with the raw-deflate compressor (id 4) and reads both zlib variants.

Record formats (minecraft.wiki "Bedrock Edition level format"; the byte layouts cross-checked
against PocketMine-MP's LevelDB.php, HiveGamesOSS/Chunker's Bedrock writer, and a world the game
itself saved: github.com/kirbycope/void-world-bedrock). A chunk key is x, z (int32
little-endian, chunk coordinates) and a one-byte tag, plus the sub-chunk's y for tag 0x2f:
- 0x2c Version: one byte, CHUNK_VERSION.
- 0x2f SubChunkPrefix: version 9, storage count 1, y (int8), then one block storage: a byte
  `bits << 1` (low bit 0: palette of NBT states), ceil(4096 / (32 // bits)) little-endian
  uint32 words holding 32 // bits indices each from the lowest bits up (never straddling words;
  index = x * 256 + z * 16 + y), a uint32 palette size and the palette entries
  (bedrock_blocks.py). A single-state sub-chunk is `bits` 0 with no words and no size, as the
  game writes it. All-air sub-chunks are not written: a missing sub-chunk is air.
- 0x2b Data3D: 256 int16 heights (index z * 16 + x), then one biome storage per sub-chunk from
  y = -64 up (24), in the block storage layout with uint32 biome ids instead of NBT (header
  `bits << 1 | 1`, as the game writes it; bits 0 = one id, no size); a header byte 0xff repeats
  the storage below, as the game does.
- 0x31 BlockEntity: little-endian NBT root compounds back to back (signs).
- 0x36 FinalizedState: int32 2, "done": the game neither generates nor populates the chunk.
- 0x3d GeneratedPreCavesAndCliffsBlending: one byte 0, so no old-world blending at the edges.
The heights are those of the game's own void world: the top non-air block's y + 1, counted from
the world's floor (y = -64), 0 for an empty column. Biomes: plains, ocean under water at the top.
"""
from __future__ import annotations

import heapq
import io
import mmap
import os
import shutil
import struct
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

import nbtlib
import numpy as np
from nbtlib import tag
from PIL import Image

from . import bedrock_level
from .bedrock_blocks import PALETTE_ENTRY
from .blocks import BLOCKS, Block
from .java import WORLD_MIN_Y, LevelSettings, RegionBlocks, _atomic_replace
from .packing import (
    distinct_rows,
    extract_sections,
    lookup_u8,
    presence_masks,
    section_extremes,
    top_layers,
)

# What Bedrock 1.18.30 to 1.21.31 write, so 1.21.0 too (Amulet-Core leveldb_chunk_versions.py;
# PocketMine-MP ChunkVersion::v1_18_30); newer games upgrade it.
CHUNK_VERSION = 40
SUBCHUNK_VERSION = 9
TAG_DATA3D, TAG_VERSION, TAG_SUBCHUNK = b"\x2b", b"\x2c", b"\x2f"
TAG_BLOCK_ENTITY, TAG_FINALIZED, TAG_BLENDING = b"\x31", b"\x36", b"\x3d"
FINALIZED_DONE = struct.pack("<i", 2)
BIOME_OCEAN, BIOME_PLAINS = 0, 1         # Bedrock's numeric biome ids (pmmp/BedrockData)
BIOME_SECTIONS = 24                      # sub-chunks -4..19
BITS = (1, 2, 3, 4, 5, 6, 8, 16)         # the widths the format allows
FLOOR_OFFSET = -WORLD_MIN_Y              # heights count from y = -64

_MAX_ID = max(int(b) for b in Block)
_LIQUID = np.zeros(256, dtype=bool)
for _b, _info in BLOCKS.items():
    _LIQUID[int(_b)] = _info.liquid


# ---------------------------------------------------------------------------------------------
# Packing

def bits_for(palette_size: int) -> int:
    return next(b for b in BITS if palette_size <= 1 << b)


def pack_words(indices: np.ndarray, bits: int) -> np.ndarray:
    """(n, 4096) palette indices -> (n, words * 4) uint8: the little-endian uint32 words.

    Widths dividing 8 are packed a byte at a time (the bytes of a little-endian word hold its
    entries in order); 3, 5 and 6 bits leave the top bits of each word unused and are packed per
    word."""
    n, count = indices.shape
    if bits == 16:
        return np.ascontiguousarray(indices, dtype="<u2").view(np.uint8).reshape(n, -1)
    if 8 % bits == 0:
        per_byte = 8 // bits
        idx = indices.astype(np.uint8, copy=False).reshape(n, count // per_byte, per_byte)
        out = idx[:, :, 0].copy()
        for k in range(1, per_byte):
            out |= idx[:, :, k] << np.uint8(k * bits)
        return out
    per_word = 32 // bits
    words = -(-count // per_word)
    padded = np.zeros((n, words * per_word), dtype=np.uint32)
    padded[:, :count] = indices
    padded = padded.reshape(n, words, per_word)
    packed = padded[:, :, 0].copy()
    for k in range(1, per_word):
        packed |= padded[:, :, k] << np.uint32(k * bits)
    return packed.astype("<u4").view(np.uint8).reshape(n, -1)


# ---------------------------------------------------------------------------------------------
# Sub-chunks

def _encode_mixed(sections: np.ndarray, max_id: int) -> tuple[list[bytes], np.ndarray]:
    """Block storages (everything after the sub-chunk's 3-byte header) and the top non-air
    layer + 1 per column (index z * 16 + x), for mixed sections (m, y, z, x).

    Identical sections (the bedrock floor, flat ground) are encoded once; the rest are grouped
    by their set of blocks so palette and packing work is vectorised per group."""
    m = sections.shape[0]
    if m == 0:
        return [], np.zeros((0, 256), dtype=np.uint8)
    first, inverse = distinct_rows(sections.reshape(m, 4096))
    reps = sections[first]
    presence = presence_masks(reps, max_id)
    keys, group_of = np.unique(np.packbits(presence, axis=1), axis=0, return_inverse=True)
    group_of = group_of.reshape(-1)
    bodies: list[bytes] = [b""] * len(first)
    tops = np.zeros((len(first), 256), dtype=np.uint8)
    for g in range(len(keys)):
        rows = np.flatnonzero(group_of == g)
        ids = np.flatnonzero(presence[rows[0]])
        _check_known(ids)
        bits = bits_for(len(ids))
        lut = np.zeros(256, dtype=np.uint8)
        lut[ids] = np.arange(len(ids), dtype=np.uint8)
        raw = reps[rows]                                            # (k, y, z, x)
        xzy = np.ascontiguousarray(raw.transpose(0, 3, 2, 1)).reshape(len(rows), 4096)
        words = pack_words(lookup_u8(lut, xzy), bits)
        head = bytes((bits << 1,))
        tail = struct.pack("<I", len(ids)) + b"".join(PALETTE_ENTRY[i] for i in ids.tolist())
        for r, row in enumerate(rows.tolist()):
            bodies[row] = head + words[r].tobytes() + tail
        if ids[0] == 0:
            tops[rows] = top_layers(raw.reshape(len(rows), 16, 256) != 0)
        else:
            tops[rows] = 16
    return [bodies[i] for i in inverse.tolist()], tops[inverse]


def _check_known(ids: np.ndarray) -> None:
    ids = [int(i) for i in ids]
    bad = [i for i in ids if i > _MAX_ID]
    if bad:
        raise ValueError(f"blocks contain id {bad[0]}, which is not a Block (ids are 0..{_MAX_ID})")
    missing = [Block(i).name for i in ids if not PALETTE_ENTRY[i]]
    if missing:
        raise ValueError(f"no Bedrock state for {', '.join(missing)}; add it to "
                         "minecraft/bedrock_blocks.py")


def _subchunk_header(sy: int) -> bytes:
    return bytes((SUBCHUNK_VERSION, 1, sy & 0xFF))


# ---------------------------------------------------------------------------------------------
# Data3D

def _biome_storage(ocean: np.ndarray) -> bytes:
    """The biome storages of one chunk: ocean[z, x] for every y, repeated for all 24 sub-chunks."""
    if not ocean.any() or ocean.all():
        first = bytes((1,)) + struct.pack("<I", BIOME_OCEAN if ocean.all() else BIOME_PLAINS)
    else:
        index = np.broadcast_to(ocean.T[:, :, None], (16, 16, 16)).reshape(1, 4096)  # x, z, y
        first = (bytes((1 << 1 | 1,)) + pack_words(index.astype(np.uint8), 1).tobytes()
                 + struct.pack("<III", 2, BIOME_PLAINS, BIOME_OCEAN))
    return first + b"\xff" * (BIOME_SECTIONS - 1)


def _data3d(heights: np.ndarray, ocean: np.ndarray, present: list[int]) -> dict[int, bytes]:
    """Data3D values of the present chunks. heights and ocean are [cz, cx, z, x]."""
    hm = heights.astype("<i2").reshape(1024, 256)
    patterns = np.packbits(ocean.reshape(1024, 256), axis=1)
    cache: dict[bytes, bytes] = {}
    out = {}
    for i in present:
        key = patterns[i].tobytes()
        biomes = cache.get(key)
        if biomes is None:
            biomes = cache[key] = _biome_storage(ocean.reshape(1024, 16, 16)[i])
        out[i] = hm[i].tobytes() + biomes
    return out


def _column_tops(lo: np.ndarray, uniform: np.ndarray, sy: np.ndarray, chunk: np.ndarray,
                 tops: np.ndarray) -> np.ndarray:
    """(32, 32, 16, 16) [cz, cx, z, x]: top non-air layer + 1 in the blocks array, 0 if none."""
    nsy = lo.shape[0]
    solid_uniform = (uniform & (lo != 0)).reshape(nsy, 1024)
    section_top = (np.arange(nsy, dtype=np.int16)[:, None] + 1) * 16
    heights = np.repeat(np.where(solid_uniform, section_top, 0).max(axis=0)[:, None], 256, axis=1)
    if len(chunk):
        mixed = np.where(tops > 0, sy.astype(np.int16)[:, None] * 16 + tops, 0).astype(np.int16)
        np.maximum.at(heights, chunk, mixed)
    return heights.reshape(32, 32, 16, 16)


def _top_is_water(region: RegionBlocks, tops: np.ndarray) -> np.ndarray:
    """[cz, cx, z, x] True where the top non-air block is a liquid."""
    by_column = tops.transpose(0, 2, 1, 3).reshape(512, 512)          # [Z, X]
    z, x = np.indices((512, 512))
    top_id = region.blocks[np.maximum(by_column - 1, 0), z, x]
    water = _LIQUID[top_id] & (by_column > 0)
    return water.reshape(32, 16, 32, 16).transpose(0, 2, 1, 3)


# ---------------------------------------------------------------------------------------------
# Signs

def sign_nbt(x: int, y: int, z: int, lines) -> bytes:
    """One sign block entity, little-endian: front text (the lines joined by newlines), waxed
    so players cannot edit it. Fields as Chunker's BedrockSignBlockEntityHandler writes them
    for 1.19.80 and later."""
    lines = [str(t) for t in lines]
    if len(lines) > 4:
        raise ValueError("a sign holds at most 4 lines")

    def side(text: str) -> tag.Compound:
        return tag.Compound({"Text": tag.String(text), "SignTextColor": tag.Int(-16777216),
                             "IgnoreLighting": tag.Byte(0)})

    root = nbtlib.File({
        "id": tag.String("Sign"), "isMovable": tag.Byte(1),
        "x": tag.Int(x), "y": tag.Int(y), "z": tag.Int(z),
        "IsWaxed": tag.Byte(1),
        "FrontText": side("\n".join(lines)), "BackText": side(""),
    }, root_name="")
    buf = io.BytesIO()
    root.write(buf, byteorder="little")
    return buf.getvalue()


def _signs_by_chunk(region: RegionBlocks) -> dict[int, bytes]:
    per_chunk: dict[int, list[bytes]] = {}
    for x, y, z, lines in sorted(region.signs, key=lambda s: (s[1], s[2], s[0])):
        if x // 512 != region.rx or z // 512 != region.rz:
            raise ValueError(f"sign at ({x}, {y}, {z}) is outside region "
                             f"({region.rx}, {region.rz})")
        cx, cz = (x // 16) % 32, (z // 16) % 32
        if region.present[cz, cx]:
            per_chunk.setdefault(cz * 32 + cx, []).append(sign_nbt(x, y, z, lines))
    return {k: b"".join(v) for k, v in per_chunk.items()}


# ---------------------------------------------------------------------------------------------
# Region encoding

_VERSION_VALUE = bytes((CHUNK_VERSION,))
_UNIFORM_STORAGE = [b"\x00" + e if e else b"" for e in PALETTE_ENTRY]   # bits 0: one state


def encode_region(region: RegionBlocks) -> list[tuple[bytes, bytes]]:
    """Every LevelDB record of the region's present chunks, sorted by key."""
    blocks = region.blocks
    sy_base = region.y_min // 16
    lo, hi = section_extremes(blocks)
    uniform = lo == hi
    present_mask = region.present
    _check_known(np.unique(lo[uniform & present_mask[None]]))
    mixed = ~uniform & present_mask[None]
    cz, cx, sy = np.nonzero(mixed.transpose(1, 2, 0))              # sorted by chunk
    chunk = cz * 32 + cx
    sections = extract_sections(blocks, sy, cz, cx)
    storages, tops = _encode_mixed(sections, int(hi[sy, cz, cx].max()) if len(sy) else 0)

    heights = _column_tops(lo, uniform, sy, chunk, tops)
    ocean = _top_is_water(region, heights)
    floor = region.y_min + FLOOR_OFFSET
    present = np.flatnonzero(present_mask.reshape(-1)).tolist()
    data3d = _data3d(np.where(heights > 0, heights + floor, 0), ocean, present)
    signs = _signs_by_chunk(region)

    records: list[tuple[bytes, bytes]] = []
    nsy = lo.shape[0]
    uniform_ids = lo.reshape(nsy, 1024).T                              # [chunk, sy]
    is_uniform = uniform.reshape(nsy, 1024).T
    for i in present:
        z, x = divmod(i, 32)
        prefix = struct.pack("<ii", region.rx * 32 + x, region.rz * 32 + z)
        records += [(prefix + TAG_VERSION, _VERSION_VALUE),
                    (prefix + TAG_DATA3D, data3d[i]),
                    (prefix + TAG_FINALIZED, FINALIZED_DONE),
                    (prefix + TAG_BLENDING, b"\x00")]
        if i in signs:
            records.append((prefix + TAG_BLOCK_ENTITY, signs[i]))
        for s in np.flatnonzero(is_uniform[i] & (uniform_ids[i] != 0)).tolist():
            y = sy_base + s
            records.append((prefix + TAG_SUBCHUNK + bytes((y & 0xFF,)),
                            _subchunk_header(y) + _UNIFORM_STORAGE[uniform_ids[i, s]]))
    for storage, s, c in zip(storages, sy.tolist(), chunk.tolist()):
        z, x = divmod(c, 32)
        y = sy_base + s
        prefix = struct.pack("<ii", region.rx * 32 + x, region.rz * 32 + z)
        records.append((prefix + TAG_SUBCHUNK + bytes((y & 0xFF,)), _subchunk_header(y) + storage))
    records.sort()
    return records


# ---------------------------------------------------------------------------------------------
# Record files (one per region) and the LevelDB

_RECORD = struct.Struct("<BI")   # key length, value length


def records_path(state_dir: Path, rx: int, rz: int) -> Path:
    return Path(state_dir) / "bedrock" / f"r.{rx}.{rz}.records"


def write_region_records(state_dir: Path, region: RegionBlocks) -> Path:
    """The region's records, sorted, in one file (atomic: temp file, fsync, rename)."""
    records = encode_region(region)
    path = records_path(state_dir, region.rx, region.rz)
    parts = []
    for key, value in records:
        parts += [_RECORD.pack(len(key), len(value)), key, value]
    data = b"".join(parts)
    _atomic_replace(path, lambda f: f.write(data))
    return path


def read_records(path: Path) -> Iterator[tuple[bytes, bytes]]:
    """The (key, value) records of one region file, in file (= key) order."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            pos, end, head = 0, len(data), _RECORD.size
            while pos < end:
                klen, vlen = _RECORD.unpack_from(data, pos)
                pos += head
                yield data[pos:pos + klen], data[pos + klen:pos + klen + vlen]
                pos += klen + vlen


BATCH_BYTES = 1 << 20


def write_db(db_dir: Path, record_files: Iterable[Path]) -> int:
    """Write all records into a new LevelDB at db_dir; returns the number of records.

    The regions' records are merged into one key order before writing, so every table LevelDB
    flushes covers a key range after all earlier ones and compaction only moves files instead
    of decompressing and recompressing them."""
    import leveldb   # amulet-leveldb: see the module docstring

    db = leveldb.LevelDB(str(db_dir), True)
    count = 0
    try:
        batch: dict[bytes, bytes] = {}
        size = 0
        for key, value in heapq.merge(*(read_records(p) for p in record_files)):
            batch[key] = value
            size += len(value)
            count += 1
            if size >= BATCH_BYTES:
                db.putBatch(batch)
                batch, size = {}, 0
        if batch:
            db.putBatch(batch)
    finally:
        db.close()
    # Closing leaves the last records in LevelDB's log, and a table still being flushed at that
    # moment as an orphan file. Opening once more replays the log into a table and deletes
    # orphans, so the world holds only compressed tables and the game opens it without repair.
    leveldb.LevelDB(str(db_dir)).close()
    return count


# ---------------------------------------------------------------------------------------------
# The .mcworld

ICON_SIZE = (640, 360)   # the 16:9 of the game's world list
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def world_icon_jpeg(image: np.ndarray) -> bytes:
    """The map (an RGB array, e.g. the preview's) fitted into a 16:9 JPEG on white."""
    picture = Image.fromarray(np.ascontiguousarray(image, dtype=np.uint8))
    picture.thumbnail(ICON_SIZE, Image.Resampling.LANCZOS)
    canvas = Image.new("RGB", ICON_SIZE, (255, 255, 255))
    canvas.paste(picture, ((ICON_SIZE[0] - picture.width) // 2,
                           (ICON_SIZE[1] - picture.height) // 2))
    buf = io.BytesIO()
    canvas.save(buf, format="JPEG", quality=85)
    return buf.getvalue()


def write_mcworld(path: Path, record_files: list[Path], settings: LevelSettings,
                  icon: np.ndarray | None = None, education: bool = True) -> Path:
    """Write the world (LevelDB from the record files, level.dat, name, icon) as a .mcworld zip
    at `path`, atomically. The LevelDB is built in a scratch folder beside it, then removed."""
    path = Path(path)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.db")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        write_db(scratch, record_files)
        entries: dict[str, bytes | Path] = {
            "level.dat": bedrock_level.level_dat_bytes(settings, education),
            "levelname.txt": settings.name.encode("utf-8")}
        if icon is not None:
            entries["world_icon.jpeg"] = world_icon_jpeg(icon)
        for p in scratch.iterdir():
            entries[f"db/{p.name}"] = p

        def write(f) -> None:
            with zipfile.ZipFile(f, "w") as zf:
                for name in sorted(entries):
                    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
                    info.external_attr = 0o644 << 16
                    info.create_system = 3
                    # LevelDB tables are already deflated block by block
                    info.compress_type = (zipfile.ZIP_STORED if name.endswith(".ldb")
                                          else zipfile.ZIP_DEFLATED)
                    content = entries[name]
                    if isinstance(content, bytes):
                        zf.writestr(info, content)
                    else:   # streamed: a county's LevelDB need not fit in memory
                        with open(content, "rb") as src, zf.open(info, "w") as dst:
                            shutil.copyfileobj(src, dst, 1 << 20)

        _atomic_replace(path, write)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return path
