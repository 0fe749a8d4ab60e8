"""`samskapa serve` as deployed (uvicorn in a subprocess, its own SQLite database): a visitor who
sends X-Forwarded-For of their own choosing is still counted at their real address. uvicorn's own
proxy handling believed the header on every connection from 127.0.0.1, so a local visitor (or
anything connecting through a local port) could pose as a new address with each request."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import CSRF_RE

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_ignores_x_forwarded_for_from_visitors(tmp_path):
    env = {**os.environ, "SAMSKAPA_DATA_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite://{tmp_path / 'samskapa.db'}", "PYTHONUNBUFFERED": "1"}
    env.pop("SAMSKAPA_TRUSTED_PROXIES", None)
    env.pop("FORWARDED_ALLOW_IPS", None)
    subprocess.run([sys.executable, "-m", "samskapa.cli", "migrate"], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=120)
    port = _free_port()
    log = open(tmp_path / "serve.log", "wb")
    server = subprocess.Popen([sys.executable, "-m", "samskapa.cli", "serve", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if httpx.get(base + "/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as client:
            token = CSRF_RE.search(client.get("/login").text).group(1)

            def sign_in(email: str, forwarded_for: str) -> httpx.Response:
                return client.post("/login", headers={"X-Forwarded-For": forwarded_for},
                                   data={"email": email, "password": "Sommar2026",
                                         "csrf_token": token})

            for i in range(100):  # one address's budget, each posing as another address
                r = sign_in(f"person{i}@example.se", f"10.{i // 250}.{i % 250}.1")
                assert "Fel e-postadress eller lösenord" in r.text, i
            r = sign_in("person-next@example.se", "10.200.0.1")
            assert r.status_code == 422 and "För många misslyckade inloggningsförsök" in r.text
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
