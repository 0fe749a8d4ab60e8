"""Read columns of a written world through the independent decoder (anvil_reader + nbtlib).

Shares no code with the pipeline or the writer: block positions are found from the region and
chunk coordinates alone, as the game would.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .anvil_reader import read_region, section_states

Y_LO = -64


class WorldProbe:
    def __init__(self, world_dir: Path):
        self.dir = Path(world_dir)
        self.meta = json.loads((self.dir / "metadata.json").read_text())
        self._regions: dict = {}
        self._chunks: dict = {}

    def region(self, rx: int, rz: int) -> dict:
        if (rx, rz) not in self._regions:
            p = self.dir / "region" / f"r.{rx}.{rz}.mca"
            self._regions[(rx, rz)] = read_region(p) if p.exists() else {}
        return self._regions[(rx, rz)]

    def chunk(self, cx: int, cz: int) -> np.ndarray | None:
        """Block names (384, 16, 16) [y - Y_LO, z, x] of chunk (cx, cz), properties dropped."""
        if (cx, cz) not in self._chunks:
            entry = self.region(cx // 32, cz // 32).get((cx % 32, cz % 32))
            if entry is None:
                self._chunks[(cx, cz)] = None
            else:
                names = np.full((384, 16, 16), "minecraft:air", dtype=object)
                for section in entry.nbt["sections"]:
                    palette, idx = section_states(section)
                    y0 = int(section["Y"]) * 16 - Y_LO
                    if 0 <= y0 < 384:
                        names[y0:y0 + 16] = np.array([p.split("[")[0] for p in palette],
                                                     dtype=object)[idx]
                self._chunks[(cx, cz)] = names
        return self._chunks[(cx, cz)]

    def column(self, x: int, z: int) -> np.ndarray:
        c = self.chunk(x // 16, z // 16)
        assert c is not None, f"chunk of column ({x}, {z}) is missing"
        return c[:, z % 16, x % 16]

    def highest(self, x: int, z: int, ignore=("minecraft:air",)) -> tuple[int, str]:
        """(y, name) of the highest block in the column not in `ignore`."""
        col = self.column(x, z)
        for i in range(len(col) - 1, -1, -1):
            if col[i] not in ignore:
                return i + Y_LO, col[i]
        return Y_LO - 1, "minecraft:air"

    def block(self, x: int, y: int, z: int) -> str:
        return self.column(x, z)[y - Y_LO]
