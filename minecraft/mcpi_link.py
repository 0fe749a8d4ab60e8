"""The PyPI `mcpi` client, wrapped so its weaknesses do not reach users.

mcpi formats every command (world.setBlocks, world.setSign, chat.post, ...) and we keep using it
for that, but as shipped it
- connects and reads with no timeout, so a server that never answers hangs the caller forever;
- reads each reply through a fresh `socket.makefile().readline()`, whose buffer is thrown away
  with whatever else arrived in the same packet (a "Fail" followed by an answer loses the
  answer);
- never looks at replies to writes: `drain()` prints stray lines ("Fail") to stderr and drops
  them, so a refused write goes unnoticed;
- has no batching and raises bare socket errors.

`Link` gives it a socket with a timeout, one persistent line buffer that keeps every reply, and
`McpiError`s that say what happened. Pacing and verification live in live.py.
"""
from __future__ import annotations

import errno
import select
import socket

from mcpi.connection import Connection
from mcpi.minecraft import Minecraft


class McpiError(Exception):
    """The connection failed; `kind` is "refused", "unknown-host", "unreachable", "timeout" or
    "closed"."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(detail or kind)
        self.kind = kind


class _Connection(Connection):
    """mcpi's Connection with a timed socket and a line buffer that loses nothing."""

    def __init__(self, sock: socket.socket):  # mcpi's own __init__ connects without a timeout
        self.socket = sock
        self.lastSent = b""
        self.buffer = bytearray()

    def _fill(self, block: bool) -> None:
        if not block and not select.select([self.socket], [], [], 0.0)[0]:
            return
        try:
            data = self.socket.recv(65536)
        except TimeoutError:
            raise McpiError("timeout") from None
        except OSError as e:
            raise McpiError("closed", e.strerror or str(e)) from None
        if not data:
            raise McpiError("closed")
        self.buffer += data

    def drain(self) -> None:
        """Before each send (mcpi calls this): keep what has arrived instead of printing it."""
        while select.select([self.socket], [], [], 0.0)[0]:
            self._fill(block=False)

    def _send(self, s: bytes) -> None:
        self.drain()
        self.lastSent = s
        try:
            self.socket.sendall(s)
        except TimeoutError:
            raise McpiError("timeout") from None
        except OSError as e:
            raise McpiError("closed", e.strerror or str(e)) from None

    def receive(self) -> str:
        """The next reply line (waiting at most the socket's timeout for it)."""
        while b"\n" not in self.buffer:
            self._fill(block=True)
        i = self.buffer.index(b"\n")
        line = bytes(self.buffer[:i])
        del self.buffer[:i + 1]
        return line.decode("utf-8", "replace").rstrip("\r")


def _clean(text: str) -> str:
    """A free-text argument: the line ends at a newline, and the server splits on commas and
    parentheses (mcpi's setSign does the same replacement)."""
    return " ".join(str(text).split()).replace(",", ";").replace("(", "[").replace(")", "]")


class Link:
    """One connection to a server through mcpi, with a timeout on every socket operation."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        try:
            sock = socket.create_connection((host, port), timeout=timeout)
        except socket.gaierror:
            raise McpiError("unknown-host") from None
        except ConnectionRefusedError:
            raise McpiError("refused") from None
        except TimeoutError:
            raise McpiError("unreachable", "timeout") from None
        except OSError as e:
            if e.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EADDRNOTAVAIL):
                raise McpiError("unreachable", e.strerror or str(e)) from None
            raise McpiError("closed", e.strerror or str(e)) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn = _Connection(sock)
        self.mc = Minecraft(self.conn)

    def close(self) -> None:
        try:
            self.conn.socket.close()
        except OSError:
            pass

    def set_blocks(self, x0, y0, z0, x1, y1, z1, material) -> None:
        if isinstance(material, str):  # mcpi's setBlocks would floor() a name
            self.conn.send(b"world.setBlocks", x0, y0, z0, x1, y1, z1, material)
        else:
            self.mc.setBlocks(x0, y0, z0, x1, y1, z1, *material)

    def set_sign(self, x, y, z, material, facing, lines) -> None:
        if isinstance(material, str):
            self.conn.send(b"world.setSign", x, y, z, material, facing,
                           *[_clean(t) for t in lines])
        else:
            self.mc.setSign(x, y, z, material[0], facing, *[" ".join(str(t).split())
                                                            for t in lines])

    def chat(self, text: str) -> None:
        self.mc.postToChat(" ".join(text.split()))

    def ask_block(self, x, y, z) -> None:
        """Send world.getBlock; its answer is read with `line()` after any replies before it."""
        self.conn.send(b"world.getBlock", int(x), int(y), int(z))

    def line(self) -> str:
        return self.conn.receive()
