"""Bedrock level.dat: the world's settings, from the same LevelSettings as the Java world.

File layout (minecraft.wiki "Bedrock Edition level format"; PocketMine-MP BedrockWorldData.php
reads and writes it the same way): a little-endian int32 storage version, a little-endian int32
length of what follows, then one little-endian NBT root compound (UTF-8 strings).

The field set follows a level.dat the game itself wrote for a void world (Bedrock 1.18.2, in
github.com/kirbycope/void-world-bedrock), updated to 1.21.0: storage version 9 and network
(protocol) version 685 for 1.21.0 as listed by HiveGamesOSS/Chunker's BedrockDataVersion, the
converter Mojang recommends for moving worlds between editions. The world claims 1.21.0 as its
minimum client, matching the block states in bedrock_blocks.py; older clients then refuse it
with their own message instead of opening a world they cannot read.

What is carried over from the Java settings: name, spawn (exact: a void world has no ground for
the game to search), creative mode, peaceful, noon with the daylight cycle stopped, clear
weather, cheats, seed, and every Java game rule that Bedrock has (BEDROCK_RULES); rules the Java
world leaves at their defaults keep Bedrock's defaults. Coordinates are shown on screen, as F3
shows them in Java. Bedrock has no world border setting; Java's border is not carried over.
"""
from __future__ import annotations

import io
import struct

import nbtlib
from nbtlib import tag

from .java import GAME_RULES, LevelSettings

STORAGE_VERSION = 9
NETWORK_VERSION = 685
GAME_VERSION = (1, 21, 0)

# The flat generator with no layers: chunks the world lacks stay empty air. Byte for byte what
# the game wrote for its own void world (github.com/kirbycope/void-world-bedrock, level.dat).
VOID_LAYERS = ('{"biome_id":1,"block_layers":[],"encoding_version":6,"structure_options":null,'
               '"world_version":"version.post_1_18"}\n')
GENERATOR_FLAT = 2

# Java game rule -> Bedrock's name for it (Bedrock keeps rules as lower-case top-level tags).
# None: Bedrock has no such rule; the mobs they govern do not spawn anyway (domobspawning off,
# peaceful), so nothing is lost.
BEDROCK_RULES: dict[str, str | None] = {
    "doMobSpawning": "domobspawning",
    "doPatrolSpawning": None,
    "doTraderSpawning": None,
    "doWardenSpawning": None,
    "doInsomnia": "doinsomnia",
    "disableRaids": None,
    "doFireTick": "dofiretick",
    "mobGriefing": "mobgriefing",
    "doDaylightCycle": "dodaylightcycle",
    "doWeatherCycle": "doweathercycle",
    "keepInventory": "keepinventory",
    "spawnRadius": "spawnradius",
}

NEVER = 1_000_000_000   # ticks until rain or lightning: ~1.5 real years, as in the Java world


def _rule_tag(value: str) -> tag.Base:
    if value in ("true", "false"):
        return tag.Byte(1 if value == "true" else 0)
    return tag.Int(int(value))


def level_dat_nbt(settings: LevelSettings, education: bool = True) -> tag.Compound:
    """The root compound (exposed so tests and tools can inspect it)."""
    x, y, z = settings.spawn
    version = tag.List[tag.Int]([tag.Int(v) for v in (*GAME_VERSION, 0, 0)])
    off, on = tag.Byte(0), tag.Byte(1)
    data = {
        "LevelName": tag.String(settings.name),
        "StorageVersion": tag.Int(STORAGE_VERSION),
        "NetworkVersion": tag.Int(NETWORK_VERSION),
        "WorldVersion": tag.Int(1),                      # post-1.18 world height (-64..319)
        "InventoryVersion": tag.String(".".join(map(str, GAME_VERSION))),
        "MinimumCompatibleClientVersion": version,
        "lastOpenedWithVersion": version,
        "baseGameVersion": tag.String("*"),
        "Generator": tag.Int(GENERATOR_FLAT),
        "FlatWorldLayers": tag.String(VOID_LAYERS),
        "RandomSeed": tag.Long(settings.seed),
        "SpawnX": tag.Int(x), "SpawnY": tag.Int(y), "SpawnZ": tag.Int(z),
        "GameType": tag.Int(settings.game_type),
        "ForceGameType": off,
        "Difficulty": tag.Int(0),                        # peaceful
        "spawnMobs": off,
        "hasBeenLoadedInCreative": on,
        "commandsEnabled": tag.Byte(1 if settings.allow_commands else 0),
        "cheatsEnabled": tag.Byte(1 if settings.allow_commands else 0),
        "educationFeaturesEnabled": tag.Byte(1 if education else 0),
        "eduOffer": tag.Int(0),
        "Time": tag.Long(settings.day_time),
        "currentTick": tag.Long(0),
        "LastPlayed": tag.Long(0),                       # deterministic, as in the Java world
        "rainLevel": tag.Float(0.0), "rainTime": tag.Int(NEVER),
        "lightningLevel": tag.Float(0.0), "lightningTime": tag.Int(NEVER),
        "Platform": tag.Int(2),
        "MultiplayerGame": on, "MultiplayerGameIntent": on,
        "LANBroadcast": on, "LANBroadcastIntent": on,
        "XBLBroadcastIntent": tag.Int(3), "PlatformBroadcastIntent": tag.Int(3),
        "NetherScale": tag.Int(8),
        "LimitedWorldOriginX": tag.Int(x), "LimitedWorldOriginY": tag.Int(y),
        "LimitedWorldOriginZ": tag.Int(z),
        "limitedWorldWidth": tag.Int(16), "limitedWorldDepth": tag.Int(16),
        "worldStartCount": tag.Long(0xFFFFFFFE),         # a new world (Chunker writes the same)
        "bonusChestEnabled": off, "bonusChestSpawned": off,
        "startWithMapEnabled": off,
        "CenterMapsToOrigin": off,
        "ConfirmedPlatformLockedContent": off,
        "hasLockedBehaviorPack": off, "hasLockedResourcePack": off,
        "immutableWorld": off,
        "isFromLockedTemplate": off, "isFromWorldTemplate": off,
        "isSingleUseWorld": off, "isWorldTemplateOptionLocked": off,
        "texturePacksRequired": off,
        "useMsaGamertagsOnly": off,
        "requiresCopiedPackRemovalCheck": off,
        "SpawnV1Villagers": off,
        "BiomeOverride": tag.String(""),
        "prid": tag.String(""),
        "functioncommandlimit": tag.Int(10000),
        "maxcommandchainlength": tag.Int(65535),
        "randomtickspeed": tag.Int(1),
        "serverChunkTickRange": tag.Int(4),
        "commandblockoutput": on, "commandblocksenabled": on,
        "sendcommandfeedback": on,
        "showcoordinates": on,            # pupils navigate by the coordinates on the signs
        "showdeathmessages": on,
        "naturalregeneration": on, "pvp": on,
        "domobloot": on, "dotiledrops": on, "doentitydrops": on, "doimmediaterespawn": off,
        "drowningdamage": on, "falldamage": on, "firedamage": on, "freezedamage": on,
        "tntexplodes": on, "respawnblocksexplode": on,
        "showtags": on, "showbordereffect": on,
        "experiments": tag.Compound({"experiments_ever_used": off,
                                     "saved_with_toggled_experiments": off}),
        "abilities": tag.Compound({
            "attackmobs": on, "attackplayers": on, "build": on, "doorsandswitches": on,
            "flySpeed": tag.Float(0.05), "flying": off, "instabuild": off,
            "invulnerable": off, "lightning": off, "mayfly": off, "mine": on, "op": off,
            "opencontainers": on, "permissionsLevel": tag.Int(0),
            "playerPermissionsLevel": tag.Int(1), "teleport": off,
            "walkSpeed": tag.Float(0.1)}),
        "world_policies": tag.Compound({}),
    }
    for java_rule, value in GAME_RULES.items():
        name = BEDROCK_RULES[java_rule]   # KeyError: a new Java rule needs a line above
        if name is not None:
            data[name] = _rule_tag(value)
    return tag.Compound(dict(sorted(data.items(), key=lambda kv: kv[0].lower())))


def level_dat_bytes(settings: LevelSettings, education: bool = True) -> bytes:
    """The whole level.dat file: 8-byte header, then the little-endian NBT."""
    buf = io.BytesIO()
    nbtlib.File(level_dat_nbt(settings, education), root_name="").write(buf, byteorder="little")
    body = buf.getvalue()
    return struct.pack("<ii", STORAGE_VERSION, len(body)) + body
