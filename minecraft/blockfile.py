"""A region's blocks kept on disk between building and a live push (the build's "blocks" format).

The live push (live.py) sends the very RegionBlocks the Java writer gets, but a push may stop
and resume much later, and `--diff` compares a new build with the last pushed one, so each
region's RegionBlocks is stored as a compressed .npz: the uint8 Block ids, y_min, the present
chunks and the signs. Writes are atomic (temp file + rename) like the writer's region files.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

BLOCKS_DIR = "blocks"


def region_file(folder: Path | str, rx: int, rz: int) -> Path:
    return Path(folder) / f"r.{rx}.{rz}.npz"


def save_region(folder: Path | str, region) -> Path:
    """Store a java.RegionBlocks."""
    path = region_file(folder, region.rx, region.rz)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp.npz")
    signs = json.dumps([[int(x), int(y), int(z), list(lines)]
                        for x, y, z, lines in region.signs], ensure_ascii=False)
    np.savez_compressed(tmp, blocks=region.blocks, y_min=np.int64(region.y_min),
                        present=region.present, signs=np.array(signs))
    os.replace(tmp, path)
    return path


def load_region(folder: Path | str, rx: int, rz: int):
    """The stored java.RegionBlocks of region (rx, rz), or None if there is none."""
    from .java import RegionBlocks  # as in build.py: the writer is imported where it is used

    path = region_file(folder, rx, rz)
    if not path.exists():
        return None
    with np.load(path) as d:
        signs = [(x, y, z, list(lines)) for x, y, z, lines in json.loads(str(d["signs"]))]
        return RegionBlocks(rx=rx, rz=rz, y_min=int(d["y_min"]),
                            blocks=np.ascontiguousarray(d["blocks"]), present=d["present"],
                            signs=signs)
