"""One block vocabulary for every writer.

A block is a small integer (uint8) so whole regions fit in compact numpy arrays. Each id maps to
its Java block state, its Bedrock name and its mcpi (RaspberryJuice) id and data value.

Rules for changing it: ids stay 0..n-1 without gaps (the Java writer checks ids against the
largest one), AIR stays 0, and every Java state lists all its properties (the game fills missing
ones with defaults, which for leaves would mean decaying, non-persistent leaves). Java names must
exist in every release of java.GAME_VERSIONS (1.20.4 and later: e.g. short_grass, not grass).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Block(IntEnum):
    AIR = 0
    STONE = 1
    DIRT = 2
    GRASS_BLOCK = 3
    SAND = 4
    GRAVEL = 5
    WATER = 6
    BEDROCK = 7
    SANDSTONE = 8
    DIRT_PATH = 9
    STONE_BRICKS = 10
    BRICKS = 11
    SMOOTH_STONE = 12
    OAK_LOG = 13
    OAK_LEAVES = 14
    GRAY_CONCRETE = 15
    WHITE_CONCRETE = 16
    LIGHT_GRAY_CONCRETE = 17
    BLACK_CONCRETE = 18
    COBBLESTONE = 19
    OAK_PLANKS = 20
    GLASS = 21
    SPRUCE_LOG = 22
    SPRUCE_LEAVES = 23
    SHORT_GRASS = 24
    POPPY = 25
    DANDELION = 26
    RED_CONCRETE = 27
    SNOW_BLOCK = 28
    CLAY = 29
    MUD = 30
    OAK_SIGN = 31
    GLOWSTONE = 32
    BIRCH_LOG = 33
    BIRCH_LEAVES = 34
    FARMLAND = 35
    WHEAT = 36
    MOSS_BLOCK = 37
    PODZOL = 38
    OAK_DOOR_NORTH_LOWER = 39
    OAK_DOOR_NORTH_UPPER = 40
    OAK_DOOR_EAST_LOWER = 41
    OAK_DOOR_EAST_UPPER = 42
    OAK_DOOR_SOUTH_LOWER = 43
    OAK_DOOR_SOUTH_UPPER = 44
    OAK_DOOR_WEST_LOWER = 45
    OAK_DOOR_WEST_UPPER = 46
    BARRIER = 47
    # Minecraft Education's protection blocks (plots.py); Java has none of them
    ALLOW = 48
    DENY = 49
    BORDER_BLOCK = 50


@dataclass(frozen=True)
class BlockInfo:
    java: str  # Java block state name (no properties needed by our vocabulary unless given)
    bedrock: str
    mcpi: tuple[int, int]  # (id, data) for the Pi/RaspberryJuice API
    java_properties: dict[str, str] = field(default_factory=dict)
    # Heightmap semantics (minecraft.wiki "Chunk format", Heightmaps): `solid` means the block
    # blocks motion (counts for OCEAN_FLOOR and MOTION_BLOCKING*), `liquid` means it holds a fluid
    # (counts for MOTION_BLOCKING* but not OCEAN_FLOOR), `leaves` excludes it from
    # MOTION_BLOCKING_NO_LEAVES. Anything but air counts for WORLD_SURFACE.
    solid: bool = True
    liquid: bool = False
    leaves: bool = False


BLOCKS: dict[Block, BlockInfo] = {
    Block.AIR: BlockInfo("minecraft:air", "minecraft:air", (0, 0), solid=False),
    Block.STONE: BlockInfo("minecraft:stone", "minecraft:stone", (1, 0)),
    Block.DIRT: BlockInfo("minecraft:dirt", "minecraft:dirt", (3, 0)),
    Block.GRASS_BLOCK: BlockInfo("minecraft:grass_block", "minecraft:grass_block", (2, 0),
                                 java_properties={"snowy": "false"}),
    Block.SAND: BlockInfo("minecraft:sand", "minecraft:sand", (12, 0)),
    Block.GRAVEL: BlockInfo("minecraft:gravel", "minecraft:gravel", (13, 0)),
    Block.WATER: BlockInfo("minecraft:water", "minecraft:water", (9, 0),
                           java_properties={"level": "0"}, solid=False, liquid=True),
    Block.BEDROCK: BlockInfo("minecraft:bedrock", "minecraft:bedrock", (7, 0)),
    Block.SANDSTONE: BlockInfo("minecraft:sandstone", "minecraft:sandstone", (24, 0)),
    Block.DIRT_PATH: BlockInfo("minecraft:dirt_path", "minecraft:grass_path", (3, 0)),
    Block.STONE_BRICKS: BlockInfo("minecraft:stone_bricks", "minecraft:stonebrick", (98, 0)),
    Block.BRICKS: BlockInfo("minecraft:bricks", "minecraft:brick_block", (45, 0)),
    Block.SMOOTH_STONE: BlockInfo("minecraft:smooth_stone", "minecraft:smooth_stone", (43, 8)),
    Block.OAK_LOG: BlockInfo("minecraft:oak_log", "minecraft:oak_log", (17, 0),
                             java_properties={"axis": "y"}),
    Block.OAK_LEAVES: BlockInfo("minecraft:oak_leaves", "minecraft:oak_leaves", (18, 0),
                                java_properties={"distance": "1", "persistent": "true",
                                                 "waterlogged": "false"}, leaves=True),
    Block.GRAY_CONCRETE: BlockInfo("minecraft:gray_concrete", "minecraft:gray_concrete", (35, 7)),
    Block.WHITE_CONCRETE: BlockInfo("minecraft:white_concrete", "minecraft:white_concrete", (35, 0)),
    Block.LIGHT_GRAY_CONCRETE: BlockInfo("minecraft:light_gray_concrete",
                                         "minecraft:light_gray_concrete", (35, 8)),
    Block.BLACK_CONCRETE: BlockInfo("minecraft:black_concrete", "minecraft:black_concrete", (35, 15)),
    Block.COBBLESTONE: BlockInfo("minecraft:cobblestone", "minecraft:cobblestone", (4, 0)),
    Block.OAK_PLANKS: BlockInfo("minecraft:oak_planks", "minecraft:oak_planks", (5, 0)),
    Block.GLASS: BlockInfo("minecraft:glass", "minecraft:glass", (20, 0)),
    Block.SPRUCE_LOG: BlockInfo("minecraft:spruce_log", "minecraft:spruce_log", (17, 1),
                                java_properties={"axis": "y"}),
    Block.SPRUCE_LEAVES: BlockInfo("minecraft:spruce_leaves", "minecraft:spruce_leaves", (18, 1),
                                   java_properties={"distance": "1", "persistent": "true",
                                                    "waterlogged": "false"}, leaves=True),
    Block.SHORT_GRASS: BlockInfo("minecraft:short_grass", "minecraft:short_grass", (31, 1),
                                 solid=False),
    Block.POPPY: BlockInfo("minecraft:poppy", "minecraft:poppy", (38, 0), solid=False),
    Block.DANDELION: BlockInfo("minecraft:dandelion", "minecraft:yellow_flower", (37, 0),
                               solid=False),
    Block.RED_CONCRETE: BlockInfo("minecraft:red_concrete", "minecraft:red_concrete", (35, 14)),
    Block.SNOW_BLOCK: BlockInfo("minecraft:snow_block", "minecraft:snow", (80, 0)),
    Block.CLAY: BlockInfo("minecraft:clay", "minecraft:clay", (82, 0)),
    Block.MUD: BlockInfo("minecraft:mud", "minecraft:mud", (3, 0)),
    Block.OAK_SIGN: BlockInfo("minecraft:oak_sign", "minecraft:standing_sign", (63, 0),
                              java_properties={"rotation": "0", "waterlogged": "false"},
                              solid=False),
    Block.GLOWSTONE: BlockInfo("minecraft:glowstone", "minecraft:glowstone", (89, 0)),
    Block.BIRCH_LOG: BlockInfo("minecraft:birch_log", "minecraft:birch_log", (17, 2),
                               java_properties={"axis": "y"}),
    Block.BIRCH_LEAVES: BlockInfo("minecraft:birch_leaves", "minecraft:birch_leaves", (18, 2),
                                  java_properties={"distance": "1", "persistent": "true",
                                                   "waterlogged": "false"}, leaves=True),
    # Fully moist farmland under ripe wheat: farmland with a crop on it never turns to dirt.
    Block.FARMLAND: BlockInfo("minecraft:farmland", "minecraft:farmland", (60, 7),
                              java_properties={"moisture": "7"}),
    Block.WHEAT: BlockInfo("minecraft:wheat", "minecraft:wheat", (59, 7),
                           java_properties={"age": "7"}, solid=False),
    Block.MOSS_BLOCK: BlockInfo("minecraft:moss_block", "minecraft:moss_block", (2, 0)),
    Block.PODZOL: BlockInfo("minecraft:podzol", "minecraft:podzol", (3, 2),
                            java_properties={"snowy": "false"}),
    **{door: BlockInfo("minecraft:oak_door", "minecraft:wooden_door", (64, mcpi_data),
                       java_properties={"facing": facing, "half": half, "hinge": "left",
                                        "open": "false", "powered": "false"})
       for door, facing, half, mcpi_data in (
           (Block.OAK_DOOR_NORTH_LOWER, "north", "lower", 3),
           (Block.OAK_DOOR_NORTH_UPPER, "north", "upper", 8),
           (Block.OAK_DOOR_EAST_LOWER, "east", "lower", 0),
           (Block.OAK_DOOR_EAST_UPPER, "east", "upper", 8),
           (Block.OAK_DOOR_SOUTH_LOWER, "south", "lower", 1),
           (Block.OAK_DOOR_SOUTH_UPPER, "south", "upper", 8),
           (Block.OAK_DOOR_WEST_LOWER, "west", "lower", 2),
           (Block.OAK_DOOR_WEST_UPPER, "west", "upper", 8))},
    # Invisible and unbreakable in survival: closes the map's edges the world border leaves open.
    Block.BARRIER: BlockInfo("minecraft:barrier", "minecraft:barrier", (166, 0)),
    # Java has no allow/deny/border blocks: allow and deny lie on the world's floor, where Java
    # has bedrock; the border block lies under a plot's border path, where a barrier changes
    # nothing (Java servers protect plots with WorldGuard regions, plots.worldguard_regions).
    Block.ALLOW: BlockInfo("minecraft:bedrock", "minecraft:allow", (7, 0)),
    Block.DENY: BlockInfo("minecraft:bedrock", "minecraft:deny", (7, 0)),
    Block.BORDER_BLOCK: BlockInfo("minecraft:barrier", "minecraft:border_block", (166, 0)),
}

# Doors by the direction a player faces when walking out: (lower, upper) halves.
DOORS = {"north": (Block.OAK_DOOR_NORTH_LOWER, Block.OAK_DOOR_NORTH_UPPER),
         "east": (Block.OAK_DOOR_EAST_LOWER, Block.OAK_DOOR_EAST_UPPER),
         "south": (Block.OAK_DOOR_SOUTH_LOWER, Block.OAK_DOOR_SOUTH_UPPER),
         "west": (Block.OAK_DOOR_WEST_LOWER, Block.OAK_DOOR_WEST_UPPER)}
# Blocks that fall when nothing is under them: never used for a bridge deck.
FALLING = frozenset({Block.SAND, Block.GRAVEL})

assert set(BLOCKS) == set(Block), "every Block needs a BlockInfo"
