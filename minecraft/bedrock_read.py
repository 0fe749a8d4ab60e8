"""Read blocks back out of a Bedrock / Minecraft Education world that players have changed.

A played world is what the game saved, not what bedrock.py wrote, so this reads what the format
allows (minecraft.wiki "Bedrock Edition level format"; the layouts as bedrock.py's docstring
gives them): SubChunkPrefix versions 8 (no y byte) and 9 (a y byte), any number of block
storages (the first holds the blocks, a second the water of waterlogged blocks), palettes of
little-endian NBT parsed by nbtlib, `bits` 0 for a single-state sub-chunk (one entry, no words,
no size), and no record at all for an all-air sub-chunk. Only the overworld is read (keys without
a dimension id). The LevelDB is opened with amulet-leveldb, Mojang's fork, as in bedrock.py.
"""
from __future__ import annotations

import io
import shutil
import struct
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbtlib
import numpy as np

from .bedrock_blocks import BEDROCK_STATES, BLOCK_STATE_VERSION
from .blocks import BLOCKS
from .errors import WorldBuildError
from .java_read import Y_MAX, Y_MIN

TAG_SUBCHUNK = 0x2F
CHUNK_PRESENT_TAGS = (0x2C, 0x76)   # Version, and the Version key of worlds before 1.16.100
AIR_NAME = "minecraft:air"


@dataclass(frozen=True)
class BedrockState:
    """One palette entry as the world stores it: kept whole for .mcstructure palettes."""
    name: str
    states: nbtlib.Compound
    version: int

    def key(self) -> tuple:
        return self.name, tuple(sorted((k, type(v).__name__, str(v))
                                       for k, v in self.states.items())), self.version


AIR_STATE = BedrockState(AIR_NAME, nbtlib.Compound(), BLOCK_STATE_VERSION)


def _java_names() -> tuple[dict, dict]:
    exact, by_name = {}, {}
    for block, (name, states) in BEDROCK_STATES.items():
        info = BLOCKS[block]
        java = info.java + ("[" + ",".join(f"{k}={v}" for k, v in
                                           sorted(info.java_properties.items())) + "]"
                            if info.java_properties else "")
        exact[(name, tuple(sorted((k, str(v)) for k, v in states.items())))] = java
        by_name.setdefault(name, java)
    return exact, by_name


_EXACT, _BY_NAME = _java_names()


def java_name(state: BedrockState) -> str:
    """The Java block state of our vocabulary that this Bedrock state is (so pictures of a
    Bedrock plot have the colours of the Java export); a state the game renamed or re-stated
    falls back to its name, and a block we never write keeps its Bedrock name."""
    key = (state.name, tuple(sorted((k, str(v)) for k, v in state.states.items())))
    return _EXACT.get(key) or _BY_NAME.get(state.name) or state.name


def is_bedrock_world(path: str | Path) -> bool:
    """A .mcworld (a zip holding level.dat) or an unpacked Bedrock world folder (a db/ folder)."""
    p = Path(path)
    if p.is_dir():
        return (p / "db").is_dir()
    if p.is_file() and zipfile.is_zipfile(p):
        with zipfile.ZipFile(p) as zf:
            return "level.dat" in zf.namelist()
    return False


def _check_level_dat(raw: bytes, world: Path) -> None:
    """Bedrock's level.dat: int32 storage version, int32 length of the NBT after the header."""
    if len(raw) < 8 or struct.unpack("<i", raw[4:8])[0] != len(raw) - 8:
        raise WorldBuildError("%(world)s is not a Bedrock world: its level.dat has no Bedrock "
                              "header.", world=str(world))


def _unpack_words(data: bytes, pos: int, bits: int) -> tuple[np.ndarray, int]:
    """4096 indices packed 32 // bits to a little-endian uint32, lowest bits first."""
    per_word = 32 // bits
    words = -(-4096 // per_word)
    w = np.frombuffer(data, dtype="<u4", count=words, offset=pos)
    shifts = np.arange(per_word, dtype=np.uint32) * np.uint32(bits)
    values = (w[:, None] >> shifts[None, :]) & np.uint32((1 << bits) - 1)
    return values.reshape(-1)[:4096].astype(np.int64), pos + 4 * words


def parse_subchunk(value: bytes) -> tuple[list[BedrockState], np.ndarray]:
    """(palette, indices [y, z, x]) of the first block storage of a version 8 or 9 sub-chunk."""
    version = value[0]
    if version not in (8, 9):
        raise ValueError(f"sub-chunk version {version} is not supported (8 and 9 are)")
    pos = 3 if version == 9 else 2
    if value[1] == 0:
        return [AIR_STATE], np.zeros((16, 16, 16), dtype=np.int64)
    bits = value[pos] >> 1
    pos += 1
    if bits == 0:
        indices, size = np.zeros(4096, dtype=np.int64), 1
    else:
        indices, pos = _unpack_words(value, pos, bits)
        (size,) = struct.unpack_from("<I", value, pos)
        pos += 4
    buf = io.BytesIO(value[pos:])
    palette = []
    for _ in range(size):
        e = nbtlib.File.parse(buf, byteorder="little")
        palette.append(BedrockState(str(e["name"]), e.get("states", nbtlib.Compound()),
                                    int(e.get("version", 0))))
    # stored x * 256 + z * 16 + y
    return palette, indices.reshape(16, 16, 16).transpose(2, 1, 0)


class BedrockWorldReader:
    """Block states of any box of a Bedrock world's overworld (a path that is_bedrock_world
    accepts); use as a context manager.

    The db/ is read from a private copy: opening a LevelDB writes to its folder (it replays the
    log into a table), and a played world must stay as the game left it."""

    def __init__(self, world: str | Path):
        self.path = Path(world)
        self._tmp = tempfile.TemporaryDirectory(prefix="samskapa-bedrock-")
        db_dir = Path(self._tmp.name) / "db"
        if self.path.is_dir():
            level = self.path / "level.dat"
            _check_level_dat(level.read_bytes() if level.exists() else b"", self.path)
            shutil.copytree(self.path / "db", db_dir)
        else:
            with zipfile.ZipFile(self.path) as zf:
                _check_level_dat(zf.read("level.dat"), self.path)
                for info in zf.infolist():
                    if info.filename.startswith("db/") and not info.is_dir():
                        zf.extract(info, self._tmp.name)
            db_dir.mkdir(exist_ok=True)
        import leveldb   # amulet-leveldb: see bedrock.py's docstring

        self._db = leveldb.LevelDB(str(db_dir))

    def __enter__(self) -> BedrockWorldReader:
        return self

    def __exit__(self, *exc) -> None:
        self._db.close()
        self._tmp.cleanup()

    def _get(self, key: bytes) -> bytes | None:
        try:
            return self._db.get(key)
        except KeyError:
            return None

    def chunk_exists(self, cx: int, cz: int) -> bool:
        prefix = struct.pack("<ii", cx, cz)
        return any(self._get(prefix + bytes((t,))) is not None for t in CHUNK_PRESENT_TAGS)

    def box(self, x0: int, z0: int, x1: int, z1: int
            ) -> tuple[list[BedrockState], np.ndarray] | None:
        """(palette, indices [y - Y_MIN, z - z0, x - x0]) of the columns x0..x1, z0..z1
        (inclusive) over the whole build height, or None when a chunk of it is missing."""
        palette: dict[tuple, int] = {AIR_STATE.key(): 0}
        states = [AIR_STATE]
        out = np.zeros((Y_MAX - Y_MIN, z1 - z0 + 1, x1 - x0 + 1), dtype=np.int32)
        for cz in range(z0 >> 4, (z1 >> 4) + 1):
            for cx in range(x0 >> 4, (x1 >> 4) + 1):
                if not self.chunk_exists(cx, cz):
                    return None
                ax, bx = max(x0, cx * 16), min(x1, cx * 16 + 15)
                az, bz = max(z0, cz * 16), min(z1, cz * 16 + 15)
                prefix = struct.pack("<ii", cx, cz) + bytes((TAG_SUBCHUNK,))
                for sy in range(Y_MIN // 16, Y_MAX // 16):
                    value = self._get(prefix + struct.pack("b", sy))
                    if value is None:
                        continue   # all air
                    entries, idx = parse_subchunk(value)
                    ids = np.empty(len(entries), dtype=np.int32)
                    for i, e in enumerate(entries):
                        k = e.key() if e.name != AIR_NAME else AIR_STATE.key()
                        if k not in palette:
                            palette[k] = len(states)
                            states.append(e)
                        ids[i] = palette[k]
                    y = sy * 16 - Y_MIN
                    out[y:y + 16, az - z0:bz - z0 + 1, ax - x0:bx - x0 + 1] = \
                        ids[idx[:, az - cz * 16:bz - cz * 16 + 1, ax - cx * 16:bx - cx * 16 + 1]]
        return states, out
