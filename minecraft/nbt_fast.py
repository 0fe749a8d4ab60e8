"""A tiny big-endian NBT *writer* for the hot path of the Java region writer.

Why not nbtlib here: a region holds up to 1,024 chunks of ~25 sections each, and building tag
objects for every one of them costs more than compressing the result. Chunks are instead written as
`bytes` joined from pieces, most of them precomputed once (palette entries, uniform sections, tag
headers). nbtlib stays in use where speed does not matter (level.dat) and in the tests, which read
everything back with it.

Only what chunk payloads need is here: named tag headers, scalars, strings, long arrays and a small
recursive encoder for templates built from plain Python values with explicit tag types.

Format (minecraft.wiki "NBT format"): a named tag is `type id (1 byte) | name length (u16) | name
(modified UTF-8) | payload`; compounds end with a TAG_End byte; lists carry `element type (1 byte) |
length (i32)` before unnamed payloads; arrays carry `length (i32)` then big-endian elements.
"""
from __future__ import annotations

import struct

END, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE = 0, 1, 2, 3, 4, 5, 6
BYTE_ARRAY, STRING, LIST, COMPOUND, INT_ARRAY, LONG_ARRAY = 7, 8, 9, 10, 11, 12

TAG_END = b"\x00"

_I32 = struct.Struct(">i")
_I64 = struct.Struct(">q")


def string_payload(value: str) -> bytes:
    """u16 length + UTF-8 bytes (identical to modified UTF-8 for the ASCII ids we write)."""
    data = value.encode("utf-8")
    if len(data) > 0xFFFF:
        raise ValueError("NBT string longer than 65535 bytes")
    return struct.pack(">H", len(data)) + data


def header(tag_type: int, name: str) -> bytes:
    """Type byte and name of a named tag; the payload follows."""
    return bytes((tag_type,)) + string_payload(name)


def byte_tag(name: str, value: int) -> bytes:
    return header(BYTE, name) + struct.pack(">b", value)


def int_tag(name: str, value: int) -> bytes:
    return header(INT, name) + _I32.pack(value)


def long_tag(name: str, value: int) -> bytes:
    return header(LONG, name) + _I64.pack(value)


def string_tag(name: str, value: str) -> bytes:
    return header(STRING, name) + string_payload(value)


def i32(value: int) -> bytes:
    return _I32.pack(value)


def list_header(name: str, element_type: int, length: int) -> bytes:
    """Header of a named list; `length` unnamed payloads of `element_type` must follow."""
    return header(LIST, name) + bytes((element_type,)) + _I32.pack(length)


def empty_list(name: str) -> bytes:
    # The game itself writes empty lists with element type TAG_End.
    return list_header(name, END, 0)


def long_array_tag(name: str, big_endian_longs: bytes) -> bytes:
    """`big_endian_longs` is already the payload (e.g. `array.astype('>i8').tobytes()`)."""
    if len(big_endian_longs) % 8:
        raise ValueError("long array payload must be a multiple of 8 bytes")
    return header(LONG_ARRAY, name) + _I32.pack(len(big_endian_longs) // 8) + big_endian_longs


def compound_payload(entries: dict[str, tuple[int, object]]) -> bytes:
    """Payload (no header) of a compound built from {name: (tag type, value)}.

    Values: int for BYTE/SHORT/INT/LONG, str for STRING, a dict of the same shape for COMPOUND,
    and for LIST a tuple (element type, [values]). Insertion order is kept, so the output is
    deterministic.
    """
    parts = []
    for name, (tag_type, value) in entries.items():
        parts.append(header(tag_type, name))
        parts.append(_payload(tag_type, value))
    parts.append(TAG_END)
    return b"".join(parts)


def _payload(tag_type: int, value) -> bytes:
    if tag_type == BYTE:
        return struct.pack(">b", value)
    if tag_type == SHORT:
        return struct.pack(">h", value)
    if tag_type == INT:
        return _I32.pack(value)
    if tag_type == LONG:
        return _I64.pack(value)
    if tag_type == STRING:
        return string_payload(value)
    if tag_type == COMPOUND:
        return compound_payload(value)
    if tag_type == LIST:
        element_type, items = value
        if not items:
            element_type = END
        return bytes((element_type,)) + _I32.pack(len(items)) + b"".join(
            _payload(element_type, item) for item in items)
    raise ValueError(f"unsupported tag type {tag_type}")
