"""The Java writer, read back with the independent decoder in anvil_reader.py."""
from __future__ import annotations

import gzip
import io
import os
import zipfile
import zlib

import nbtlib
import numpy as np
import pytest

from minecraft import java
from minecraft.blocks import BLOCKS, Block
from minecraft.java import LevelSettings, RegionBlocks
from minecraft.packing import pack_indices

from . import anvil_reader as reader

DV = java.GAME_VERSIONS["1.21.1"]


def key(block: Block) -> str:
    """Expected Java state key of one of our blocks, from the vocabulary table."""
    info = BLOCKS[block]
    if info.java_properties:
        inner = ",".join(f"{k}={v}" for k, v in sorted(info.java_properties.items()))
        return f"{info.java}[{inner}]"
    return info.java


KEYS = np.array([key(Block(i)) if i in Block._value2member_map_ else "?" for i in range(256)],
                dtype=object)


def empty_region(rx=0, rz=0, y_min=-64, ny=32, present=None) -> RegionBlocks:
    blocks = np.zeros((ny, 512, 512), dtype=np.uint8)
    if present is None:
        present = np.zeros((32, 32), dtype=bool)
    return RegionBlocks(rx, rz, y_min, blocks, present)


def decode_chunk_blocks(region_bytes: bytes, cx: int, cz: int, y_lo: int, y_hi: int):
    chunks = reader.read_region_bytes(region_bytes)
    return reader.chunk_states(chunks[(cx, cz)].nbt, y_lo, y_hi)


# --- palettes and packing ---------------------------------------------------------------------

@pytest.mark.parametrize("n_states,bits,longs", [(1, None, 0), (2, 4, 256), (16, 4, 256), (17, 5, 342)])
def test_palette_sizes_decode_exactly(n_states, bits, longs):
    region = empty_region(ny=32, y_min=0)
    region.present[3, 5] = True
    rng = np.random.default_rng(n_states)
    ids = np.array([b for b in Block][:n_states], dtype=np.uint8)
    section = rng.choice(ids, size=(16, 16, 16))
    section.reshape(-1)[:n_states] = ids          # every state occurs at least once
    region.blocks[16:32, 3 * 16:4 * 16, 5 * 16:6 * 16] = section
    data = java.encode_region(region, DV)
    chunk = reader.read_region_bytes(data)[(5, 3)].nbt
    sec = next(s for s in chunk["sections"] if int(s["Y"]) == 1)
    palette, idx = reader.section_states(sec)
    assert len(palette) == n_states
    if bits is None:
        assert "data" not in sec["block_states"]
    else:
        assert len(sec["block_states"]["data"]) == longs
    assert (np.array(palette, dtype=object)[idx] == KEYS[section]).all()


@pytest.mark.parametrize("bits", [1, 4, 5, 6, 8, 9, 12])
def test_pack_indices_layout_matches_documentation(bits):
    rng = np.random.default_rng(bits)
    values = rng.integers(0, 1 << bits, size=(3, 4096))
    longs = pack_indices(values, bits)
    per_long = 64 // bits
    assert longs.shape == (3, -(-4096 // per_long))
    for row in range(3):
        assert (reader.unpack_longs(longs[row].astype(np.int64), bits, 4096) == values[row]).all()
    # hand check of the first long: entry 0 in the lowest bits, no straddling.
    expected = sum(int(values[0, k]) << (k * bits) for k in range(per_long))
    assert int(longs[0, 0]) == expected


def test_lookup_u8_equals_plain_indexing():
    from minecraft.packing import lookup_u8
    rng = np.random.default_rng(3)
    table = rng.integers(0, 256, 256, dtype=np.uint8)
    for shape in [(5, 16, 256), (7,), (3, 3)]:
        values = rng.integers(0, 256, shape, dtype=np.uint8)
        assert (lookup_u8(table, values) == table[values]).all()


def test_distinct_rows_is_exact_even_when_hashes_collide(monkeypatch):
    from minecraft import packing
    rng = np.random.default_rng(4)
    base = rng.integers(0, 5, size=(4, 4096), dtype=np.uint8)
    rows = base[[0, 1, 0, 2, 3, 1, 0]]
    first, inverse = packing.distinct_rows(rows)
    assert (rows[first[inverse]] == rows).all() and len(first) == 4
    # every hash equal: grouping must still never merge different rows
    monkeypatch.setattr(packing, "_HASH_WEIGHTS", np.zeros(512, dtype=np.uint64))
    first, inverse = packing.distinct_rows(rows)
    assert (rows[first[inverse]] == rows).all()
    # and a region with many identical sections encodes exactly as before
    region = empty_region(ny=32, y_min=-64)
    region.present[:2, :] = True
    region.blocks[0] = Block.BEDROCK
    region.blocks[1:20] = Block.STONE
    region.blocks[20, 0:16, 0:16] = Block.DIRT
    data = java.encode_region(region, DV)
    for (cx, cz), entry in reader.read_region_bytes(data).items():
        states = reader.chunk_states(entry.nbt, -64, -32)
        assert (states == KEYS[region.blocks[:, cz * 16:cz * 16 + 16, cx * 16:cx * 16 + 16]]).all()


def test_palette_over_256_states():
    """A uint8 vocabulary cannot hold 300 states, so drive the section encoder directly."""
    n = 300
    entries = [nbtlib.tag.Compound({"Name": nbtlib.tag.String(f"test:block_{i}")}) for i in range(n)]
    entry_bytes = []
    for e in entries:
        buf = io.BytesIO()
        e.write(buf)
        entry_bytes.append(buf.getvalue())
    rng = np.random.default_rng(7)
    idx = rng.integers(0, n, size=4096)
    idx[:n] = np.arange(n)
    packed = pack_indices(idx[None, :], 9).astype(">u8").tobytes()
    blob = java.block_states_nbt(entry_bytes, packed)
    root = nbtlib.File.parse(io.BytesIO(b"\x0a\x00\x00" + blob + b"\x00"))
    section = {"block_states": root["block_states"]}
    palette, decoded = reader.section_states(section)
    assert len(palette) == n
    assert len(root["block_states"]["data"]) == 586      # 7 entries per long, 9 bits each
    assert (decoded.reshape(-1) == idx).all()


# --- whole regions -----------------------------------------------------------------------------

def test_region_round_trip_matches_input_exactly():
    rng = np.random.default_rng(1)
    region = empty_region(rx=-2, rz=3, y_min=-32, ny=64)
    b = region.blocks
    b[:20] = Block.STONE                       # uniform stone sections
    b[20:24] = Block.DIRT
    b[24] = Block.GRASS_BLOCK
    b[24, 100:300, 50:200] = Block.WATER
    vocab = np.array(list(Block), dtype=np.uint8)
    b[40:48, 0:64, 448:512] = rng.choice(vocab, size=(8, 64, 64))   # many states
    present = np.zeros((32, 32), dtype=bool)
    present[::5, ::3] = True
    present[0:4, 28:32] = True
    present[6, 3] = present[18, 12] = True
    region.present[:] = present
    data = java.encode_region(region, DV)
    chunks = reader.read_region_bytes(data)
    assert set(chunks) == {(int(x), int(z)) for z, x in zip(*np.nonzero(present))}
    for (cx, cz), entry in chunks.items():
        chunk = entry.nbt
        assert int(chunk["xPos"]) == -2 * 32 + cx and int(chunk["zPos"]) == 3 * 32 + cz
        assert int(chunk["DataVersion"]) == DV and str(chunk["Status"]) == "minecraft:full"
        assert int(chunk["yPos"]) == -4
        states = reader.chunk_states(chunk)
        expected = np.full((384, 16, 16), "minecraft:air", dtype=object)
        expected[-32 + 64:-32 + 64 + 64] = KEYS[b[:, cz * 16:cz * 16 + 16, cx * 16:cx * 16 + 16]]
        assert (states == expected).all(), (cx, cz)
        assert sorted(int(s["Y"]) for s in chunk["sections"]) == list(range(-2, 2))


def test_chunks_spanning_several_sectors():
    rng = np.random.default_rng(9)
    region = empty_region(ny=64, y_min=-64)
    region.present[0, 0:3] = True
    vocab = np.array(list(Block), dtype=np.uint8)
    region.blocks[:, :16, :48] = rng.choice(vocab, size=(64, 16, 48))   # incompressible
    data = java.encode_region(region, DV)
    chunks = reader.read_region_bytes(data)
    assert all(e.sector_count >= 3 for e in chunks.values())
    offsets = sorted((e.sector_offset, e.sector_count) for e in chunks.values())
    assert offsets[0][0] == 2
    for (o1, c1), (o2, _) in zip(offsets, offsets[1:]):
        assert o2 == o1 + c1                                            # packed, no gaps
    assert len(data) == (offsets[-1][0] + offsets[-1][1]) * 4096
    for (cx, cz), entry in chunks.items():
        states = reader.chunk_states(entry.nbt, -64, 0)
        assert (states == KEYS[region.blocks[:, :16, cx * 16:cx * 16 + 16]]).all()


def test_negative_y_sections_hold_their_blocks():
    region = empty_region(y_min=-64, ny=80)
    region.present[0, 0] = True
    b = region.blocks
    b[0, :16, :16] = Block.BEDROCK                  # y = -64
    b[15, 2, 3] = Block.GLOWSTONE                   # y = -49, still section -4
    b[16, 5, 6] = Block.CLAY                        # y = -48, section -3
    b[63, 15, 15] = Block.SAND                      # y = -1, section -1
    b[64, 0, 0] = Block.GRAVEL                      # y = 0, section 0
    chunk = reader.read_region_bytes(java.encode_region(region, DV))[(0, 0)].nbt
    states = reader.chunk_states(chunk)             # index = y + 64
    assert (states[0] == key(Block.BEDROCK)).all()
    assert states[15, 2, 3] == key(Block.GLOWSTONE)
    assert states[16, 5, 6] == key(Block.CLAY)
    assert states[63, 15, 15] == key(Block.SAND)
    assert states[64, 0, 0] == key(Block.GRAVEL)
    by_y = {int(s["Y"]): s for s in chunk["sections"]}
    assert set(by_y) == {-4, -3, -2, -1, 0}
    assert reader.section_states(by_y[-2])[0] == ["minecraft:air"]
    assert (states[80:] == "minecraft:air").all()


def test_region_seam_blocks_land_in_the_right_file_and_chunk(tmp_path):
    """World x = 511 | 512 (regions 0 | 1) and x = -1 | 0 (regions -1 | 0)."""
    world_blocks = {(-1, 70, 5): Block.BRICKS, (0, 70, 5): Block.GLASS,
                    (511, 70, 5): Block.SAND, (512, 70, 5): Block.CLAY}
    for rx in (-1, 0, 1):
        region = empty_region(rx=rx, rz=0, y_min=64, ny=16)
        region.present[:] = True
        for (x, y, z), block in world_blocks.items():
            if x // 512 == rx:
                region.blocks[y - 64, z, x - 512 * rx] = block
        java.write_region(tmp_path, region, DV)
    for (x, y, z), block in world_blocks.items():
        path = tmp_path / "region" / f"r.{x // 512}.{z // 512}.mca"
        chunks = reader.read_region(path)
        entry = chunks[((x // 16) % 32, (z // 16) % 32)]
        assert int(entry.nbt["xPos"]) == x // 16
        states = reader.chunk_states(entry.nbt)
        assert states[y + 64, z % 16, x % 16] == key(block)
        # nothing else is non-air in that chunk
        assert (states != "minecraft:air").sum() == 1


def test_absent_chunks_have_no_location_entry():
    region = empty_region(ny=16, y_min=0)
    region.present[0, 1] = True
    region.present[31, 31] = True
    region.blocks[:] = Block.STONE
    data = java.encode_region(region, DV)
    header = data[:4096]
    for i in range(1024):
        entry = header[4 * i:4 * i + 4]
        if i in (1, 31 * 32 + 31):
            assert int.from_bytes(entry[:3], "big") >= 2 and entry[3] >= 1
        else:
            assert entry == b"\x00\x00\x00\x00"
    assert data[4096:8192] == bytes(4096)             # timestamps 0
    assert set(reader.read_region_bytes(data)) == {(1, 0), (31, 31)}


def test_region_without_chunks_is_just_a_header():
    data = java.encode_region(empty_region(), DV)
    assert data == bytes(8192)


def test_heightmaps_follow_the_documented_predicates():
    region = empty_region(y_min=0, ny=96)
    region.present[0, 0] = True
    b = region.blocks
    b[:56, :16, :16] = Block.STONE                   # y 0..55 solid everywhere
    b[56:71, 0, 0] = Block.DIRT                      # column (x0,z0): dirt up to y 70
    b[71, 0, 0] = Block.GRASS_BLOCK                  # top solid y 71
    b[56:63, 0, 1] = Block.WATER                     # column (x1,z0): water y 56..62 over stone
    b[72:80, 0, 2] = Block.STONE                     # column (x2,z0): stone to y 79 ...
    b[80:83, 0, 2] = Block.OAK_LEAVES                # ... leaves y 80..82
    b[56, 0, 3] = Block.POPPY                        # column (x3,z0): flower on stone top y 55
    b[:, 1, 0] = Block.AIR                           # column (x0,z1): empty
    chunk = reader.read_region_bytes(java.encode_region(region, DV))[(0, 0)].nbt
    hm = {name: reader.heightmap(chunk, name) for name in java.HEIGHTMAPS}
    off = 64   # value = highest y + 1 - (-64)

    def at(x, z):
        return tuple(int(hm[n][z, x]) for n in
                     ("WORLD_SURFACE", "MOTION_BLOCKING", "MOTION_BLOCKING_NO_LEAVES", "OCEAN_FLOOR"))

    assert at(0, 0) == (72 + off,) * 4
    assert at(1, 0) == (63 + off, 63 + off, 63 + off, 56 + off)
    assert at(2, 0) == (83 + off, 83 + off, 80 + off, 83 + off)
    assert at(3, 0) == (57 + off, 56 + off, 56 + off, 56 + off)
    assert at(0, 1) == (0, 0, 0, 0)
    assert at(5, 5) == (56 + off,) * 4
    # a 1-block column of water at the bottom of the world
    region2 = empty_region(y_min=-64, ny=16)
    region2.present[0, 0] = True
    region2.blocks[0, 0, 0] = Block.WATER
    chunk2 = reader.read_region_bytes(java.encode_region(region2, DV))[(0, 0)].nbt
    assert reader.heightmap(chunk2, "MOTION_BLOCKING")[0, 0] == 1
    assert reader.heightmap(chunk2, "OCEAN_FLOOR")[0, 0] == 0


def test_heightmaps_match_a_recomputation_from_the_decoded_blocks():
    """Varied terrain (hills, water, trees, flowers, signs); heights recomputed here from the
    decoded block names with the documented rules."""
    rng = np.random.default_rng(11)
    region = empty_region(y_min=-64, ny=192)
    region.present[:3, :3] = True
    z, x = np.mgrid[0:48, 0:48]
    surf = (70 + 12 * np.sin(x / 7.0) + 9 * np.cos(z / 5.0)).astype(int)   # world y
    b = region.blocks
    for zz in range(48):
        for xx in range(48):
            top = surf[zz, xx]
            b[:top + 64, zz, xx] = Block.STONE
            b[top + 64, zz, xx] = Block.GRASS_BLOCK if top >= 66 else Block.SAND
            if top < 66:
                b[top + 65:66 + 64 + 1, zz, xx] = Block.WATER
            elif rng.random() < 0.08:
                b[top + 65:top + 69, zz, xx] = Block.OAK_LOG
                b[top + 68:top + 71, zz, xx] = Block.OAK_LEAVES
            elif rng.random() < 0.1:
                b[top + 65, zz, xx] = rng.choice([Block.POPPY, Block.SHORT_GRASS, Block.OAK_SIGN])
    chunks = reader.read_region_bytes(java.encode_region(region, DV))
    non_blocking = {"minecraft:air", "minecraft:poppy", "minecraft:short_grass", "minecraft:oak_sign"}
    rules = {
        "WORLD_SURFACE": lambda n: n != "minecraft:air",
        "MOTION_BLOCKING": lambda n: n not in non_blocking,
        "MOTION_BLOCKING_NO_LEAVES": lambda n: n not in non_blocking and "leaves" not in n,
        "OCEAN_FLOOR": lambda n: n not in non_blocking and n != "minecraft:water",
    }
    for (cx, cz), entry in chunks.items():
        names = np.vectorize(lambda k: k.split("[")[0])(reader.chunk_states(entry.nbt))
        for name, rule in rules.items():
            hit = np.vectorize(rule)(names)                    # (384, 16, 16)
            expected = np.where(hit.any(axis=0), 384 - np.argmax(hit[::-1], axis=0), 0)
            assert (reader.heightmap(entry.nbt, name) == expected).all(), (name, cx, cz)


def test_biomes_are_ocean_where_water_is_on_top():
    region = empty_region(y_min=48, ny=32)
    region.present[0, 0] = region.present[0, 1] = True
    region.blocks[:8] = Block.STONE
    region.blocks[8:15, :16, :8] = Block.WATER        # chunk (0,0): x 0..7 water
    chunk = reader.read_region_bytes(java.encode_region(region, DV))
    first = reader.section_biomes(chunk[(0, 0)].nbt["sections"][0])
    assert (first[:, :, :2] == "minecraft:ocean").all()
    assert (first[:, :, 2:] == "minecraft:plains").all()
    other = reader.section_biomes(chunk[(1, 0)].nbt["sections"][0])
    assert (other == "minecraft:plains").all()


def test_chunk_has_the_required_fields():
    region = empty_region(ny=16, y_min=0)
    region.present[2, 2] = True
    chunk = reader.read_region_bytes(java.encode_region(region, DV))[(2, 2)].nbt
    assert int(chunk["isLightOn"]) == 0
    assert int(chunk["LastUpdate"]) == 0 and int(chunk["InhabitedTime"]) == 0
    for name in ("block_entities", "fluid_ticks", "block_ticks"):
        assert len(chunk[name]) == 0
    assert set(chunk["structures"]) == {"References", "starts"}
    assert set(chunk["Heightmaps"]) == set(java.HEIGHTMAPS)


def test_nbt_tag_types_are_the_ones_the_game_reads():
    region = empty_region(ny=32, y_min=-64)
    region.present[0, 0] = True
    region.blocks[0:20, :16, :16] = Block.STONE
    chunk = reader.read_region_bytes(java.encode_region(region, DV))[(0, 0)].nbt
    t = nbtlib.tag
    assert isinstance(chunk["DataVersion"], t.Int) and isinstance(chunk["xPos"], t.Int)
    assert isinstance(chunk["yPos"], t.Int) and isinstance(chunk["Status"], t.String)
    assert isinstance(chunk["LastUpdate"], t.Long) and isinstance(chunk["isLightOn"], t.Byte)
    for section in chunk["sections"]:
        assert isinstance(section["Y"], t.Byte)
        assert isinstance(section["biomes"]["palette"][0], t.String)
        states = section["block_states"]
        assert isinstance(states["palette"][0], t.Compound)
        if "data" in states:
            assert isinstance(states["data"], t.LongArray)
    for name in java.HEIGHTMAPS:
        assert isinstance(chunk["Heightmaps"][name], t.LongArray)


def test_signs_become_block_entities_in_their_chunk():
    region = empty_region(rx=1, rz=-1, y_min=64, ny=16)
    region.present[31, 0] = True
    x, y, z = 512 + 3, 70, -1                       # chunk (32, -1) -> local (0, 31)
    region.blocks[y - 64, z % 512, x % 512] = Block.OAK_SIGN
    region.signs = [(x, y, z, ["Råsunda", "Lag 7"]), (x + 20, y, z, ["absent chunk"])]
    chunk = reader.read_region_bytes(java.encode_region(region, DV))[(0, 31)].nbt
    [sign] = chunk["block_entities"]
    assert str(sign["id"]) == "minecraft:sign"
    assert (int(sign["x"]), int(sign["y"]), int(sign["z"])) == (x, y, z)
    assert [str(m) for m in sign["front_text"]["messages"]] == ['"Råsunda"', '"Lag 7"', '""', '""']
    assert int(sign["is_waxed"]) == 1
    assert reader.chunk_states(chunk)[y + 64, z % 16, x % 16] == key(Block.OAK_SIGN)
    region.signs = [(0, 70, 0, ["elsewhere"])]
    with pytest.raises(ValueError, match="outside region"):
        java.encode_region(region, DV)


# --- determinism and atomicity ----------------------------------------------------------------

def hills_region(rx=0, rz=0) -> RegionBlocks:
    z, x = np.mgrid[0:512, 0:512]
    surf = (70 + 10 * np.sin(x / 23.0) * np.cos(z / 31.0)).astype(np.int32)
    ys = np.arange(64)[:, None, None] + 32
    blocks = np.where(ys < surf[None], Block.STONE, Block.AIR).astype(np.uint8)
    blocks[(ys >= surf[None]) & (ys <= 66)] = Block.WATER
    present = np.ones((32, 32), dtype=bool)
    present[:4, :4] = False
    return RegionBlocks(rx, rz, 32, blocks, present)


def test_output_is_deterministic(tmp_path):
    region = hills_region()
    first = java.encode_region(region, DV)
    second = java.encode_region(hills_region(), DV)
    assert first == second
    p1 = java.write_region(tmp_path / "a", region, DV)
    p2 = java.write_region(tmp_path / "b", region, DV)
    assert p1.read_bytes() == p2.read_bytes() == first
    assert p1 == java.region_path(tmp_path / "a", 0, 0)


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_interrupted_write_leaves_no_region_file(tmp_path, monkeypatch, failing):
    region = hills_region()

    def boom(*args, **kwargs):
        raise OSError("simulated crash")

    monkeypatch.setattr(java.os, failing, boom)
    with pytest.raises(OSError):
        java.write_region(tmp_path, region, DV)
    folder = tmp_path / "region"
    assert not (folder / "r.0.0.mca").exists()
    assert list(folder.iterdir()) == []       # the temp file is gone too


def test_interrupted_rewrite_keeps_the_old_complete_file(tmp_path, monkeypatch):
    old = java.write_region(tmp_path, hills_region(), DV).read_bytes()
    changed = hills_region()
    changed.blocks[:] = Block.SAND
    real_replace = os.replace

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(java.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        java.write_region(tmp_path, changed, DV)
    monkeypatch.setattr(java.os, "replace", real_replace)
    assert (tmp_path / "region" / "r.0.0.mca").read_bytes() == old
    assert [p.name for p in (tmp_path / "region").iterdir()] == ["r.0.0.mca"]


def test_leftovers_of_a_killed_write_are_removed_by_the_next_one(tmp_path):
    folder = tmp_path / "region"
    folder.mkdir()
    (folder / ".r.0.0.mca.99999.tmp").write_bytes(b"half a region")
    (folder / ".r.1.0.mca.99999.tmp").write_bytes(b"another region's leftover")
    java.write_region(tmp_path, hills_region(), DV)
    assert sorted(p.name for p in folder.iterdir()) == [".r.1.0.mca.99999.tmp", "r.0.0.mca"]


def test_chunks_are_zlib_and_sector_aligned():
    data = java.encode_region(hills_region(), DV)
    assert len(data) % 4096 == 0
    chunks = reader.read_region_bytes(data)
    used = sorted((e.sector_offset, e.sector_count) for e in chunks.values())
    for (o1, c1), (o2, _) in zip(used, used[1:]):
        assert o1 + c1 <= o2                          # no overlaps
    assert all(e.compression == 2 and e.timestamp == 0 for e in chunks.values())


def test_plain_zlib_fallback_writes_the_same_chunks(monkeypatch):
    region = hills_region()
    default = reader.read_region_bytes(java.encode_region(region, DV))
    monkeypatch.setattr(java, "_deflate", zlib)
    fallback = reader.read_region_bytes(java.encode_region(region, DV))
    assert default.keys() == fallback.keys()
    assert all(default[k].nbt == fallback[k].nbt for k in list(default)[:50])


def test_compress_floor_gives_the_payloads_encode_region_compresses():
    region = hills_region()
    payloads = java.compress_floor(region, DV)
    assert len(payloads) == int(region.present.sum())
    chunks = reader.read_region_bytes(java.encode_region(region, DV))
    first_present = sorted(chunks, key=lambda c: c[1] * 32 + c[0])[0]
    entry = chunks[first_present]
    assert nbtlib.File.parse(io.BytesIO(payloads[0])) == entry.nbt
    assert [zlib.decompress(c) for c in java.compress_payloads(payloads[:3])] == payloads[:3]


def test_unknown_block_ids_are_refused():
    region = empty_region(ny=16, y_min=0)
    region.present[0, 0] = True
    region.blocks[3, 4, 5] = 200
    with pytest.raises(ValueError, match="not a Block"):
        java.encode_region(region, DV)


def test_region_blocks_validation():
    with pytest.raises(ValueError):
        RegionBlocks(0, 0, 0, np.zeros((20, 512, 512), np.uint8), np.ones((32, 32), bool))
    with pytest.raises(ValueError):
        RegionBlocks(0, 0, 5, np.zeros((16, 512, 512), np.uint8), np.ones((32, 32), bool))
    with pytest.raises(ValueError):
        RegionBlocks(0, 0, 320, np.zeros((16, 512, 512), np.uint8), np.ones((32, 32), bool))
    with pytest.raises(ValueError):
        RegionBlocks(0, 0, 0, np.zeros((16, 512, 512), np.int32), np.ones((32, 32), bool))


# --- level.dat and zip --------------------------------------------------------------------------

def test_level_dat_fields(tmp_path):
    settings = LevelSettings(name="Göteborg 10 m", spawn=(1000, 71, -250),
                             border_center=(1000.5, -250.5), border_size=2048.0,
                             version_name="1.21.4", seed=42)
    path = java.write_level_dat(tmp_path, settings)
    raw = path.read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\x00\x00\x00\x00"   # gzip, mtime 0
    data = nbtlib.load(path)["Data"]
    assert int(data["DataVersion"]) == 4189 == int(data["Version"]["Id"])
    assert str(data["Version"]["Name"]) == "1.21.4"
    assert int(data["Version"]["Snapshot"]) == 0 and str(data["Version"]["Series"]) == "main"
    assert str(data["LevelName"]) == "Göteborg 10 m"
    assert int(data["version"]) == 19133
    assert int(data["GameType"]) == 1 and int(data["Difficulty"]) == 0
    assert int(data["allowCommands"]) == 1 and int(data["hardcore"]) == 0
    assert int(data["initialized"]) == 1
    assert (int(data["SpawnX"]), int(data["SpawnY"]), int(data["SpawnZ"])) == (1000, 71, -250)
    assert float(data["BorderCenterX"]) == 1000.5 and float(data["BorderCenterZ"]) == -250.5
    assert float(data["BorderSize"]) == 2048.0
    assert int(data["DayTime"]) == 6000 and int(data["raining"]) == 0
    assert int(data["thundering"]) == 0 and int(data["clearWeatherTime"]) > 10**8
    rules = data["GameRules"]
    for rule, value in {"doMobSpawning": "false", "doFireTick": "false",
                        "doDaylightCycle": "false", "doWeatherCycle": "false",
                        "keepInventory": "true"}.items():
        assert str(rules[rule]) == value
    wgs = data["WorldGenSettings"]
    assert int(wgs["seed"]) == 42
    assert int(wgs["generate_features"]) == 0 and int(wgs["bonus_chest"]) == 0
    overworld = wgs["dimensions"]["minecraft:overworld"]
    assert str(overworld["type"]) == "minecraft:overworld"
    gen = overworld["generator"]
    assert str(gen["type"]) == "minecraft:flat"
    assert list(gen["settings"]["layers"]) == []
    assert int(gen["settings"]["features"]) == 0 and int(gen["settings"]["lakes"]) == 0
    assert {"minecraft:the_nether", "minecraft:the_end"} <= set(wgs["dimensions"])
    # deterministic
    again = java.write_level_dat(tmp_path / "again", settings)
    assert again.read_bytes() == raw


def test_level_dat_rejects_unknown_version(tmp_path):
    with pytest.raises(ValueError, match="unknown game version"):
        java.write_level_dat(tmp_path, LevelSettings("x", (0, 64, 0), (0, 0), 100,
                                                     version_name="0.9"))


def test_game_versions_table():
    assert java.DEFAULT_GAME_VERSION in java.GAME_VERSIONS
    assert java.GAME_VERSIONS["1.20.4"] == 3700
    assert java.GAME_VERSIONS["1.21.1"] == 3955
    assert java.GAME_VERSIONS["1.21.4"] == 4189
    values = list(java.GAME_VERSIONS.values())
    assert values == sorted(values)


def test_zip_world_is_deterministic_and_complete(tmp_path):
    world = tmp_path / "Värld"
    java.write_region(world, hills_region(), DV)
    java.write_region(world, hills_region(rx=-1), DV)
    java.write_level_dat(world, LevelSettings("w", (0, 80, 0), (0, 0), 1024))
    (world / "metadata.json").write_text("{}")
    (world / "region" / ".r.5.5.mca.123.tmp").write_bytes(b"partial")
    z1 = java.zip_world(world, tmp_path / "one.zip")
    os.utime(world / "level.dat", (1_700_000_000, 1_700_000_000))
    z2 = java.zip_world(world, tmp_path / "two.zip")
    assert z1.read_bytes() == z2.read_bytes()
    with zipfile.ZipFile(z1) as zf:
        names = zf.namelist()
        assert names == sorted(names) == ["Värld/level.dat", "Värld/metadata.json",
                                          "Värld/region/r.-1.0.mca", "Värld/region/r.0.0.mca"]
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
        assert zf.getinfo("Värld/region/r.0.0.mca").compress_type == zipfile.ZIP_STORED
        assert zf.read("Värld/region/r.0.0.mca") == (world / "region" / "r.0.0.mca").read_bytes()
        assert gzip.decompress(zf.read("Värld/level.dat"))[:1] == b"\x0a"
    inside = java.zip_world(world, world / "download.zip")      # never zips itself
    with zipfile.ZipFile(inside) as zf:
        assert "Värld/download.zip" not in zf.namelist()
