"""Push a built world onto a running server through the mcpi protocol (RaspberryJuice & co).

`push_world(PushOptions, progress)` builds the world's blocks (the same RegionBlocks the Java
writer gets, kept by the build's "blocks" format, see blockfile.py) into `out`, then sends them:

- few commands: per region a base fill plus greedily merged cuboids of what differs from it
  (cuboids.py); `diff` sends only the columns that changed since the last complete push, whose
  blocks are kept in `out/.samskapa-push/pushed/`;
- paced and verified: commands go out in batches; after each batch one world.getBlock on a block
  the batch just wrote must come back as that block. Waiting for that answer paces the sender to
  the server; a different block, or a "Fail", stops the push with a message naming the block;
- resumable: the number of verified batches per region is saved after each batch in
  `out/.samskapa-push/state.json`. A dropped connection is reopened and the push goes on from
  the last verified batch; `resume` does the same across runs. Command lists are computed
  deterministically from the stored blocks, so a batch number means the same commands again;
- visible: progress(done, total, stage) for a terminal bar (stages of the build, then "push"
  in commands), and chat.post messages in the game.

Every socket operation has a timeout (mcpi_link.py). Bad input and failures end in one
WorldBuildError sentence.
"""
from __future__ import annotations

import json
import math
import os
import time
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from . import blockfile
from .blocks import Block
from .build import REGION, STATE_DIR, BuildOptions, build_world, plan
from .cuboids import region_cuboids, top_and_bottom, volumes
from .errors import WorldBuildError
from .mcpi_link import Link, McpiError
from .profiles import DEFAULT_PROFILE, PROFILES, Profile

PUSH_DIR = ".samskapa-push"
STATE_VERSION = 1
BATCH_COMMANDS = 256
BATCH_VOLUME = 1 << 18  # blocks per batch: a batch's round trip stays well under the timeout
SIGNS_PER_BATCH = 32
CLEAR_ABOVE = 96  # air is laid this far above the built blocks (clears the server's own hills)
RETRIES = 3  # reconnections after a dropped connection before giving up
DEFAULT_TIMEOUT = 30.0
DEFAULT_PORT = 4711


@dataclass
class PushOptions:
    build: BuildOptions  # sources, area and scale; `out` holds the blocks and the push state
    server: str  # host:port (port 4711 if left out)
    profile: str = DEFAULT_PROFILE
    origin: tuple[int, int, int] | None = None
    resume: bool = False
    diff: bool = False
    timeout: float = DEFAULT_TIMEOUT
    chat: bool = True
    extra_formats: tuple[str, ...] = ()  # also written by the same build, e.g. ("java",)
    # False: the naive strategy the benchmark compares with, one world.setBlocks per vertical
    # run of each column (no base fill, no merging); paced and verified the same way
    merge: bool = True


@dataclass
class PushResult:
    out: Path
    server: str
    profile: str
    origin: tuple[int, int, int]
    y_range: tuple[int, int]  # world y pushed
    regions: int
    commands: int  # sent in this run
    commands_total: int  # of the whole push
    commands_resumed: int  # verified by an earlier run (--resume), not sent again
    blocks: int  # blocks written by the commands sent in this run
    batches: int  # verified in this run
    reconnects: int
    seconds: float
    diff_columns: int | None = None  # columns sent by --diff (None: a full push)
    notes: list[str] = field(default_factory=list)


def parse_server(text: str) -> tuple[str, int]:
    host, sep, port = text.strip().rpartition(":")
    if not sep:
        host, port = text.strip(), str(DEFAULT_PORT)
    host = host.strip("[]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise WorldBuildError("--server must be HOST:PORT, e.g. localhost:%(port)s; got "
                              "%(text)s.", port=DEFAULT_PORT, text=repr(text))
    return host, int(port)


def parse_origin(text: str | None) -> tuple[int, int, int] | None:
    if text is None:
        return None
    try:
        vals = tuple(int(v) for v in text.split(","))
    except ValueError:
        vals = ()
    if len(vals) != 3:
        raise WorldBuildError("--origin must be three whole numbers x,y,z separated by commas.")
    return vals


# ---------------------------------------------------------------------------------------------
# Talking to the server


class _Session:
    """A Link that reconnects, plus what a push needs: batches sent and verified."""

    def __init__(self, host: str, port: int, profile: Profile, timeout: float):
        self.host, self.port, self.profile, self.timeout = host, port, profile, timeout
        self.where = f"{host}:{port}"
        self.link: Link | None = None
        self.reconnects = 0

    def open(self) -> None:
        try:
            self._connect()
        except McpiError as e:
            raise self._explain(e) from None

    def _connect(self) -> None:
        self.close()
        self.link = Link(self.host, self.port, self.timeout)

    def close(self) -> None:
        if self.link is not None:
            self.link.close()
            self.link = None

    def _explain(self, e: McpiError) -> WorldBuildError:
        params = dict(host=self.host, server=self.where, seconds=f"{self.timeout:g}",
                      port=DEFAULT_PORT)
        if e.kind == "unknown-host":
            return WorldBuildError("The server name %(host)s could not be found; check "
                                   "--server.", **params)
        if e.kind == "refused":
            return WorldBuildError("Nothing is listening on %(server)s; check that the server "
                                   "is running and the port (RaspberryJuice uses %(port)s unless "
                                   "its config.yml says otherwise).", **params)
        if e.kind == "unreachable":
            return WorldBuildError("The server %(server)s cannot be reached (no answer within "
                                   "%(seconds)s s); check the address and that no firewall "
                                   "blocks the port.", **params)
        if e.kind == "timeout":
            return WorldBuildError("The server at %(server)s did not answer within %(seconds)s "
                                   "s; check that it runs the mcpi plugin of --profile on that "
                                   "port (not the game's own port), or give it more time with "
                                   "--timeout.", **params)
        return WorldBuildError("The server at %(server)s closed the connection without "
                               "answering; check that --server names the mcpi plugin's port "
                               "(usually %(port)s), not the game's (25565).", **params)

    def handshake(self, x: int, y: int, z: int) -> None:
        """Open the connection and check that the server speaks the profile's dialect."""
        self.open()
        try:
            self._check_dialect(x, y, z)
        except BaseException:
            self.close()
            raise

    def _check_dialect(self, x: int, y: int, z: int) -> None:
        try:
            self.link.ask_block(x, y, z)
            answer = self.link.line()
        except McpiError as e:
            raise self._explain(e) from None
        numeric = answer.strip().lstrip("-").isdigit()
        named = answer.replace("_", "").replace(":", "").isalpha()
        if numeric and self.profile.names:
            raise WorldBuildError("The server at %(server)s answers numeric block ids, not "
                                  "names; choose --profile bukkit, pi or jam.",
                                  server=self.where)
        if named and not answer.startswith("Fail") and not self.profile.names:
            raise WorldBuildError("The server at %(server)s answers block names (%(answer)s); "
                                  "choose --profile paper.", server=self.where, answer=answer)
        if not (numeric or named) or answer.startswith("Fail"):
            raise WorldBuildError("The server at %(server)s answered %(answer)s to "
                                  "world.getBlock, which is not the mcpi protocol; check that "
                                  "--server names the mcpi plugin's port.", server=self.where,
                                  answer=repr(answer[:40]))

    def run_batch(self, send: Callable, probe: tuple, block: int | None) -> None:
        """Send a batch (send(link) issues the commands and returns a description of each),
        then world.getBlock(probe): its answer must show `block` (None: any answer will do).
        When the connection drops, reopen it and resend the whole batch (setting a block twice
        is harmless)."""
        for attempt in range(RETRIES + 1):
            try:
                if self.link is None:
                    self._connect()  # a server that is restarting may refuse for a moment
                self._send_and_check(send, probe, block)
                return
            except McpiError as e:
                self.close()
                if attempt == RETRIES:
                    raise _Dropped(e) from None
                self.reconnects += 1
                time.sleep(min(2.0, 0.25 * attempt))  # a restarting server needs a moment

    def _send_and_check(self, send, probe, block) -> None:
        link = self.link
        described = send(link)
        link.ask_block(*probe)
        fails = []
        if self.profile.answers_writes:
            for what in described:
                reply = link.line()
                if reply.startswith("Fail"):
                    fails.append((what, reply))
            answer = link.line()
        else:
            answer = link.line()
            while answer.startswith("Fail"):
                fails.append((None, answer))
                try:
                    answer = link.line()
                except McpiError as e:
                    if e.kind != "timeout":
                        raise
                    x, y, z = probe  # the Fail was the query's own answer
                    raise WorldBuildError(
                        "The server at %(server)s refused world.getBlock at x %(x)s, y %(y)s, "
                        "z %(z)s (it answered 'Fail'); the push stopped there, and the batches "
                        "before it are verified.", server=self.where, x=x, y=y, z=z) from None
        if fails:
            what, reply = fails[0]
            if what is None:
                what = self._find_refused(send)
            raise WorldBuildError("The server at %(server)s refused %(command)s (it answered "
                                  "%(reply)s); the push stopped there, and the batches before "
                                  "it are verified.", server=self.where, command=what,
                                  reply=repr(reply[:60]))
        if block is not None and not self.profile.matches(block, answer):
            x, y, z = probe
            raise WorldBuildError(
                "The server at %(server)s shows %(answer)s at x %(x)s, y %(y)s, z %(z)s where "
                "the push just wrote %(block)s; the push stopped there (a protected area, the "
                "world's height or border, or another program may be changing the world).",
                server=self.where, answer=repr(answer[:40]), x=x, y=y, z=z,
                block=self.profile.describe(block))

    def _find_refused(self, send) -> str:
        """Servers that answer only failures do not say which write failed: resend the batch
        on a fresh connection one command at a time, each followed by a round trip, until one
        answers Fail."""
        self.open()
        one = _OneByOne(self.link)
        send(one)
        return one.culprit or "a command of the last batch"


class _OneByOne:
    """Stands in for a Link while a refused batch is resent command by command: after each
    write a world.getBlock round trip shows whether that write answered Fail."""

    def __init__(self, link: Link):
        self.link = link
        self.culprit: str | None = None

    def _check(self, what: str) -> None:
        if self.culprit is not None:
            return
        self.link.ask_block(0, 0, 0)
        if self.link.line().startswith("Fail"):
            self.link.line()  # the getBlock's own answer
            self.culprit = what

    def set_blocks(self, *args) -> None:
        if self.culprit is None:
            self.link.set_blocks(*args)
            self._check(_describe_blocks(args))

    def set_sign(self, x, y, z, *rest) -> None:
        if self.culprit is None:
            self.link.set_sign(x, y, z, *rest)
            self._check(f"world.setSign at x {x}, y {y}, z {z}")

    def chat(self, text) -> None:
        if self.culprit is None:
            self.link.chat(text)
            self._check("chat.post")


def _describe_blocks(args) -> str:
    x0, y0, z0, x1, y1, z1, material = args
    m = material if isinstance(material, str) else f"{material[0]}:{material[1]}"
    return f"world.setBlocks of {m} at x {x0}..{x1}, y {y0}..{y1}, z {z0}..{z1}"


class _Dropped(Exception):
    def __init__(self, e: McpiError):
        self.error = e


# ---------------------------------------------------------------------------------------------
# The state beside the output


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


# ---------------------------------------------------------------------------------------------
# Planning: which world y the server gets, and the commands of each region


@dataclass(frozen=True)
class _Frame:
    """World block (x, y, z) -> the server's API coordinates (x + ox, y - sea + oy, z + oz)."""

    origin: tuple[int, int, int]
    sea: int  # the world's block y of 0 m (its water surface)

    def api(self, x: int, y: int, z: int) -> tuple[int, int, int]:
        return (int(x) + self.origin[0], int(y) - self.sea + self.origin[1],
                int(z) + self.origin[2])


@dataclass
class _Extent:
    rx: int
    rz: int
    h: int
    w: int
    y_min: int
    top: int  # highest non-air block
    bottom: int  # lowest block that must reach the server (see cuboids.top_and_bottom)
    array_top: int


def _extents(blocks_dir: Path, width: int, height: int) -> list[_Extent]:
    keys = sorted(((int(p.name.split(".")[1]), int(p.name.split(".")[2]))
                   for p in blocks_dir.glob("r.*.*.npz")), key=lambda k: (k[1], k[0]))
    out = []
    for rx, rz in keys:
        rb = blockfile.load_region(blocks_dir, rx, rz)
        h, w = min(REGION, height - rz * REGION), min(REGION, width - rx * REGION)
        top, bottom = top_and_bottom(rb.blocks, rb.y_min, h, w)
        out.append(_Extent(rx, rz, h, w, rb.y_min, top, bottom,
                           rb.y_min + rb.blocks.shape[0] - 1))
    return out


def _window(profile: Profile, frame: _Frame, extents: list[_Extent]) -> tuple[int, int]:
    """World y range to push: all of the world the server can hold, air up to CLEAR_ABOVE over
    the built blocks; one sentence if the world does not fit."""
    to_abs = profile.api_to_absolute_y(frame.api(0, 0, 0)[1])  # absolute y of world y 0
    lo_ok, hi_ok = profile.y_min - to_abs, profile.y_max - to_abs
    top = max(e.top for e in extents)
    bottom = min(e.bottom for e in extents)
    params = dict(title=profile.title, low=profile.y_min, high=profile.y_max,
                  spawn=profile.spawn_y)
    if top > hi_ok:
        if profile.relative:
            raise WorldBuildError("The world reaches up to y %(y)s on the server (taking the "
                                  "spawn to stand at y %(spawn)s), but %(title)s holds y %(low)s "
                                  "to %(high)s; lower it with --origin or choose a larger "
                                  "--vertical-scale.", y=top + to_abs, **params)
        raise WorldBuildError("The world reaches up to y %(y)s on the server, but %(title)s "
                              "holds y %(low)s to %(high)s; lower it with --origin or choose a "
                              "larger --vertical-scale.", y=top + to_abs, **params)
    if bottom < lo_ok:
        if profile.relative:
            raise WorldBuildError("The world reaches down to y %(y)s on the server (taking the "
                                  "spawn to stand at y %(spawn)s), but %(title)s holds y %(low)s "
                                  "to %(high)s; raise it with --origin or choose a larger "
                                  "--vertical-scale.", y=bottom + to_abs, **params)
        raise WorldBuildError("The world reaches down to y %(y)s on the server, but %(title)s "
                              "holds y %(low)s to %(high)s; raise it with --origin or choose a "
                              "larger --vertical-scale.", y=bottom + to_abs, **params)
    return (max(min(e.y_min for e in extents), lo_ok),
            min(hi_ok, max(e.array_top for e in extents) + CLEAR_ABOVE))


def _window_band(rb, y_lo: int, y_hi: int, r: int, rows: int, w: int) -> np.ndarray:
    band = np.zeros((y_hi - y_lo + 1, rows, w), dtype=np.uint8)
    a, e = max(y_lo, rb.y_min), min(y_hi, rb.y_min + rb.blocks.shape[0] - 1)
    if a <= e:
        band[a - y_lo:e - y_lo + 1] = rb.blocks[a - rb.y_min:e - rb.y_min + 1, r:r + rows, :w]
    return band


def _changed_columns(new, old, h: int, w: int, y_lo: int, y_hi: int) -> np.ndarray:
    """(h, w) bool: columns whose blocks in y_lo..y_hi differ between two RegionBlocks."""
    if old is None:
        return np.ones((h, w), dtype=bool)
    changed = np.zeros((h, w), dtype=bool)
    for r in range(0, h, 64):
        rows = min(64, h - r)
        changed[r:r + rows] = (_window_band(new, y_lo, y_hi, r, rows, w)
                               != _window_band(old, y_lo, y_hi, r, rows, w)).any(axis=0)
    return changed


@dataclass
class _RegionPlan:
    key: str
    mode: str  # "full" or "diff"
    cuboids: np.ndarray
    signs: list
    batches: list  # ("blocks", start, end) into cuboids, then ("signs", start, end)
    changed_columns: int | None


def _batches(cuboids: np.ndarray, n_signs: int) -> list:
    out, start, vol = [], 0, 0
    v = volumes(cuboids)
    for i in range(len(cuboids)):
        if i > start and (i - start >= BATCH_COMMANDS or vol + v[i] > BATCH_VOLUME):
            out.append(("blocks", start, i))
            start, vol = i, 0
        vol += int(v[i])
    if len(cuboids) > start:
        out.append(("blocks", start, len(cuboids)))
    return out + [("signs", s, min(s + SIGNS_PER_BATCH, n_signs))
                  for s in range(0, n_signs, SIGNS_PER_BATCH)]


def _plan_region(blocks_dir: Path, base_dir: Path, e: _Extent, mode: str, profile: Profile,
                 y_lo: int, y_hi: int, merge: bool) -> _RegionPlan:
    rb = blockfile.load_region(blocks_dir, e.rx, e.rz)
    x0, z0 = e.rx * REGION, e.rz * REGION
    changed = None
    if mode == "diff":
        changed = _changed_columns(rb, blockfile.load_region(base_dir, e.rx, e.rz), e.h, e.w,
                                   y_lo, y_hi)
    if rb.y_min < y_lo < rb.y_min + rb.blocks.shape[0]:
        # the server cannot hold the world's depths: its lowest layer is bedrock where the
        # world has stone, so the server keeps a floor as the built world does
        layer = rb.blocks[y_lo - rb.y_min]
        layer[layer == Block.STONE] = Block.BEDROCK
    cub = region_cuboids(rb.blocks, rb.y_min, e.h, e.w, y_lo, y_hi, x0, z0, profile.max_volume,
                         base=merge, merge=merge, changed=changed)
    signs = [(int(x), int(y), int(z), list(lines)) for x, y, z, lines in rb.signs
             if profile.has_sign and y_lo <= y <= y_hi
             and (changed is None or changed[z - z0, x - x0])]
    return _RegionPlan(f"{e.rx},{e.rz}", mode, cub, signs, _batches(cub, len(signs)),
                       None if changed is None else int(changed.sum()))


# ---------------------------------------------------------------------------------------------
# Sending


class _Chat:
    """chat.post messages, sent at the start of the next batch (so their replies, on servers
    that answer every command, are read in order with the batch's)."""

    def __init__(self, profile: Profile, enabled: bool):
        self.profile, self.enabled, self.pending = profile, enabled, []

    def post(self, text: str) -> None:
        if self.enabled:
            self.pending.append(_ascii(text) if self.profile.ascii_chat else text)

    def take(self) -> list[str]:
        out, self.pending = self.pending, []
        return out


def _block_sender(part: np.ndarray, profile: Profile, frame: _Frame, chats: list[str]):
    materials = {int(b): profile.material(int(b)) for b in np.unique(part[:, 6])}

    def send(link) -> list[str]:
        described = []
        for text in chats:
            link.chat(text)
            described.append("chat.post")
        for x0, y0, z0, x1, y1, z1, b in part.tolist():
            args = (*frame.api(x0, y0, z0), *frame.api(x1, y1, z1), materials[b])
            link.set_blocks(*args)
            described.append(_describe_blocks(args))
        return described
    return send


def _sign_sender(part: list, profile: Profile, frame: _Frame, chats: list[str]):
    material = profile.material(int(Block.OAK_SIGN))

    def send(link) -> list[str]:
        described = []
        for text in chats:
            link.chat(text)
            described.append("chat.post")
        for x, y, z, lines in part:
            ax, ay, az = frame.api(x, y, z)
            link.set_sign(ax, ay, az, material, 0, [str(t) for t in lines[:4]])
            described.append(f"world.setSign at x {ax}, y {ay}, z {az}")
        return described
    return send


def _batch_size(p: _RegionPlan, i: int) -> int:
    return p.batches[i][2] - p.batches[i][1]


# ---------------------------------------------------------------------------------------------
# The push


@dataclass
class _Target:
    """Where and how a push goes, from the options and the world's size."""

    profile: Profile
    host: str
    port: int
    build: BuildOptions  # as push_world builds it
    origin: tuple[int, int, int]
    identity: dict  # compared on --resume


def _target(options: PushOptions, width: int, height: int) -> _Target:
    profile = PROFILES.get(options.profile)
    if profile is None:
        raise WorldBuildError("Unknown profile %(profile)s; choose one of %(choices)s.",
                              profile=options.profile, choices=", ".join(PROFILES))
    if not (math.isfinite(options.timeout) and options.timeout > 0):
        raise WorldBuildError("--timeout must be a positive number of seconds.")
    host, port = parse_server(options.server)
    if profile.max_size and max(width, height) > profile.max_size:
        raise WorldBuildError(
            "The area is %(width)s x %(height)s blocks, but %(title)s worlds hold %(size)s x "
            "%(size)s; choose a smaller --area or a larger --scale.", width=width,
            height=height, title=profile.title, size=profile.max_size)
    # A push always builds afresh (the sources may have changed: that is what --diff is for),
    # except on --resume, which finishes the interrupted build and push.
    build = replace(options.build, formats=("blocks",) + tuple(options.extra_formats),
                    resume=options.resume, force=not options.resume)
    if options.origin is not None:
        origin = tuple(int(v) for v in options.origin)
    elif profile.relative:  # centred on the spawn
        origin = (-(width // 2), profile.default_origin_y, -(height // 2))
    else:
        origin = (0, profile.default_origin_y, 0)
    identity = {"server": f"{host}:{port}", "profile": profile.key, "origin": list(origin),
                "diff": options.diff, "merge": options.merge, "build": build.identity()}
    out = Path(options.build.out)
    state = _read_json(out / PUSH_DIR / "state.json")
    if options.resume and (state is None or state.get("version") != STATE_VERSION
                           or state.get("identity") != identity):
        raise WorldBuildError("%(out)s holds no interrupted push to %(server)s with the same "
                              "options, so there is nothing to resume; run the same command "
                              "without --resume.", out=str(out), server=f"{host}:{port}")
    return _Target(profile, host, port, build, origin, identity)


def push_world(options: PushOptions,
               progress: Callable[[int, int, str], None] | None = None) -> PushResult:
    """Build the world's blocks into options.build.out and push them to the server.

    progress(done, total, stage): the build's stages ("sea", "regions"), then "push" counting
    commands (those verified in an earlier run included). Raises WorldBuildError with one
    sentence for bad input, an unreachable or silent server, a world the profile cannot hold,
    a refused or wrong write, or a connection that stays down (then --resume goes on).
    """
    t0 = time.perf_counter()
    grid = plan(options.build).job.grid  # opens the sources only: the size before building
    t = _target(options, grid.width, grid.height)
    session = _Session(t.host, t.port, t.profile, options.timeout)
    session.handshake(*t.origin)  # an unreachable or silent server fails before the build
    session.close()
    build_world(t.build, progress=progress)
    result = push_built(options, progress)
    result.seconds = time.perf_counter() - t0
    return result


def push_built(options: PushOptions,
               progress: Callable[[int, int, str], None] | None = None) -> PushResult:
    """Push the blocks push_world built into options.build.out (again, or after changing them:
    a world's decorations can be added to the stored RegionBlocks). Same progress and errors
    as push_world, without the build."""
    t0 = time.perf_counter()
    report = progress or (lambda done, total, stage: None)
    out = Path(options.build.out)
    meta = _read_json(out / "metadata.json")
    blocks_dir = out / STATE_DIR / blockfile.BLOCKS_DIR
    if meta is None or not blocks_dir.is_dir():
        raise WorldBuildError("%(out)s holds no world built for a push; run world push with "
                              "its sources first.", out=str(out))
    width, height = meta["size_blocks"]["x"], meta["size_blocks"]["z"]
    t = _target(options, width, height)
    profile, origin, identity = t.profile, t.origin, t.identity
    state_path, base_dir = out / PUSH_DIR / "state.json", out / PUSH_DIR / "pushed"
    state = _read_json(state_path)
    session = _Session(t.host, t.port, profile, options.timeout)
    session.handshake(*origin)
    try:
        frame = _Frame(origin, int(meta["vertical"]["block_y_of_0_m"]))
        extents = _extents(blocks_dir, width, height)
        y_lo, y_hi = _window(profile, frame, extents)

        # the last complete push of each region, if it went to the same place the same way
        base_id = {"server": identity["server"], "profile": profile.key, "origin": list(origin),
                   "sea_level_y": frame.sea, "y_range": [y_lo, y_hi],
                   "size": [width, height]}
        bases = _read_json(base_dir / "index.json") or {}
        if bases.get("identity") != base_id:
            bases = {"identity": base_id, "settled": {}}
        earlier = state["regions"] if options.resume else {}
        plans = []
        for e in extents:
            key = f"{e.rx},{e.rz}"
            if key in earlier:
                mode = earlier[key]["mode"]  # the same commands as in the interrupted run
            else:
                mode = "diff" if options.diff and bases["settled"].get(key) else "full"
            plans.append(_plan_region(blocks_dir, base_dir, e, mode, profile, y_lo, y_hi,
                                      options.merge))
        notes = []
        if options.diff and any(p.mode == "full" for p in plans):
            notes.append("No complete earlier push of this world to the same server, profile "
                         "and origin was found for every region; those regions were sent whole.")
        state = {"version": STATE_VERSION, "identity": identity,
                 "regions": {p.key: {"mode": p.mode, "batches": len(p.batches),
                                     "done": earlier.get(p.key, {}).get("done", 0)}
                             for p in plans}}
        _write_json(state_path, state)

        total = sum(len(p.cuboids) + len(p.signs) for p in plans)
        done = sum(_batch_size(p, i) for p in plans
                   for i in range(state["regions"][p.key]["done"]))
        resumed = done
        report(done, total, "push")
        counts = {"commands": 0, "blocks": 0, "batches": 0}
        name = options.build.name or Path(options.build.sources[0]).stem
        chat = _Chat(profile, options.chat)
        chat.post(f"Samskapa: building {name} here, {width} x {height} blocks; the "
                  "server may lag for a while.")
        quarter = 4 * done // total if total else 4
        last_probe = None
        for p in plans:
            entry = state["regions"][p.key]
            if entry["done"] < len(p.batches) and bases["settled"].get(p.key, True):
                bases["settled"][p.key] = False  # the server now holds a mixture
                _write_json(base_dir / "index.json", bases)
            for i in range(entry["done"], len(p.batches)):
                kind, a, b = p.batches[i]
                if kind == "blocks":
                    part = p.cuboids[a:b]
                    send = _block_sender(part, profile, frame, chat.take())
                    x0, y0, z0, x1, y1, z1, blk = part[-1].tolist()
                    probe, expect = frame.api(x1, y1, z1), blk
                    counts["blocks"] += int(volumes(part).sum())
                else:
                    part = p.signs[a:b]
                    send = _sign_sender(part, profile, frame, chat.take())
                    probe, expect = frame.api(*part[-1][:3]), int(Block.OAK_SIGN)
                try:
                    session.run_batch(send, probe, expect)
                except _Dropped as e:
                    raise WorldBuildError(
                        "The connection to %(server)s dropped and could not be reopened "
                        "(%(error)s); %(done)s of %(total)s commands are verified on the "
                        "server; run the same command with --resume to go on from there.",
                        server=session.where, error=e.error, done=done, total=total) from None
                last_probe = (probe, expect)
                entry["done"] = i + 1
                _write_json(state_path, state)
                done += b - a
                counts["commands"] += b - a
                counts["batches"] += 1
                report(done, total, "push")
                if 4 * done // total > quarter and done < total:
                    quarter = 4 * done // total
                    chat.post(f"Samskapa: {25 * quarter} % of {name} built.")
            if not bases["settled"].get(p.key):
                src = blockfile.region_file(blocks_dir, *map(int, p.key.split(",")))
                dst = blockfile.region_file(base_dir, *map(int, p.key.split(",")))
                dst.parent.mkdir(parents=True, exist_ok=True)
                tmp = dst.with_name(dst.name + ".tmp")
                tmp.write_bytes(src.read_bytes())
                os.replace(tmp, dst)
                bases["settled"][p.key] = True
                _write_json(base_dir / "index.json", bases)
        chat.post(f"Samskapa: {name} is built, every batch verified.")
        if chat.pending:
            probe, expect = last_probe or (frame.api(0, y_hi, 0), None)
            try:
                session.run_batch(_block_sender(np.zeros((0, 7), np.int32), profile, frame,
                                                chat.take()), probe, expect)
            except _Dropped:
                notes.append("The final chat message could not be posted.")
    finally:
        session.close()
    diff_columns = (sum(p.changed_columns or 0 for p in plans if p.mode == "diff")
                    if options.diff else None)
    return PushResult(out=out, server=session.where, profile=profile.key, origin=origin,
                      y_range=(y_lo, y_hi), regions=len(plans), commands=counts["commands"],
                      commands_total=total, commands_resumed=resumed, blocks=counts["blocks"],
                      batches=counts["batches"],
                      reconnects=session.reconnects, seconds=time.perf_counter() - t0,
                      diff_columns=diff_columns, notes=notes)
