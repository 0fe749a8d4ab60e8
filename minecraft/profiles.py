"""Live-server profiles: what each family of mcpi-protocol servers holds and how it names blocks.

Every server here speaks the Minecraft Pi text protocol on TCP (default port 4711), but they
differ in ways the push must respect:

- `pi`: Minecraft: Pi Edition. A 256 x 256 world, y 0..127, numeric ids from Pi's small block
  set (0-108 plus a few), coordinates relative to the spawn point ("(0,0,0) is the spawn point
  sea level", mcpi_protocol_spec.txt), no world.setSign. Writes are not answered; errors are.
- `bukkit`: RaspberryJuice on Bukkit/Spigot 1.12 (zhuowei/RaspberryJuice). y 0..255, numeric
  ids with data values as in 1.12, coordinates relative to the spawn by default (config.yml
  `location: RELATIVE`), world.setSign(x,y,z,id,data,line1..4). Writes are not answered; a
  failing command answers "Fail".
- `paper`: modern plugins on Paper 1.20+ that take block names, modelled on JuicyRaspberryPie
  (wensheng/JuicyRaspberryPie): world.setBlocks(x1,y1,z1,x2,y2,z2,name), world.getBlock
  answers the material name (e.g. STONE), absolute coordinates, y -64..319, and every command
  is answered ("OK", or "Fail: <reason>").
- `jam`: the Raspberry Jam mod for Forge and Minetest (arpruss/raspberryjammod). A wide y range
  (Minetest's map limits; on Forge the game's own), numeric ids, relative coordinates. On
  Minetest ids are mapped onto nodes lossily (raspberryjammod-minetest block.lua: e.g. logs and
  planks are both default:wood, bedrock is obsidian), so this profile uses only ids that survive
  the round trip or names the ids the server may read back instead (`reads_back`).

Coordinates: the push maps world block (x, y, z) to the server's API coordinates
(ox + x, oy + y - sea_level_y, oz + z): --origin gives (ox, oy, oz), the API position of the
world's north-west corner at its water surface. Absolute servers default to (0, 62, 0), so a
world built with the default sea level lands at the same y as in the Java world; relative
servers default to the world centred on the spawn with the water surface one block below it.
For relative servers the absolute height is not known to the client, so the y range is checked
assuming the spawn stands at y 64 (`spawn_y`), the usual height of a default world's spawn.

The tables map every `Block` explicitly; a Block added to the vocabulary later falls back to
blocks.py's own mcpi (id, data) where the profile knows that id, else to stone or air by
whether the block is solid (tests/minecraft/test_live_push.py lists Blocks without a mapping).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .blocks import BLOCKS, Block

# Ids of Minecraft: Pi Edition (mcpi's block.py lists them): 0-108 and the Pi's own 246/247.
PI_IDS = frozenset(range(0, 109)) | {246, 247}
# Ids of Java 1.12 (the last release with numeric ids): 0-255.
JAVA_1_12_IDS = frozenset(range(0, 256))

_PI: dict[Block, tuple[int, int]] = {
    Block.AIR: (0, 0), Block.STONE: (1, 0), Block.GRASS_BLOCK: (2, 0), Block.DIRT: (3, 0),
    Block.COBBLESTONE: (4, 0), Block.OAK_PLANKS: (5, 0), Block.BEDROCK: (7, 0),
    Block.WATER: (9, 0), Block.SAND: (12, 0), Block.GRAVEL: (13, 0), Block.OAK_LOG: (17, 0),
    Block.SPRUCE_LOG: (17, 1), Block.OAK_LEAVES: (18, 0), Block.SPRUCE_LEAVES: (18, 1),
    Block.GLASS: (20, 0), Block.SANDSTONE: (24, 0), Block.SHORT_GRASS: (31, 1),
    Block.DANDELION: (37, 0), Block.POPPY: (38, 0), Block.BRICKS: (45, 0),
    Block.OAK_SIGN: (63, 0), Block.SNOW_BLOCK: (80, 0), Block.CLAY: (82, 0),
    Block.GLOWSTONE: (89, 0), Block.STONE_BRICKS: (98, 0),
    # Pi has neither concrete, smooth stone, paths nor mud: coloured wool, the double slab, dirt
    Block.WHITE_CONCRETE: (35, 0), Block.GRAY_CONCRETE: (35, 7),
    Block.LIGHT_GRAY_CONCRETE: (35, 8), Block.RED_CONCRETE: (35, 14),
    Block.BLACK_CONCRETE: (35, 15), Block.SMOOTH_STONE: (43, 0), Block.DIRT_PATH: (3, 0),
    Block.MUD: (3, 0),
    Block.BIRCH_LOG: (17, 2), Block.BIRCH_LEAVES: (18, 2), Block.FARMLAND: (60, 7),
    Block.WHEAT: (59, 7), Block.MOSS_BLOCK: (2, 0), Block.PODZOL: (3, 0),
    # The Pi has no barrier; the wall only closes a Java world's border strips: leave it out.
    Block.BARRIER: (0, 0),
    # No server but Education knows allow/deny/border blocks: the floor stays bedrock, and
    # under a plot's border path stone.
    Block.ALLOW: (7, 0), Block.DENY: (7, 0), Block.BORDER_BLOCK: (1, 0),
    # doors as in 1.12: the lower half's data is its facing (0 east, 1 south, 2 west, 3 north),
    # the upper half's is 8
    **{door: (64, data) for door, data in (
        (Block.OAK_DOOR_EAST_LOWER, 0), (Block.OAK_DOOR_SOUTH_LOWER, 1),
        (Block.OAK_DOOR_WEST_LOWER, 2), (Block.OAK_DOOR_NORTH_LOWER, 3),
        (Block.OAK_DOOR_EAST_UPPER, 8), (Block.OAK_DOOR_SOUTH_UPPER, 8),
        (Block.OAK_DOOR_WEST_UPPER, 8), (Block.OAK_DOOR_NORTH_UPPER, 8))},
}

_BUKKIT: dict[Block, tuple[int, int]] = {
    **_PI,
    Block.OAK_LEAVES: (18, 4), Block.SPRUCE_LEAVES: (18, 5),  # data bit 4: never decays
    Block.WHITE_CONCRETE: (251, 0), Block.GRAY_CONCRETE: (251, 7),
    Block.LIGHT_GRAY_CONCRETE: (251, 8), Block.RED_CONCRETE: (251, 14),
    Block.BLACK_CONCRETE: (251, 15), Block.SMOOTH_STONE: (43, 8), Block.DIRT_PATH: (208, 0),
    Block.MUD: (3, 0),  # mud came in 1.19
    Block.BIRCH_LEAVES: (18, 6), Block.PODZOL: (3, 2),  # moss came in 1.17: grass stays
    Block.BARRIER: (166, 0),
}

_JAM: dict[Block, tuple[int, int]] = {
    **_PI,
    Block.SMOOTH_STONE: (98, 0),  # Minetest has no node for the double slab (43)
    Block.OAK_SIGN: (0, 0),  # nor for signs; a sign without its text says nothing
}


@dataclass(frozen=True)
class Profile:
    key: str
    title: str
    y_min: int  # absolute heights the server's world holds
    y_max: int
    max_size: int | None  # blocks along x and along z (None: no limit of its own)
    relative: bool  # API coordinates relative to the spawn point
    names: bool  # block names (world.setBlocks(...,stone)) instead of numeric ids
    answers_writes: bool  # every command gets a reply line ("OK" / "Fail...")
    has_sign: bool  # world.setSign
    known_ids: frozenset = frozenset()
    ids: dict = field(default_factory=dict)  # Block -> (id, data)
    reads_back: dict = field(default_factory=dict)  # id -> ids world.getBlock may answer
    spawn_y: int = 64  # relative servers: assumed absolute y of API y 0
    max_volume: int = 32768  # blocks per world.setBlocks: servers set a cuboid in one tick
    ascii_chat: bool = False  # the Pi shows chat in CP437: å ä ö become their base letters

    @property
    def default_origin_y(self) -> int:
        return -1 if self.relative else 62

    def api_to_absolute_y(self, api_y: int) -> int:
        return api_y + self.spawn_y if self.relative else api_y

    def material(self, block: int):
        """What the server is sent for a Block: a name, or an (id, data) pair."""
        b = Block(block)
        if self.names:
            return BLOCKS[b].java.removeprefix("minecraft:")
        if b in self.ids:
            return self.ids[b]
        fallback = BLOCKS[b].mcpi
        if fallback[0] in self.known_ids:
            return fallback
        return self.ids[Block.STONE] if BLOCKS[b].solid else self.ids[Block.AIR]

    def matches(self, block: int, answer: str) -> bool:
        """Whether world.getBlock's answer shows `block` (ids only: getBlock has no data)."""
        want = self.material(block)
        if self.names:
            return answer.strip().lower().removeprefix("minecraft:") == want
        try:
            got = int(answer)
        except ValueError:
            return False
        return got == want[0] or got in self.reads_back.get(want[0], ())

    def describe(self, block: int) -> str:
        m = self.material(block)
        return m if isinstance(m, str) else f"{m[0]}:{m[1]}"


PROFILES: dict[str, Profile] = {
    "pi": Profile("pi", "Minecraft: Pi Edition", 0, 127, 256, relative=True, names=False,
                  answers_writes=False, has_sign=False, known_ids=PI_IDS, ids=_PI,
                  ascii_chat=True),
    "bukkit": Profile("bukkit", "RaspberryJuice on Bukkit 1.12", 0, 255, None, relative=True,
                      names=False, answers_writes=False, has_sign=True,
                      known_ids=JAVA_1_12_IDS, ids=_BUKKIT),
    "paper": Profile("paper", "a block-name plugin on Paper 1.20+", -64, 319, None,
                     relative=False, names=True, answers_writes=True, has_sign=True),
    "jam": Profile("jam", "Raspberry Jam mod (Forge/Minetest)", -30912, 30927, None,
                   relative=True, names=False, answers_writes=False, has_sign=False,
                   known_ids=PI_IDS, ids=_JAM,
                   reads_back={5: {17}, 17: {5}, 7: {49}, 20: {95, 102},
                               35: {155, 159, 171}, 89: {124, 169}}),
}
DEFAULT_PROFILE = "bukkit"


def explicit_mapping(profile: Profile) -> set[Block]:
    """Blocks the profile maps on purpose (name profiles name every Block by construction)."""
    return set(Block) if profile.names else set(profile.ids)
