"""A protocol-faithful fake of the mcpi servers, for the live-push tests and the benchmark.

Written from the protocol's documentation, not from our client:
- Mojang's mcpi_protocol_spec.txt (as kept on wiki.vg, "Minecraft Pi Protocol"): TCP, commands
  are text lines `package.command(arg,arg,...)` ending in LF; world.getBlock(x,y,z) answers the
  block id, world.setBlock(s) answer nothing; coordinates are relative to the spawn point.
- RaspberryJuice (zhuowei/RaspberryJuice, README and src/.../RemoteSession.java): arguments are
  split on ","; numbers are read as doubles and truncated; world.setBlocks fills the inclusive
  cuboid between two corners; world.setSign(x,y,z,id,data,line1..line4); chat.post rejoins its
  arguments with ","; an unknown command or a command that throws answers "Fail"; nothing else
  answers a write; commands are handled in the order they arrive; coordinates are relative to
  the spawn unless config.yml says `location: ABSOLUTE`.
- JuicyRaspberryPie for Paper (wensheng/JuicyRaspberryPie, command/Handler.java,
  HandlerVoid.java, handlers/world/*.java): blocks are named (Material.matchMaterial: any case,
  optional "minecraft:"; an unknown name in setBlocks becomes SANDSTONE), world.getBlock
  answers the material's name in capitals, coordinates are absolute, and every command is
  answered: "OK" for writes, "Fail: <message>" when one throws.

The world is a numpy array over a box of absolute coordinates; writes outside it are ignored
and reads outside it are air, as a server ignores blocks above its build limit. The server runs
in a thread on loopback and can misbehave on purpose: refuse writes to given blocks ("Fail"),
silently keep given blocks unchanged (as spawn protection does), answer slowly, drop the
connection after a number of lines (and optionally hang up on every later connection, as a
server that went away), never answer, or close each connection at once (as a port that does
not speak the protocol does).
"""
from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections import Counter

import numpy as np

FLAVOURS = ("raspberryjuice", "pi", "juicy")


class FakeMcpiServer:
    def __init__(self, flavour: str = "raspberryjuice", box=((-64, 64), (0, 256), (-64, 64)),
                 spawn=(0, 64, 0)):
        assert flavour in FLAVOURS
        self.flavour = flavour
        self.named = flavour == "juicy"
        self.relative = flavour != "juicy"
        self.spawn = spawn if self.relative else (0, 0, 0)
        (self.x0, x1), (self.y0, y1), (self.z0, z1) = box
        shape = (y1 - self.y0, z1 - self.z0, x1 - self.x0)
        self.ids = np.zeros(shape, dtype=np.uint16)  # block id, or index into self.names
        self.data = np.zeros(shape, dtype=np.uint8)
        self.names = ["air"]
        self.name_index = {"air": 0}
        self.signs: dict = {}
        self.chat: list[str] = []
        self.commands = Counter()
        self.blocks_set = 0
        self.lines = 0
        self.writes: list = []  # absolute (lo, hi) corners of every filled cuboid
        # misbehaviour
        self.fail_at: set = set()  # absolute (x, y, z): writes touching them answer Fail
        self.protect: list = []  # absolute boxes ((x0, x1), (y0, y1), (z0, z1)), ends
        # exclusive: writes leave them unchanged
        self.slow = 0.0  # seconds before each answer to a query
        self.drop_after: int | None = None  # close the connection after this many lines
        self.hang_up_after_drop = False  # ...and close every later connection at once
        self.mute = False  # read everything, never answer
        self.hang_up = False  # close every connection at once
        self._lock = threading.Lock()
        self._server = None
        self._thread = None
        self.port = None

    # -- running ----------------------------------------------------------------------------

    def start(self, port: int = 0) -> int:
        fake = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                fake._serve(self.request)

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self._server = Server(("127.0.0.1", port), Handler)
        self.port = self._server.server_address[1]
        self._stopping = False
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self.port

    def stop(self) -> None:
        self._stopping = True
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def _serve(self, sock: socket.socket) -> None:
        if self.hang_up:
            sock.close()
            return
        sock.settimeout(0.05)
        buf = b""
        while not self._stopping:
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                with self._lock:
                    self.lines += 1
                    dropping = self.drop_after is not None and self.lines >= self.drop_after
                    if dropping:
                        self.drop_after = None
                        self.hang_up = self.hang_up_after_drop
                if dropping:
                    sock.close()
                    return
                reply = self.handle_line(line.decode("utf-8"))
                if reply is not None and not self.mute:
                    try:
                        sock.sendall(reply.encode("utf-8") + b"\n")
                    except OSError:
                        return

    # -- the protocol -----------------------------------------------------------------------

    def handle_line(self, line: str) -> str | None:
        if "(" not in line or not line.endswith(")"):
            return "Fail"
        method = line[:line.index("(")]
        args = line[line.index("(") + 1:-1].split(",")
        with self._lock:
            self.commands[method] += 1
            try:
                answer = self._command(method, args)
            except Exception as e:  # the plugins catch everything and answer Fail
                return f"Fail: {e}" if self.named else "Fail"
        if self.named and answer is None:
            return "OK"
        return answer

    def _command(self, method: str, args: list[str]) -> str | None:
        if method == "world.getBlock":
            if self.slow:
                time.sleep(self.slow)
            i, d = self._read(*self._pos(args[0:3]))
            return self.names[i].upper() if self.named else str(i)
        if method == "world.setBlock":
            p = self._pos(args[0:3])
            self._fill(p, p, *self._material(args[3:]))
            return None
        if method == "world.setBlocks":
            self._fill(self._pos(args[0:3]), self._pos(args[3:6]), *self._material(args[6:]))
            return None
        if method == "world.setSign" and self.flavour != "pi":
            p = self._pos(args[0:3])
            self._fill(p, p, *self._material(args[3:5]))
            self.signs[p] = args[5:9]
            return None
        if method == "chat.post":
            self.chat.append(",".join(args))
            return None
        raise ValueError(f"{method} is not supported")

    def _pos(self, args) -> tuple[int, int, int]:
        x, y, z = (int(float(a)) for a in args)  # Java's (int) Double.parseDouble
        sx, sy, sz = self.spawn
        return x + sx, y + sy, z + sz

    def _material(self, args) -> tuple[int, int]:
        if self.named:
            name = args[0].strip().lower().removeprefix("minecraft:")
            if not name.replace("_", "").isalnum():
                name = "sandstone"  # JuicyRaspberryPie's fallback for an unknown material
            if name not in self.name_index:
                self.name_index[name] = len(self.names)
                self.names.append(name)
            return self.name_index[name], 0
        return int(args[0]), int(args[1]) if len(args) > 1 else 0

    def _index(self, x, y, z):
        return y - self.y0, z - self.z0, x - self.x0

    def _fill(self, p, q, block: int, data: int) -> None:
        lo = [min(a, b) for a, b in zip(p, q)]
        hi = [max(a, b) for a, b in zip(p, q)]
        for f in self.fail_at:
            if all(lo[k] <= f[k] <= hi[k] for k in range(3)):
                raise ValueError(f"cannot set block at {f}")
        ys = slice(max(lo[1] - self.y0, 0), max(hi[1] + 1 - self.y0, 0))
        zs = slice(max(lo[2] - self.z0, 0), max(hi[2] + 1 - self.z0, 0))
        xs = slice(max(lo[0] - self.x0, 0), max(hi[0] + 1 - self.x0, 0))
        keep = []
        for (px, py, pz) in self.protect:
            k = tuple(slice(a - o, b - o) for (a, b), o in
                      zip((py, pz, px), (self.y0, self.z0, self.x0)))
            keep.append((k, self.ids[k].copy(), self.data[k].copy()))
        self.ids[ys, zs, xs] = block
        self.data[ys, zs, xs] = data
        for k, i, d in keep:
            self.ids[k], self.data[k] = i, d
        self.writes.append((tuple(lo), tuple(hi)))
        self.blocks_set += ((hi[0] - lo[0] + 1) * (hi[1] - lo[1] + 1) * (hi[2] - lo[2] + 1))

    def _read(self, x, y, z) -> tuple[int, int]:
        k = self._index(x, y, z)
        if all(0 <= k[i] < self.ids.shape[i] for i in range(3)):
            return int(self.ids[k]), int(self.data[k])
        return 0, 0

    # -- for the tests ----------------------------------------------------------------------

    def box(self, x0, x1, y0, y1, z0, z1):
        """(ids, data) of absolute blocks x0..x1-1, y0..y1-1, z0..z1-1 as [y, z, x] arrays."""
        s = (slice(y0 - self.y0, y1 - self.y0), slice(z0 - self.z0, z1 - self.z0),
             slice(x0 - self.x0, x1 - self.x0))
        return self.ids[s].copy(), self.data[s].copy()

    def name_of(self, index: int) -> str:
        return self.names[index]
