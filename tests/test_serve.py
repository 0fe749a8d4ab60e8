"""`samskapa serve` and `samskapa migrate` as an operator runs them, in a subprocess: an unwritable
data directory is refused with one sentence, the base URL of mailed links follows the port served
on (or a mismatch is warned about), $PORT is taken, and SIGTERM stops the server."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMSKAPA = [sys.executable, "-m", "samskapa.cli"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("SAMSKAPA_BASE_URL", "PORT", "SECRET_KEY", "SAMSKAPA_ALLOWED_HOSTS")}
    # SQLite in the data dir: these tests are about that directory.
    env.update(SAMSKAPA_DATA_DIR=str(data_dir), DATABASE_URL=f"sqlite://{data_dir}/samskapa.db",
               PYTHONUNBUFFERED="1", **extra)
    return env


def _run(args: list[str], env: dict[str, str], prefix: list[str] = (), timeout: float = 60):
    """Runs a command; a hang is a failure (the process is killed), never a stuck suite."""
    process = subprocess.Popen([*prefix, *args], cwd=ROOT, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"{' '.join(args)} still running after {timeout} s:\n{out}\n{err}")
    return process.returncode, out, err


def _read_only_mount_prefix(directory: Path) -> list[str] | None:
    """A private mount namespace where `directory` is mounted read-only: unwritable even for
    root (CI runs as root, for whom chmod changes nothing). None where that is not permitted."""
    if not shutil.which("unshare"):
        return None
    probe = subprocess.run(["unshare", "-m", "sh", "-c",
                            f"mount --bind -o ro '{directory}' '{directory}' && "
                            f"! touch '{directory}/probe'"], capture_output=True)
    if probe.returncode != 0:
        return None
    return ["unshare", "-m", "sh", "-c",
            f"mount --bind -o ro '{directory}' '{directory}' && exec \"$@\"", "sh"]


def _unwritable(kind: str, tmp_path: Path) -> tuple[Path, list[str]]:
    if kind == "parent is a file":
        (tmp_path / "file").write_text("not a directory")
        return tmp_path / "file" / "data", []
    data_dir = tmp_path / "data"  # an existing, migrated installation, then mounted read-only
    code, out, err = _run([*SAMSKAPA, "migrate"], _env(data_dir))
    assert code == 0, err
    prefix = _read_only_mount_prefix(data_dir)
    if prefix is None:
        pytest.skip("no permission for a private read-only mount here (unshare -m)")
    return data_dir, prefix


@pytest.mark.parametrize("kind", ["parent is a file", "read-only mount"])
@pytest.mark.parametrize("command", ["migrate", "serve"])
def test_an_unwritable_data_dir_is_refused_in_one_sentence(tmp_path, kind, command):
    data_dir, prefix = _unwritable(kind, tmp_path)
    args = [*SAMSKAPA, command] + (["--port", str(_free_port())] if command == "serve" else [])
    code, out, err = _run(args, _env(data_dir), prefix=prefix, timeout=30)
    assert code == 1, (out, err)
    lines = [line for line in (out + err).splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert re.match(rf"Error: Samskapa cannot write to {re.escape(str(data_dir))} \(.+\): "
                    r"make it writable, or set SAMSKAPA_DATA_DIR to a writable directory\.$",
                    lines[0]), lines[0]


def test_a_database_that_cannot_be_opened_stops_the_start(tmp_path):
    """Not a hang: Tortoise keeps its connection lock when the first connect fails, so without
    a query at start-up every page would wait forever and SIGTERM would wait for them."""
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "samskapa.db").write_text("not an SQLite database " * 10)
    code, out, err = _run([*SAMSKAPA, "serve", "--port", str(_free_port())], _env(data_dir),
                          timeout=30)
    assert code != 0 and "file is not a database" in err, err
    assert "Application startup failed" in err


class Served:
    def __init__(self, env: dict[str, str], args: list[str]) -> None:
        self.log = Path(env["SAMSKAPA_DATA_DIR"]) / "serve.log"
        self.process = subprocess.Popen([*SAMSKAPA, "serve", *args], cwd=ROOT, env=env,
                                        stdout=open(self.log, "w"), stderr=subprocess.STDOUT)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_until_up(self, base_url: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.output()
            try:
                with urllib.request.urlopen(base_url + "/", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail("the server did not answer:\n" + self.output())

    def stop(self) -> int:
        """SIGTERM, as systemd or docker stop would send it; the server must end by itself."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail("SIGTERM did not stop the server:\n" + self.output())


def _ask_for_password_reset(base_url: str, email: str) -> None:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    with opener.open(base_url + "/password/forgot") as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    data = urlencode({"email": email, "csrf_token": token}).encode()
    with opener.open(base_url + "/password/forgot", data=data) as response:
        assert response.status == 200


def test_mailed_links_follow_the_port_served_on(tmp_path):
    data_dir = tmp_path / "data"
    port = _free_port()
    env = _env(data_dir, PORT=str(port), SAMSKAPA_ADMIN_PASSWORD="Admin-lösen-2026")
    for args in (["migrate"], ["createadmin", "--email", "ada@example.se"]):
        code, out, err = _run([*SAMSKAPA, *args], env)
        assert code == 0, err
    server = Served(env, [])  # the port from $PORT, no SAMSKAPA_BASE_URL
    base_url = f"http://127.0.0.1:{port}"
    server.wait_until_up(base_url)
    try:
        _ask_for_password_reset(base_url, "ada@example.se")
    finally:
        assert server.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
    assert f"Links in mails point to {base_url}" in server.output()
    # Without SMTP the whole mail goes to the server's log (the outbox hides its link).
    assert f"{base_url}/password/reset/" in server.output(), server.output()


def test_a_base_url_that_does_not_match_is_warned_about(tmp_path):
    data_dir = tmp_path / "data"
    port = _free_port()
    env = _env(data_dir, SAMSKAPA_BASE_URL="http://127.0.0.1:8000")
    assert _run([*SAMSKAPA, "migrate"], env)[0] == 0
    server = Served(env, ["--port", str(port)])
    server.wait_until_up(f"http://127.0.0.1:{port}")
    assert server.stop() in (0, -signal.SIGTERM)  # uvicorn re-raises the signal
    assert (f"Warning: SAMSKAPA_BASE_URL is http://127.0.0.1:8000 but the app is served on "
            f"127.0.0.1:{port}") in server.output()


@pytest.mark.parametrize("base_url, host, port, warned", [
    ("http://127.0.0.1:8000", "127.0.0.1", 8000, False),
    ("http://localhost:8000", "127.0.0.1", 8000, False),
    ("http://127.0.0.1:8000", "127.0.0.1", 8001, True),
    ("http://192.168.1.5:8000", "127.0.0.1", 8000, True),
    ("http://192.168.1.5:8000", "0.0.0.0", 8000, False),
    ("http://127.0.0.1", "127.0.0.1", 8000, True),
    ("https://samskapa.kommun.se", "127.0.0.1", 8000, False),  # a reverse proxy in front
    ("http://samskapa.lan:8080", "0.0.0.0", 8000, True),
])
def test_base_url_mismatch(base_url, host, port, warned):
    from samskapa.cli import base_url_mismatch

    assert (base_url_mismatch(base_url, host, port) is not None) == warned


def test_sigterm_stops_the_server_even_with_a_request_stuck(tmp_path):
    """A request that never completes (here a body that never arrives) must not keep the
    server from stopping: systemd and docker send SIGTERM and wait."""
    import socket

    data_dir = tmp_path / "data"
    env = _env(data_dir)
    assert _run([*SAMSKAPA, "migrate"], env)[0] == 0
    port = _free_port()
    server = Served(env, ["--port", str(port)])
    server.wait_until_up(f"http://127.0.0.1:{port}")
    with socket.create_connection(("127.0.0.1", port)) as stuck:
        stuck.sendall(b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Type: application/x-www-form-urlencoded\r\n"
                      b"Content-Length: 1000\r\n\r\nemail=a")
        time.sleep(0.5)  # the app is now waiting for the rest of the body
        assert server.stop() in (0, -signal.SIGTERM)

