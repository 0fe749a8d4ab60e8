"""Few commands for a live push: a region's blocks as a short list of filled cuboids.

Pure numpy, no I/O. A cuboid is one row of an int32 array [x0, y0, z0, x1, y1, z1, block]
(inclusive corners, world block coordinates), i.e. one `world.setBlocks`.

How the list stays short:
1. Base fill: each layer's most common block (stone deep down, air above) is laid over the whole
   region first, in a few large cuboids (split to at most `max_volume` blocks each, because a
   server sets a cuboid within one game tick).
2. Only blocks that differ from that base are sent, as vertical runs of one block per column
   (e.g. the three dirt blocks under the grass).
3. Greedy merging: equal runs (block, y0, y1) of neighbouring columns are joined along x into
   strips, then equal strips (x0, x1, block, y0, y1) of neighbouring rows along z into cuboids.

The naive strategy the benchmark compares with is `base=False, merge=False`: one setBlocks per
vertical run of each column.
"""
from __future__ import annotations

import numpy as np

from .blocks import Block

BAND = 64  # rows of a region examined at once (bounds the temporary arrays)
REGION = 512


def layer_modes(blocks: np.ndarray, y_min: int, h: int, w: int, y_lo: int, y_hi: int
                ) -> np.ndarray:
    """Most common block of each layer y_lo..y_hi over the region's h x w columns (ties: the
    smaller id); layers outside the array are air."""
    modes = np.full(y_hi - y_lo + 1, int(Block.AIR), dtype=np.int32)
    ny = blocks.shape[0]
    for y in range(max(y_lo, y_min), min(y_hi, y_min + ny - 1) + 1):
        modes[y - y_lo] = int(np.bincount(blocks[y - y_min, :h, :w].ravel(),
                                          minlength=256).argmax())
    return modes


def split(boxes: np.ndarray, max_volume: int) -> np.ndarray:
    """Cut cuboids larger than max_volume in halves along their longest side until each fits."""
    out = []
    todo = [tuple(int(v) for v in b) for b in boxes]
    while todo:
        b = todo.pop()
        size = (b[3] - b[0] + 1, b[4] - b[1] + 1, b[5] - b[2] + 1)
        if size[0] * size[1] * size[2] <= max_volume:
            out.append(b)
            continue
        axis = int(np.argmax(size))
        cut = b[axis] + size[axis] // 2  # first coordinate of the upper half
        lower, upper = list(b), list(b)
        lower[axis + 3] = cut - 1
        upper[axis] = cut
        todo += [tuple(upper), tuple(lower)]
    return np.array(out, dtype=np.int32).reshape(-1, 7)


def merge_x(z, x, y0, y1, b):
    """Join runs equal in (z, y0, y1, block) at consecutive x into strips (x0, x1)."""
    order = np.lexsort((x, b, y1, y0, z))
    z, x, y0, y1, b = z[order], x[order], y0[order], y1[order], b[order]
    brk = np.ones(len(x), dtype=bool)
    brk[1:] = ((z[1:] != z[:-1]) | (y0[1:] != y0[:-1]) | (y1[1:] != y1[:-1])
               | (b[1:] != b[:-1]) | (x[1:] != x[:-1] + 1))
    first = np.flatnonzero(brk)
    last = np.r_[first[1:] - 1, len(x) - 1] if len(x) else first
    return z[first], x[first], x[last], y0[first], y1[first], b[first]


def merge_z(z, x0, x1, y0, y1, b):
    """Join strips equal in (x0, x1, y0, y1, block) at consecutive z into cuboids."""
    order = np.lexsort((z, b, y1, y0, x1, x0))
    z, x0, x1, y0, y1, b = (a[order] for a in (z, x0, x1, y0, y1, b))
    brk = np.ones(len(z), dtype=bool)
    brk[1:] = ((x0[1:] != x0[:-1]) | (x1[1:] != x1[:-1]) | (y0[1:] != y0[:-1])
               | (y1[1:] != y1[:-1]) | (b[1:] != b[:-1]) | (z[1:] != z[:-1] + 1))
    first = np.flatnonzero(brk)
    last = np.r_[first[1:] - 1, len(z) - 1] if len(z) else first
    return np.stack([x0[first], y0[first], z[first], x1[first], y1[first], z[last],
                     b[first]], axis=1).astype(np.int32)


def column_runs(band: np.ndarray, send: np.ndarray):
    """Vertical runs of equal blocks where `send` is True, in a (ny, rows, w) band:
    (row, x, first layer, last layer, block) arrays."""
    same_below = np.zeros_like(send)
    same_below[1:] = send[:-1] & (band[1:] == band[:-1])
    same_above = np.zeros_like(send)
    same_above[:-1] = send[1:] & (band[:-1] == band[1:])
    starts = send & ~same_below
    ends = send & ~same_above
    # nonzero in (row, x, layer) order pairs each run's start with its end
    r0, x0, l0 = np.nonzero(starts.transpose(1, 2, 0))
    _, _, l1 = np.nonzero(ends.transpose(1, 2, 0))
    return r0, x0, l0, l1, band[l0, r0, x0]


def region_cuboids(blocks: np.ndarray, y_min: int, h: int, w: int, y_lo: int, y_hi: int,
                   x0: int, z0: int, max_volume: int, *, base: bool = True, merge: bool = True,
                   changed: np.ndarray | None = None) -> np.ndarray:
    """The cuboids that rebuild a region's h x w columns between y_lo and y_hi (inclusive).

    blocks[y - y_min, z, x] (a RegionBlocks array; air outside it); (x0, z0) is the region's
    first block in world coordinates. changed: (h, w) bool, columns to send (--diff); then no
    base fill is laid and each changed column is sent whole. Base cuboids come first, then the
    rest in chunk order, so commands touching one chunk go together.
    """
    ny = blocks.shape[0]
    n_layers = y_hi - y_lo + 1
    use_base = base and changed is None
    modes = layer_modes(blocks, y_min, h, w, y_lo, y_hi) if use_base else None
    pieces = []
    if use_base:
        edges = np.flatnonzero(np.r_[True, modes[1:] != modes[:-1]])
        ends = np.r_[edges[1:] - 1, n_layers - 1]
        base_boxes = np.array([[x0, y_lo + a, z0, x0 + w - 1, y_lo + e, z0 + h - 1, modes[a]]
                               for a, e in zip(edges, ends)], dtype=np.int32)
        pieces.append(_chunk_order(split(base_boxes, max_volume)))
    strips = []
    for r in range(0, h, BAND):
        rows = min(BAND, h - r)
        band = np.zeros((n_layers, rows, w), dtype=np.uint8)
        a, e = max(y_lo, y_min), min(y_hi, y_min + ny - 1)
        if a <= e:
            band[a - y_lo:e - y_lo + 1] = blocks[a - y_min:e - y_min + 1, r:r + rows, :w]
        if use_base:
            send = band != modes[:, None, None].astype(np.uint8)
        elif changed is not None:
            send = np.broadcast_to(changed[None, r:r + rows, :w], band.shape).copy()
        else:
            send = np.ones(band.shape, dtype=bool)
        rz, rx, l0, l1, b = column_runs(band, send)
        rz = rz + r
        if merge:
            strips.append(merge_x(rz, rx, l0, l1, b))
        else:
            strips.append((rz, rx, rx, l0, l1, b))
    if strips:
        z, sx0, sx1, l0, l1, b = (np.concatenate(c) for c in zip(*strips))
        if merge:
            cub = merge_z(z, sx0, sx1, l0, l1, b)
        else:
            cub = np.stack([sx0, l0, z, sx1, l1, z, b], axis=1).astype(np.int32)
        cub[:, [0, 3]] += x0
        cub[:, [2, 5]] += z0
        cub[:, [1, 4]] += y_lo
        pieces.append(_chunk_order(split(cub, max_volume)))
    return np.concatenate(pieces) if pieces else np.zeros((0, 7), np.int32)


def _chunk_order(c: np.ndarray) -> np.ndarray:
    order = np.lexsort((c[:, 1], c[:, 0], c[:, 2], c[:, 0] // 16, c[:, 2] // 16))
    return c[order]


def volumes(c: np.ndarray) -> np.ndarray:
    return ((c[:, 3] - c[:, 0] + 1).astype(np.int64) * (c[:, 4] - c[:, 1] + 1)
            * (c[:, 5] - c[:, 2] + 1))


def top_and_bottom(blocks: np.ndarray, y_min: int, h: int, w: int) -> tuple[int, int]:
    """Highest non-air block, and lowest block that is neither air, stone nor bedrock (the part
    of the world that must reach the server: deep stone may be cut off, a sea floor not).
    The plots' allow/deny floor counts as bedrock: only Education knows those blocks, every
    server profile gets bedrock for them, and without them a world with plots would not fit
    the servers whose y range ends above the world's floor."""
    special = np.ones(256, dtype=bool)
    special[[Block.AIR, Block.STONE, Block.BEDROCK, Block.ALLOW, Block.DENY]] = False
    top = bottom = None
    for i in range(blocks.shape[0]):
        layer = blocks[i, :h, :w]
        if layer.any():
            top = i + y_min
            if bottom is None and special[layer].any():
                bottom = i + y_min
    if top is None:
        return y_min - 1, y_min - 1
    return top, top if bottom is None else bottom
