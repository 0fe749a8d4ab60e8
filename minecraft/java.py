"""Java Edition writer: Anvil region files (1.18+ chunk format), level.dat and a download zip.

Public API (the interface the pipeline codes against; change only by agreement):

- `RegionBlocks`: one region's blocks as a uint8 numpy array of `Block` ids (+ optional signs).
- `encode_region(region, data_version) -> bytes`: the whole `.mca` file, deterministic.
- `write_region(world_dir, region, data_version) -> Path`: atomic write (temp file, fsync, rename).
- `region_path(world_dir, rx, rz) -> Path`.
- `LevelSettings`, `write_level_dat(world_dir, settings) -> Path`.
- `GAME_VERSIONS`, `DEFAULT_GAME_VERSION`.
- `compress_floor(region, data_version) -> list[bytes]`: the uncompressed chunk payloads exactly as
  `encode_region` compresses them, and `compress_payloads(payloads)`, for the benchmark's floor
  (time `compress_payloads` alone on the output of `compress_floor`). `compress_payloads` uses the
  writer's own compressor (`COMPRESSOR`: ISA-L when installed); stdlib
  `zlib.compress(p, ZLIB_LEVEL)` on the same payloads is the plain-zlib floor.
- `zip_world(world_dir, zip_path) -> Path`: deterministic zip for download.

Format references (minecraft.wiki): "Region file format", "Chunk format", "Java Edition level
format", "Data version". Chunk payloads are written by hand (see nbt_fast.py for why).

Choices, and why:
- Light: chunks are written with `isLightOn: 0` and no light arrays. The game then computes sky and
  block light itself when it first loads each chunk. Computing light correctly here (sky light
  flood fill under overhangs, water attenuation) would double the writer's work and any mistake
  shows as black patches; the game's relight costs a moment on first load only.
- Sections: every section inside the RegionBlocks y-range is written (uniform ones as a one-entry
  palette without data, a few dozen bytes each); sections outside it are omitted, which the game
  reads as air with the default biome.
- Biomes: plains, and ocean for 4x4 columns whose surface is mostly water; the same for every
  section of a chunk (biomes are 4x4x4 cells).
- Heightmaps (all four) are computed here from BlockInfo.solid / liquid / leaves, so the game
  has correct rain, spawning and map data from the first tick.
- Timestamps in the region header, LastUpdate and LastPlayed are 0 so output is byte-identical.

How it is fast (a region of 1,024 chunks in well under 0.1 s of CPU): uniform
sections are found for the whole region with two numpy reductions and written from precomputed
bytes; only mixed sections are copied out, identical ones encoded once, grouped by block set so
palette, packing and heightmap work is vectorised per group (see packing.py); chunk NBT is joined
from byte pieces (nbt_fast.py).
- Compression: ISA-L deflate at level 1 (zlib-format streams); see ZLIB_LEVEL for the
  measured speed/size trade-off.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import nbtlib
import numpy as np
from nbtlib import tag as nbt

try:   # ISA-L's deflate: the same zlib stream format, ~3x faster than zlib at level 1
    from isal import isal_zlib as _deflate
    COMPRESSOR = "isal"
except ImportError:   # pragma: no cover - isal is a declared dependency
    _deflate = zlib
    COMPRESSOR = "zlib"

from . import nbt_fast as N
from .blocks import BLOCKS, Block
from .packing import (
    bits_for_palette,
    distinct_rows,
    extract_sections,
    lookup_u8,
    pack_indices,
    pack_nibbles_big_endian,
    presence_masks,
    section_extremes,
    top_layers,
)

# DataVersion per release, from minecraft.wiki "Data version", cross-checked against two version
# tables kept by NBT/protocol libraries from the game's version.json (world_version). All use the
# 1.18+ chunk format written here; the block names we use (e.g. short_grass, renamed from grass in
# 1.20.3) exist in all of them.
# Stop at 1.21.4: 1.21.5 changed sign text and other NBT to typed components.
GAME_VERSIONS: dict[str, int] = {
    "1.20.4": 3700,
    "1.20.6": 3839,
    "1.21.1": 3955,
    "1.21.3": 4082,
    "1.21.4": 4189,
}
DEFAULT_GAME_VERSION = "1.21.4"

WORLD_MIN_Y = -64
WORLD_HEIGHT = 384
SECTION_Y_MIN = WORLD_MIN_Y // 16          # -4
SECTION_Y_MAX = (WORLD_MIN_Y + WORLD_HEIGHT) // 16 - 1  # 19

# Chunk compression: zlib format (compression type 2), produced by ISA-L (python-isal) when
# installed, else by zlib. Measured on a synthetic rolling-hills region (1,024 chunks, ny 256,
# 9.2 MB of payloads), CPU time: zlib level 1 ~52 ms (mean 1.04 KB per chunk), zlib level 6
# ~110 ms (0.92 KB), ISA-L level 1 ~20 ms (1.02 KB), ISA-L level 0 ~10 ms (1.21 KB). Every chunk of
# ordinary terrain fits one 4 KiB sector either way, so the .mca files are exactly the same size
# (4.2 MB); only on incompressible worst cases (random blocks) does ISA-L level 0 need more sectors
# (21 vs 17 MB), which level 1 does not. Hence ISA-L level 1 (zlib level 1 if ISA-L is missing;
# output is byte-identical only between runs using the same compressor, see COMPRESSOR).
ZLIB_LEVEL = 1

COMPRESSION_ZLIB = 2
SECTOR = 4096
HEIGHTMAP_BITS = 9     # ceil(log2(384 + 1))
HEIGHTMAP_LONGS = 37   # ceil(256 / (64 // 9))

# Heightmap flag bits (see BlockInfo docstring in blocks.py for the predicates).
HEIGHTMAPS = ("WORLD_SURFACE", "MOTION_BLOCKING", "MOTION_BLOCKING_NO_LEAVES", "OCEAN_FLOOR")

PLAINS = "minecraft:plains"
OCEAN = "minecraft:ocean"


@dataclass
class RegionBlocks:
    """The blocks of one 512 x 512 region column, ready for the writer.

    blocks[y - y_min, z_local, x_local] holds uint8 Block ids; everything outside
    [y_min, y_min + ny) is air. present[cz_local, cx_local] says which chunks to write.
    signs: (x, y, z, lines) in world block coordinates, up to 4 text lines each; written as sign
    block entities (front text, waxed so players cannot edit them) in present chunks. The sign
    block itself (e.g. Block.OAK_SIGN) must be in `blocks` at that position.
    """

    rx: int
    rz: int
    y_min: int
    blocks: np.ndarray
    present: np.ndarray
    signs: list = field(default_factory=list)

    def __post_init__(self) -> None:
        b = self.blocks
        if b.dtype != np.uint8 or b.ndim != 3 or b.shape[1:] != (512, 512):
            raise ValueError("blocks must be a uint8 array of shape (ny, 512, 512)")
        if not b.flags.c_contiguous:
            raise ValueError("blocks must be C-contiguous")
        if b.shape[0] % 16 or b.shape[0] == 0:
            raise ValueError("blocks height must be a positive multiple of 16")
        top = WORLD_MIN_Y + WORLD_HEIGHT
        if self.y_min % 16 or self.y_min < WORLD_MIN_Y or self.y_min + b.shape[0] > top:
            raise ValueError("y_min must be a multiple of 16 and the blocks must fit in y -64..319")
        p = np.asarray(self.present)
        if p.shape != (32, 32):
            raise ValueError("present must have shape (32, 32)")
        self.present = p.astype(bool, copy=False)


def region_path(world_dir: Path, rx: int, rz: int) -> Path:
    return Path(world_dir) / "region" / f"r.{rx}.{rz}.mca"


# ---------------------------------------------------------------------------------------------
# Precomputed NBT pieces (built once per process from the block vocabulary).

def _block_state_entry(info) -> bytes:
    """An unnamed palette compound {Name, Properties?} as it appears inside the palette list."""
    entries: dict = {"Name": (N.STRING, info.java)}
    if info.java_properties:
        props = {k: (N.STRING, v) for k, v in sorted(info.java_properties.items())}
        entries["Properties"] = (N.COMPOUND, props)
    return N.compound_payload(entries)


_MAX_ID = max(int(b) for b in Block)
# Ids are checked against _MAX_ID only, so the vocabulary must have no gaps.
assert sorted(int(b) for b in Block) == list(range(_MAX_ID + 1)), "Block ids must be 0..n-1"
_PALETTE_ENTRY: list[bytes] = [b""] * 256
for _b, _info in BLOCKS.items():
    _PALETTE_ENTRY[int(_b)] = _block_state_entry(_info)

_FLAGS = np.zeros(256, dtype=np.uint8)
for _b, _info in BLOCKS.items():
    _blocks_motion_or_fluid = _info.solid or _info.liquid
    _FLAGS[int(_b)] = (
        (1 if _b != Block.AIR else 0)
        | (2 if _blocks_motion_or_fluid else 0)
        | (4 if _blocks_motion_or_fluid and not _info.leaves else 0)
        | (8 if _info.solid else 0)
    )

_BLOCK_STATES = N.header(N.COMPOUND, "block_states")
_PALETTE_OF_COMPOUNDS = N.header(N.LIST, "palette") + bytes((N.COMPOUND,))
_DATA = N.header(N.LONG_ARRAY, "data")


def block_states_nbt(palette_entries: list[bytes], packed_big_endian: bytes | None) -> bytes:
    """Named `block_states` compound from prebuilt palette entries and packed data (or None)."""
    parts = [_BLOCK_STATES, _PALETTE_OF_COMPOUNDS, N.i32(len(palette_entries)), *palette_entries]
    if packed_big_endian is not None:
        parts += [_DATA, N.i32(len(packed_big_endian) // 8), packed_big_endian]
    parts.append(N.TAG_END)
    return b"".join(parts)


# Ids sharing one Java state (the Education-only allow/deny blocks are bedrock here) share one
# palette entry: the canonical id is the smallest id with the same entry.
_CANONICAL = np.array([_PALETTE_ENTRY.index(e) if e else i for i, e in enumerate(_PALETTE_ENTRY)],
                      dtype=np.uint8)
_UNIFORM_BLOCK_STATES = [block_states_nbt([e], None) if e else b"" for e in _PALETTE_ENTRY]


def biomes_nbt(palette: list[str], packed_big_endian: bytes | None) -> bytes:
    parts = [N.header(N.COMPOUND, "biomes"), N.list_header("palette", N.STRING, len(palette))]
    parts += [N.string_payload(name) for name in palette]
    if packed_big_endian is not None:
        parts.append(N.long_array_tag("data", packed_big_endian))
    parts.append(N.TAG_END)
    return b"".join(parts)


_BIOMES_PLAINS = biomes_nbt([PLAINS], None)
_BIOMES_OCEAN = biomes_nbt([OCEAN], None)
_SECTION_Y = {y: N.header(N.BYTE, "Y") + struct.pack(">b", y)
              for y in range(SECTION_Y_MIN, SECTION_Y_MAX + 1)}
_HEIGHTMAP_HEADERS = [N.header(N.LONG_ARRAY, name) + N.i32(HEIGHTMAP_LONGS) for name in HEIGHTMAPS]
_HEIGHTMAPS_OPEN = N.header(N.COMPOUND, "Heightmaps")
_ROOT_OPEN = N.header(N.COMPOUND, "")
_X_POS = N.header(N.INT, "xPos")
_Z_POS = N.header(N.INT, "zPos")
_SECTIONS_OPEN = N.header(N.LIST, "sections") + bytes((N.COMPOUND,))
_NO_BLOCK_ENTITIES = N.empty_list("block_entities")
_CHUNK_TAIL = b"".join([
    N.empty_list("entities"),
    N.empty_list("fluid_ticks"),
    N.empty_list("block_ticks"),
    N.header(N.COMPOUND, "structures"),
    N.header(N.COMPOUND, "References"), N.TAG_END,
    N.header(N.COMPOUND, "starts"), N.TAG_END,
    N.TAG_END,   # end of structures
    N.TAG_END,   # end of root
])


def _chunk_head(data_version: int, y_min_section: int) -> bytes:
    return b"".join([
        N.int_tag("DataVersion", data_version),
        N.string_tag("Status", "minecraft:full"),
        N.long_tag("LastUpdate", 0),
        N.long_tag("InhabitedTime", 0),
        N.byte_tag("isLightOn", 0),
        N.int_tag("yPos", y_min_section),
    ])


# ---------------------------------------------------------------------------------------------
# Region encoding.

def _encode_mixed(sections: np.ndarray, max_id: int) -> tuple[list[bytes], np.ndarray]:
    """block_states compounds and heightmap column tops for mixed sections (m, 16, 16, 16).

    Identical sections (every bedrock-floor section, repeated flat ground) are encoded once.
    Returns (bytes per section, tops (4, m, 256) uint8: highest layer + 1 with each heightmap flag).
    """
    m = sections.shape[0]
    if m == 0:
        return [], np.zeros((4, 0, 256), dtype=np.uint8)
    first, inverse = distinct_rows(sections.reshape(m, 4096))
    if len(first) == m:
        return _encode_distinct(sections, max_id)
    states, tops = _encode_distinct(sections[first], max_id)
    return [states[i] for i in inverse.tolist()], tops[:, inverse]


def _encode_distinct(sections: np.ndarray, max_id: int) -> tuple[list[bytes], np.ndarray]:
    """_encode_mixed for sections known to differ from each other.

    Sections are grouped by their set of block ids (typical terrain has a handful of such sets per
    region), so palette bytes, index lookup, packing and heightmap predicates are done once per
    group, vectorised over its sections. Palettes are sorted by block id. Palettes of up to 16
    states (4 bits, nearly all terrain) are mapped and packed in a single table lookup per pair
    of blocks.
    """
    m = sections.shape[0]
    tops = np.zeros((4, m, 256), dtype=np.uint8)
    flat = sections.reshape(m, 4096)
    presence = presence_masks(sections, max_id)
    keys, group_of = np.unique(np.packbits(presence, axis=1), axis=0, return_inverse=True)
    group_of = group_of.reshape(-1)
    out: list[bytes] = [b""] * m
    order = np.argsort(group_of, kind="stable")
    bounds = np.searchsorted(group_of[order], np.arange(len(keys) + 1))
    for g in range(len(keys)):
        rows = order[bounds[g]:bounds[g + 1]]
        ids = np.flatnonzero(presence[rows[0]])
        states, index = np.unique(_CANONICAL[ids], return_inverse=True)
        n = len(states)
        lut = np.zeros(256, dtype=np.uint8)
        lut[ids] = index.astype(np.uint8)
        raw = flat[rows]
        if n <= 16:
            data = pack_nibbles_big_endian(lut, raw)            # (rows, 2048) uint8
        else:
            packed = pack_indices(lookup_u8(lut, raw), bits_for_palette(n, 4))
            data = packed.astype(">u8").view(np.uint8).reshape(len(rows), -1)
        head = b"".join([_BLOCK_STATES, _PALETTE_OF_COMPOUNDS, N.i32(n),
                         *(_PALETTE_ENTRY[i] for i in states.tolist()),
                         _DATA, N.i32(data.shape[1] // 8)])
        for r, row in enumerate(rows.tolist()):
            out[row] = head + data[r].tobytes() + N.TAG_END
        _group_tops(raw.reshape(len(rows), 16, 256), ids, rows, tops)
    return out, tops


def _group_tops(raw: np.ndarray, ids: np.ndarray, rows: np.ndarray, tops: np.ndarray) -> None:
    """Fill tops[k, rows] for the 4 heightmap flags of one palette group (raw block ids)."""
    done: dict[tuple[int, ...], np.ndarray] = {}
    flags = _FLAGS[ids]
    for k in range(4):
        without = tuple(ids[((flags >> k) & 1) == 0].tolist())   # block ids lacking flag k
        top = done.get(without)
        if top is None:
            if not without:
                top = np.full((len(rows), 256), 16, dtype=np.uint8)
            elif len(without) == len(ids):
                top = np.zeros((len(rows), 256), dtype=np.uint8)
            elif len(without) <= 2:
                # Comparisons run at memory speed; most terrain lacks a flag only for air, or for
                # air and water.
                mask = raw != without[0]
                for i in without[1:]:
                    mask &= raw != i
                top = top_layers(mask)
            else:
                table = np.ones(256, dtype=np.uint8)
                table[list(without)] = 0
                top = top_layers(lookup_u8(table, raw).view(bool))
            done[without] = top
        tops[k, rows] = top


def _heightmaps(region: RegionBlocks, lo: np.ndarray, uniform: np.ndarray, sy: np.ndarray,
                chunk: np.ndarray, tops: np.ndarray) -> np.ndarray:
    """(4, 1024, 256) heights relative to the world bottom (y = -64), 0 for empty columns.

    Uniform sections contribute their top (or nothing) to all 256 columns of their chunk; mixed
    sections contribute their per-column tops. `chunk` (cz * 32 + cx per mixed section) must be
    sorted: mixed sections are then laid out as (chunk, k-th mixed section of it, column), a
    small dense array whose max over k is one elementwise pass.
    """
    nsy = lo.shape[0]
    uniform_flags = _FLAGS[lo].reshape(nsy, 1024)
    uniform = uniform.reshape(nsy, 1024)
    section_top = (np.arange(nsy, dtype=np.int16)[:, None] + 1) * 16
    out = np.zeros((4, 1024, 256), dtype=np.int16)
    m = len(chunk)
    if m:
        starts = np.flatnonzero(np.r_[True, chunk[1:] != chunk[:-1]])
        group_start = np.repeat(starts, np.diff(np.r_[starts, m]))
        kth = np.arange(m) - group_start                      # position within its chunk
        chunks_with_mixed = chunk[starts]
        base = sy.astype(np.int16)[:, None] * 16
        dense = np.zeros((len(starts), int(kth.max()) + 1, 256), dtype=np.int16)
        slot = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, m]))
    for k in range(4):
        has = uniform & ((uniform_flags >> k) & 1).astype(bool)
        # Without leaves, flowers or water the four maps often coincide: reuse, don't recompute.
        same = next((j for j in range(k) if np.array_equal(has, uniform & ((uniform_flags >> j) & 1)
                                                            .astype(bool))
                     and np.array_equal(tops[k], tops[j])), None)
        if same is not None:
            out[k] = out[same]
            continue
        out[k] = np.where(has, section_top, 0).max(axis=0)[:, None]
        if m:
            t = tops[k]
            dense[slot, kth] = np.where(t > 0, base + t, 0)
            best = dense.max(axis=1)
            dense[:] = 0
            out[k, chunks_with_mixed] = np.maximum(out[k, chunks_with_mixed], best)
    offset = region.y_min - WORLD_MIN_Y
    return np.where(out > 0, out + offset, 0)


def _heightmaps_blob(heights: np.ndarray) -> bytes:
    """The named `Heightmaps` compound of all 1024 chunks, concatenated in chunk index order
    (equal sizes, so chunk i is slice i): built as one numpy byte array instead of 4,096 joins."""
    longs = pack_indices(heights.reshape(4 * 1024, 256), HEIGHTMAP_BITS)
    data = longs.astype(">u8").view(np.uint8).reshape(4, 1024, HEIGHTMAP_LONGS * 8)
    pieces = [_HEIGHTMAPS_OPEN]
    for k, hdr in enumerate(_HEIGHTMAP_HEADERS):
        pieces += [hdr, data[k]]
    pieces.append(N.TAG_END)
    columns = [np.broadcast_to(np.frombuffer(p, np.uint8), (1024, len(p))) if isinstance(p, bytes)
               else p for p in pieces]
    return np.concatenate(columns, axis=1).tobytes()


def _biomes(heights: np.ndarray) -> tuple[np.ndarray, list[bytes]]:
    """Biomes per chunk: (index (1024,) into the returned list of `biomes` compounds).

    Ocean where most of a 4x4 column cell has water on top, plains elsewhere."""
    # The top motion-blocking block is a fluid exactly where MOTION_BLOCKING > OCEAN_FLOOR.
    water = (heights[1] > heights[3]).reshape(32, 32, 4, 4, 4, 4)  # cz, cx, bz, z, bx, x
    ocean_cells = water.sum(axis=(3, 5)) >= 8                        # cz, cx, bz, bx
    cell_bits = ocean_cells.reshape(1024, 16).astype(np.uint64)
    pattern = (cell_bits << np.arange(16, dtype=np.uint64)).sum(axis=1)  # bit (bz*4+bx)
    patterns, index = np.unique(pattern, return_inverse=True)
    blobs = []
    for p in patterns.tolist():
        if p == 0:
            blobs.append(_BIOMES_PLAINS)
        elif p == 0xFFFF:
            blobs.append(_BIOMES_OCEAN)
        else:
            # 64 entries (y, z, x order), 1 bit each: the 16-cell pattern repeated for 4 y.
            long_value = p | (p << 16) | (p << 32) | (p << 48)
            blobs.append(biomes_nbt([PLAINS, OCEAN], struct.pack(">Q", long_value)))
    return index.reshape(-1), blobs


def _chunk_payloads(region: RegionBlocks, data_version: int) -> list[tuple[int, bytes]]:
    """(location index, uncompressed chunk NBT) for every present chunk, in index order."""
    blocks = region.blocks
    nsy = blocks.shape[0] // 16
    sy_base = region.y_min // 16
    lo, hi = section_extremes(blocks)
    if int(hi.max()) > _MAX_ID:
        raise ValueError(f"blocks contain id {int(hi.max())}, which is not a Block "
                         f"(ids are 0..{_MAX_ID})")
    uniform = lo == hi
    mixed = ~uniform & region.present[None]
    cz, cx, sy = np.nonzero(mixed.transpose(1, 2, 0))   # sorted by chunk, then section
    chunk = cz * 32 + cx
    sections = extract_sections(blocks, sy, cz, cx)
    mixed_states, tops = _encode_mixed(sections, int(hi[sy, cz, cx].max()) if len(sy) else 0)

    heights = _heightmaps(region, lo, uniform, sy, chunk, tops)
    heightmaps = _heightmaps_blob(heights)
    hm_size = len(heightmaps) // 1024
    biome_of, biome_blobs = _biomes(heights)

    # Every section of every chunk becomes one entry of `table`: uniform sections share entries
    # per (section, block, biome), mixed ones get their own. `codes` says which, per chunk.
    n_bio = len(biome_blobs)
    key = ((np.arange(nsy)[None, :] * 256 + lo.reshape(nsy, 1024).T) * n_bio
           + biome_of[:, None])                                        # (1024 chunks, nsy)
    is_mixed = mixed.reshape(nsy, 1024).T
    keys, first_code = np.unique(key[~is_mixed], return_inverse=True)
    codes = np.empty((1024, nsy), dtype=np.int64)
    codes[~is_mixed] = first_code.reshape(-1)
    codes[chunk, sy] = len(keys) + np.arange(len(sy))
    table = []
    for k in keys.tolist():
        rest, bio = divmod(k, n_bio)
        s, value = divmod(rest, 256)
        table.append(b"".join([_SECTION_Y[sy_base + s], _UNIFORM_BLOCK_STATES[value],
                               biome_blobs[bio], N.TAG_END]))
    for state, s, c in zip(mixed_states, sy.tolist(), chunk.tolist()):
        table.append(b"".join([_SECTION_Y[sy_base + s], state, biome_blobs[biome_of[c]],
                               N.TAG_END]))

    signs_by_chunk = _sign_block_entities(region)
    head = _ROOT_OPEN + _chunk_head(data_version, SECTION_Y_MIN)
    sections_open = _SECTIONS_OPEN + N.i32(nsy)
    present = np.flatnonzero(region.present.reshape(-1)).tolist()
    codes_list = codes[present].tolist()
    pick = table.__getitem__
    out = []
    for i, chunk_codes in zip(present, codes_list):
        z, x = divmod(i, 32)
        payload = b"".join([
            head, _X_POS, N.i32(region.rx * 32 + x), _Z_POS, N.i32(region.rz * 32 + z),
            sections_open, *map(pick, chunk_codes),
            heightmaps[i * hm_size:(i + 1) * hm_size],
            signs_by_chunk.get(i, _NO_BLOCK_ENTITIES), _CHUNK_TAIL])
        out.append((i, payload))
    return out


def sign_nbt(x: int, y: int, z: int, lines) -> bytes:
    """Payload of one sign block entity (1.20-1.21.4 layout: front_text/back_text with 4 JSON
    text messages each; a JSON string literal is a valid text component)."""
    lines = [str(t) for t in lines]
    if len(lines) > 4:
        raise ValueError("a sign holds at most 4 lines")
    lines += [""] * (4 - len(lines))

    def side(texts):
        return (N.COMPOUND, {
            "messages": (N.LIST, (N.STRING, [json.dumps(t, ensure_ascii=False) for t in texts])),
            "color": (N.STRING, "black"),
            "has_glowing_text": (N.BYTE, 0),
        })

    return N.compound_payload({
        "id": (N.STRING, "minecraft:sign"),
        "x": (N.INT, x), "y": (N.INT, y), "z": (N.INT, z),
        "keepPacked": (N.BYTE, 0),
        "is_waxed": (N.BYTE, 1),
        "front_text": side(lines),
        "back_text": side([""] * 4),
    })


def _sign_block_entities(region: RegionBlocks) -> dict[int, bytes]:
    """block_entities list per chunk index for the region's signs (sorted, so deterministic)."""
    per_chunk: dict[int, list[bytes]] = {}
    for x, y, z, lines in sorted(region.signs, key=lambda s: (s[1], s[2], s[0])):
        if x // 512 != region.rx or z // 512 != region.rz:
            raise ValueError(f"sign at ({x}, {y}, {z}) is outside region ({region.rx}, {region.rz})")
        cx, cz = (x // 16) % 32, (z // 16) % 32
        if region.present[cz, cx]:
            per_chunk.setdefault(cz * 32 + cx, []).append(sign_nbt(x, y, z, lines))
    return {k: N.list_header("block_entities", N.COMPOUND, len(v)) + b"".join(v)
            for k, v in per_chunk.items()}


def compress_floor(region: RegionBlocks, data_version: int) -> list[bytes]:
    """The uncompressed chunk payloads exactly as encode_region compresses them (for benchmarks:
    time `compress_payloads` on this list to get the zlib-only floor)."""
    return [payload for _, payload in _chunk_payloads(region, data_version)]


def compress_payloads(payloads: list[bytes], level: int = ZLIB_LEVEL) -> list[bytes]:
    """Compress payloads exactly as encode_region does (same compressor and level)."""
    return [_deflate.compress(p, level) for p in payloads]


def encode_region(region: RegionBlocks, data_version: int) -> bytes:
    """The complete .mca file for one region: 8 KiB header, then 4 KiB-aligned zlib chunks."""
    locations = bytearray(SECTOR)
    body = []
    sector = 2
    for index, payload in _chunk_payloads(region, data_version):
        compressed = _deflate.compress(payload, ZLIB_LEVEL)
        length = len(compressed) + 1   # the length field counts the compression-type byte
        used = 5 + len(compressed)
        sectors = -(-used // SECTOR)
        if sectors > 255:
            raise ValueError(f"chunk {index} of region ({region.rx}, {region.rz}) is too large "
                             f"({sectors} sectors) for a region file entry")
        body += [struct.pack(">IB", length, COMPRESSION_ZLIB), compressed,
                 bytes(sectors * SECTOR - used)]
        locations[index * 4:index * 4 + 4] = struct.pack(">I", (sector << 8) | sectors)
        sector += sectors
    timestamps = bytes(SECTOR)   # 0: deterministic output
    return b"".join([bytes(locations), timestamps, *body])


def _atomic_write(path: Path, data: bytes) -> None:
    _atomic_replace(path, lambda f: f.write(data))


def _atomic_replace(path: Path, write) -> None:
    """Call write(file) on a temp file in the same folder, fsync, then rename over `path`.

    The temp name starts with a dot and does not end in .mca, so neither the game nor a resume
    scan mistakes it for a finished file; on any error it is removed and nothing appears under
    the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise
    # A process killed mid-write (SIGKILL, power loss) cannot clean up after itself: remove its
    # leftovers for this file now that a complete one is in place.
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass
    try:   # persist the rename itself (POSIX); not possible on every platform
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_region(world_dir: Path, region: RegionBlocks, data_version: int) -> Path:
    path = region_path(world_dir, region.rx, region.rz)
    _atomic_write(path, encode_region(region, data_version))
    return path


# ---------------------------------------------------------------------------------------------
# level.dat

@dataclass
class LevelSettings:
    """World-wide settings written to level.dat. Defaults: creative, peaceful, noon, clear sky,
    no mobs, no fire spread, and a void (empty flat) generator so the game adds nothing."""

    name: str
    spawn: tuple[int, int, int]
    border_center: tuple[float, float]
    border_size: float
    version_name: str = DEFAULT_GAME_VERSION
    data_version: int | None = None     # None: GAME_VERSIONS[version_name]
    game_type: int = 1                  # 0 survival, 1 creative, 2 adventure, 3 spectator
    seed: int = 0
    day_time: int = 6000                # noon
    allow_commands: bool = True

    def resolved_data_version(self) -> int:
        if self.data_version is not None:
            return self.data_version
        if self.version_name not in GAME_VERSIONS:
            raise ValueError(f"unknown game version {self.version_name!r}; "
                             f"choose one of {', '.join(GAME_VERSIONS)}")
        return GAME_VERSIONS[self.version_name]


GAME_RULES = {
    "doMobSpawning": "false",
    "doPatrolSpawning": "false",
    "doTraderSpawning": "false",
    "doWardenSpawning": "false",
    "doInsomnia": "false",
    "disableRaids": "true",
    "doFireTick": "false",
    "mobGriefing": "false",
    "doDaylightCycle": "false",
    "doWeatherCycle": "false",
    "keepInventory": "true",
    "spawnRadius": "0",
}


def level_dat_nbt(settings: LevelSettings) -> nbt.Compound:
    """The root compound of level.dat (exposed so tests and tools can inspect it)."""
    dv = settings.resolved_data_version()
    x, y, z = settings.spawn
    never = 1_000_000_000   # ticks: weather stays clear for ~1.5 real years

    def flat_void() -> nbt.Compound:
        return nbt.Compound({
            "type": nbt.String("minecraft:flat"),
            "settings": nbt.Compound({
                "layers": nbt.List[nbt.Compound]([]),
                "biome": nbt.String(PLAINS),
                "features": nbt.Byte(0),
                "lakes": nbt.Byte(0),
                "structure_overrides": nbt.List[nbt.String]([]),
            }),
        })

    dimensions = nbt.Compound({
        "minecraft:overworld": nbt.Compound({
            "type": nbt.String("minecraft:overworld"), "generator": flat_void()}),
        "minecraft:the_nether": nbt.Compound({
            "type": nbt.String("minecraft:the_nether"),
            "generator": nbt.Compound({
                "type": nbt.String("minecraft:noise"),
                "settings": nbt.String("minecraft:nether"),
                "biome_source": nbt.Compound({"type": nbt.String("minecraft:multi_noise"),
                                              "preset": nbt.String("minecraft:nether")}),
            })}),
        "minecraft:the_end": nbt.Compound({
            "type": nbt.String("minecraft:the_end"),
            "generator": nbt.Compound({
                "type": nbt.String("minecraft:noise"),
                "settings": nbt.String("minecraft:end"),
                "biome_source": nbt.Compound({"type": nbt.String("minecraft:the_end")}),
            })}),
    })
    data = nbt.Compound({
        "DataVersion": nbt.Int(dv),
        "version": nbt.Int(19133),   # NBT version of the Anvil format
        "Version": nbt.Compound({
            "Id": nbt.Int(dv), "Name": nbt.String(settings.version_name),
            "Series": nbt.String("main"), "Snapshot": nbt.Byte(0)}),
        "LevelName": nbt.String(settings.name),
        "GameType": nbt.Int(settings.game_type),
        "hardcore": nbt.Byte(0),
        "allowCommands": nbt.Byte(1 if settings.allow_commands else 0),
        "Difficulty": nbt.Byte(0),          # peaceful
        "DifficultyLocked": nbt.Byte(0),
        "initialized": nbt.Byte(1),
        "LastPlayed": nbt.Long(0),
        "WasModded": nbt.Byte(0),
        "DayTime": nbt.Long(settings.day_time),
        "Time": nbt.Long(settings.day_time),
        "raining": nbt.Byte(0), "rainTime": nbt.Int(never),
        "thundering": nbt.Byte(0), "thunderTime": nbt.Int(never),
        "clearWeatherTime": nbt.Int(never),
        "SpawnX": nbt.Int(x), "SpawnY": nbt.Int(y), "SpawnZ": nbt.Int(z),
        "SpawnAngle": nbt.Float(0.0),
        "BorderCenterX": nbt.Double(settings.border_center[0]),
        "BorderCenterZ": nbt.Double(settings.border_center[1]),
        "BorderSize": nbt.Double(settings.border_size),
        "BorderSizeLerpTarget": nbt.Double(settings.border_size),
        "BorderSizeLerpTime": nbt.Long(0),
        "BorderSafeZone": nbt.Double(5.0),
        "BorderDamagePerBlock": nbt.Double(0.2),
        "BorderWarningBlocks": nbt.Double(5.0),
        "BorderWarningTime": nbt.Double(15.0),
        "GameRules": nbt.Compound({k: nbt.String(v) for k, v in GAME_RULES.items()}),
        "DataPacks": nbt.Compound({"Enabled": nbt.List[nbt.String]([nbt.String("vanilla")]),
                                   "Disabled": nbt.List[nbt.String]([])}),
        "enabled_features": nbt.List[nbt.String]([nbt.String("minecraft:vanilla")]),
        "ServerBrands": nbt.List[nbt.String]([nbt.String("vanilla")]),
        "CustomBossEvents": nbt.Compound({}),
        "ScheduledEvents": nbt.List[nbt.Compound]([]),
        "WorldGenSettings": nbt.Compound({
            "seed": nbt.Long(settings.seed),
            "generate_features": nbt.Byte(0),
            "bonus_chest": nbt.Byte(0),
            "dimensions": dimensions,
        }),
    })
    return nbt.Compound({"Data": data})


def write_level_dat(world_dir: Path, settings: LevelSettings) -> Path:
    """Gzipped level.dat (gzip header mtime 0, so the file is deterministic), written atomically."""
    root = nbtlib.File(level_dat_nbt(settings), root_name="")
    raw = io.BytesIO()
    root.write(raw)
    path = Path(world_dir) / "level.dat"
    _atomic_write(path, gzip.compress(raw.getvalue(), compresslevel=6, mtime=0))
    return path


# ---------------------------------------------------------------------------------------------
# Download zip

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def zip_world(world_dir: Path, zip_path: Path) -> Path:
    """Zip the world folder under its own name, entries sorted, fixed timestamps and modes.

    Region files are stored, not deflated: their chunks are already zlib-compressed. Hidden files
    and folders are skipped: our temp files, and the build's resume state (.samskapa-build),
    which is of no use in the game and names the builder's own paths. So is session.lock.
    Written atomically like regions.
    """
    world_dir = Path(world_dir)
    zip_path = Path(zip_path)
    files = sorted(
        p for p in world_dir.rglob("*")
        if p.is_file() and p.name != "session.lock"
        and not any(part.startswith(".") for part in p.relative_to(world_dir).parts)
        and p.resolve() != zip_path.resolve()
    )

    def write(f) -> None:
        with zipfile.ZipFile(f, "w") as zf:
            for p in files:
                rel = p.relative_to(world_dir).as_posix()
                info = zipfile.ZipInfo(f"{world_dir.name}/{rel}", date_time=_ZIP_EPOCH)
                info.external_attr = 0o644 << 16
                info.create_system = 3   # unix, so the mode is honoured everywhere
                info.compress_type = (zipfile.ZIP_STORED if p.suffix == ".mca"
                                      else zipfile.ZIP_DEFLATED)
                zf.writestr(info, p.read_bytes())

    _atomic_replace(zip_path, write)
    return zip_path


__all__ = [
    "GAME_VERSIONS", "DEFAULT_GAME_VERSION", "RegionBlocks", "encode_region", "write_region",
    "region_path", "LevelSettings", "write_level_dat", "level_dat_nbt", "compress_floor",
    "compress_payloads", "zip_world", "block_states_nbt", "ZLIB_LEVEL",
]
