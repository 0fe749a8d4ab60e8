"""Bedrock block states for our block vocabulary, pinned to one block-state version.

A Bedrock palette entry is a little-endian NBT compound {name, states, version}. `version` says
which game release the name and states belong to: the game upgrades older states itself (Mojang's
block upgrade schemas, mirrored in pmmp/BedrockBlockUpgradeSchema), but cannot understand names
from releases newer than itself. So every entry here is the state as Bedrock 1.21.0 writes it,
with 1.21.0's version number, and any later game (and Minecraft Education, which follows Bedrock
by some months) upgrades it on load. Several names were renamed after 1.21.0 (yellow_flower ->
dandelion, stonebrick -> stone_bricks, dirt/sand/sandstone lost their type states in 1.21.20);
writing the 1.21.0 forms is what keeps one world valid for both old and new clients.

Source of every name, state and value: the game's canonical block-state list for 1.21.0
(pmmp/BedrockData tag bedrock-1.21.0, canonical_block_states.nbt, extracted from the vanilla
dedicated server); version 18153475 is the `version` tag of every state in that list
(1 << 24 | 21 << 16 | 0 << 8 | 3).

This table is separate from blocks.py on purpose: blocks.py's `bedrock` field is a bare name
with no states or version. A Block without an entry here cannot be written to a Bedrock world;
tests/minecraft/test_bedrock_writer.py lists any such Block.
"""
from __future__ import annotations

import io

import nbtlib
from nbtlib import tag

from .blocks import Block

BLOCK_STATE_VERSION = 18153475   # Bedrock 1.21.0.3, see the module docstring

# Block -> (name, states). States hold nbtlib tags because the type is part of the state:
# strings, bytes (the game's *_bit booleans) and ints are all used.
BEDROCK_STATES: dict[Block, tuple[str, dict[str, tag.Base]]] = {
    Block.AIR: ("minecraft:air", {}),
    Block.STONE: ("minecraft:stone", {}),
    Block.DIRT: ("minecraft:dirt", {"dirt_type": tag.String("normal")}),
    Block.GRASS_BLOCK: ("minecraft:grass_block", {}),
    Block.SAND: ("minecraft:sand", {"sand_type": tag.String("normal")}),
    Block.GRAVEL: ("minecraft:gravel", {}),
    Block.WATER: ("minecraft:water", {"liquid_depth": tag.Int(0)}),   # 0: a source block
    Block.BEDROCK: ("minecraft:bedrock", {"infiniburn_bit": tag.Byte(0)}),
    Block.SANDSTONE: ("minecraft:sandstone", {"sand_stone_type": tag.String("default")}),
    Block.DIRT_PATH: ("minecraft:grass_path", {}),
    Block.STONE_BRICKS: ("minecraft:stonebrick", {"stone_brick_type": tag.String("default")}),
    Block.BRICKS: ("minecraft:brick_block", {}),
    Block.SMOOTH_STONE: ("minecraft:smooth_stone", {}),
    Block.OAK_LOG: ("minecraft:oak_log", {"pillar_axis": tag.String("y")}),
    # persistent_bit 1: placed leaves that never decay (Java's persistent=true)
    Block.OAK_LEAVES: ("minecraft:oak_leaves", {"persistent_bit": tag.Byte(1),
                                                "update_bit": tag.Byte(0)}),
    Block.GRAY_CONCRETE: ("minecraft:gray_concrete", {}),
    Block.WHITE_CONCRETE: ("minecraft:white_concrete", {}),
    Block.LIGHT_GRAY_CONCRETE: ("minecraft:light_gray_concrete", {}),
    Block.BLACK_CONCRETE: ("minecraft:black_concrete", {}),
    Block.COBBLESTONE: ("minecraft:cobblestone", {}),
    Block.OAK_PLANKS: ("minecraft:oak_planks", {}),
    Block.GLASS: ("minecraft:glass", {}),
    Block.SPRUCE_LOG: ("minecraft:spruce_log", {"pillar_axis": tag.String("y")}),
    Block.SPRUCE_LEAVES: ("minecraft:spruce_leaves", {"persistent_bit": tag.Byte(1),
                                                      "update_bit": tag.Byte(0)}),
    Block.SHORT_GRASS: ("minecraft:short_grass", {}),
    Block.POPPY: ("minecraft:poppy", {}),
    Block.DANDELION: ("minecraft:yellow_flower", {}),
    Block.RED_CONCRETE: ("minecraft:red_concrete", {}),
    Block.SNOW_BLOCK: ("minecraft:snow", {}),            # the full block; layers are snow_layer
    Block.CLAY: ("minecraft:clay", {}),
    Block.MUD: ("minecraft:mud", {}),
    Block.OAK_SIGN: ("minecraft:standing_sign", {"ground_sign_direction": tag.Int(0)}),
    Block.GLOWSTONE: ("minecraft:glowstone", {}),
    Block.BIRCH_LOG: ("minecraft:birch_log", {"pillar_axis": tag.String("y")}),
    Block.BIRCH_LEAVES: ("minecraft:birch_leaves", {"persistent_bit": tag.Byte(1),
                                                    "update_bit": tag.Byte(0)}),
    Block.FARMLAND: ("minecraft:farmland", {"moisturized_amount": tag.Int(7)}),
    Block.WHEAT: ("minecraft:wheat", {"growth": tag.Int(7)}),
    Block.MOSS_BLOCK: ("minecraft:moss_block", {}),
    Block.PODZOL: ("minecraft:podzol", {}),
    Block.BARRIER: ("minecraft:barrier", {}),
    # Education's protection blocks (in Bedrock since 1.16); the border block has a wall's states
    Block.ALLOW: ("minecraft:allow", {}),
    Block.DENY: ("minecraft:deny", {}),
    Block.BORDER_BLOCK: ("minecraft:border_block", {
        **{f"wall_connection_type_{side}": tag.String("none")
           for side in ("east", "north", "south", "west")},
        "wall_post_bit": tag.Byte(0)}),
    # Doors in 1.21.0 still carry `direction` 0-3 (east, south, west, north, as the legacy door
    # data); later releases renamed it minecraft:cardinal_direction and upgrade it on load.
    # Checked against PyMCTranslate's Bedrock 1.21.0 specification. Both halves carry it.
    **{door: ("minecraft:wooden_door", {"direction": tag.Int(direction),
                                        "door_hinge_bit": tag.Byte(0), "open_bit": tag.Byte(0),
                                        "upper_block_bit": tag.Byte(upper)})
       for door, direction, upper in (
           (Block.OAK_DOOR_EAST_LOWER, 0, 0), (Block.OAK_DOOR_EAST_UPPER, 0, 1),
           (Block.OAK_DOOR_SOUTH_LOWER, 1, 0), (Block.OAK_DOOR_SOUTH_UPPER, 1, 1),
           (Block.OAK_DOOR_WEST_LOWER, 2, 0), (Block.OAK_DOOR_WEST_UPPER, 2, 1),
           (Block.OAK_DOOR_NORTH_LOWER, 3, 0), (Block.OAK_DOOR_NORTH_UPPER, 3, 1))},
}


def palette_entry(name: str, states: dict[str, tag.Base]) -> bytes:
    """One palette entry as the game stores it: an unnamed root compound, little-endian."""
    root = nbtlib.File({"name": tag.String(name), "states": tag.Compound(states),
                        "version": tag.Int(BLOCK_STATE_VERSION)}, root_name="")
    buf = io.BytesIO()
    root.write(buf, byteorder="little")
    return buf.getvalue()


# Encoded once per process: palette bytes per block id (b"" for ids without an entry).
PALETTE_ENTRY: list[bytes] = [b""] * 256
for _block, (_name, _states) in BEDROCK_STATES.items():
    PALETTE_ENTRY[int(_block)] = palette_entry(_name, _states)
