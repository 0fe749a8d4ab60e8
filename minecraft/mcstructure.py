"""Bedrock structure files (.mcstructure), which structure blocks and `/structure load` read.

Format (tryashtar's ".mcstructure file format" notes, gist.github.com/tryashtar/
87ad9654305e5df686acab05cc4b6205; the same layout in the bedrock-world crate's mcstructure.rs):
uncompressed little-endian NBT, an unnamed root compound holding
- format_version: int 1; size: list of 3 ints [x, y, z];
- structure_world_origin: list of 3 ints, the world position the structure was saved from;
- structure: {block_indices: a list of two int lists, one per layer, each holding an index into
  the palette per block in ZYX order, z fastest: index = x * (sy * sz) + y * sz + z; layer 0 the
  blocks, layer 1 the water of waterlogged blocks, -1 for none; entities: list of compounds;
  palette: {default: {block_palette: [{name, states, version}], block_position_data: {}}}}.
Air is written as minecraft:air (which clears what stands there when loaded), not -1 (which
keeps it), so loading the structure rebuilds the plot as it was.
"""
from __future__ import annotations

from pathlib import Path

import nbtlib
import numpy as np
from nbtlib import tag

from .bedrock_read import BedrockState


def write_mcstructure(path: Path, palette: list[BedrockState], blocks: np.ndarray,
                      origin: tuple[int, int, int]) -> Path:
    """The structure of `blocks` [y, z, x] (indices into `palette`) saved from world `origin`."""
    used = np.unique(blocks)
    remap = np.zeros(len(palette), dtype=np.int64)
    remap[used] = np.arange(len(used))
    sy, sz, sx = blocks.shape
    layer0 = remap[blocks.transpose(2, 0, 1)].ravel()             # [x, y, z]: z fastest
    root = nbtlib.File({
        "format_version": tag.Int(1),
        "size": tag.List[tag.Int]([sx, sy, sz]),
        "structure": tag.Compound({
            "block_indices": tag.List[tag.List[tag.Int]]([
                tag.List[tag.Int](layer0.tolist()),
                tag.List[tag.Int]([-1] * layer0.size)]),
            "entities": tag.List[tag.Compound](),
            "palette": tag.Compound({"default": tag.Compound({
                "block_palette": tag.List[tag.Compound]([
                    tag.Compound({"name": tag.String(palette[u].name),
                                  "states": palette[u].states,
                                  "version": tag.Int(palette[u].version)})
                    for u in used.tolist()]),
                "block_position_data": tag.Compound()})}),
        }),
        "structure_world_origin": tag.List[tag.Int](list(origin)),
    }, root_name="")
    with open(path, "wb") as f:
        root.write(f, byteorder="little")
    return path
