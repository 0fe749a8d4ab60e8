"""`world push`: a built world sent to a live server through the real PyPI `mcpi` client.

The server is tests/minecraft/fake_mcpi_server.py: a protocol-faithful fake written from the
protocol documentation (Mojang's mcpi_protocol_spec, RaspberryJuice's and JuicyRaspberryPie's
command handlers), running in-process on loopback, applying the commands it receives to an
in-memory world and answering queries; it can answer Fail, answer slowly, drop the connection,
never answer or hang up. Nothing on the client side is replaced: minecraft/live.py drives the
real mcpi client over a real socket. The pushed world is compared block for block with the
Java world of the same build, read back by the independent anvil reader.
"""
from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.transform import Affine

from minecraft import blockfile
from minecraft.blocks import Block
from minecraft.build import STATE_DIR, BuildOptions
from minecraft.cli import world
from minecraft.errors import WorldBuildError
from minecraft.live import PushOptions, push_built, push_world
from minecraft.profiles import PROFILES, explicit_mapping

from .fake_mcpi_server import FakeMcpiServer
from .world_probe import WorldProbe

SIZE = 48  # blocks (1 m) along x and z (whole chunks): small, so the tests stay fast


def write_dem(path: Path, bump: float = 0.0, size: int = SIZE, cell: float = 1.0) -> Path:
    """Hills to ~18 m with sea along the west edge; `bump` raises a 4 x 4 m patch."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    h = 18 * np.sin(xx / 9.0) ** 2 + 6 * np.cos(yy / 7.0) + xx * 0.3 - 4
    h[12:16, 24:28] += bump
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1,
                       dtype="float32", crs="EPSG:3006",
                       transform=Affine(cell, 0, 500000, 0, -cell, 6500000 + size * cell),
                       nodata=-9999.0) as ds:
        ds.write(h.astype(np.float32), 1)
    return path


@pytest.fixture(scope="module")
def dem(tmp_path_factory) -> Path:
    return write_dem(tmp_path_factory.mktemp("dem") / "hills.tif")


def options(dem, out, fake, profile="bukkit", **kw) -> PushOptions:
    return PushOptions(build=BuildOptions(sources=[str(dem)], out=str(out)),
                       server=f"127.0.0.1:{fake.port}", profile=profile,
                       timeout=kw.pop("timeout", 5.0), **kw)


def stored_regions(out: Path):
    folder = Path(out) / STATE_DIR / blockfile.BLOCKS_DIR
    return [blockfile.load_region(folder, 0, 0)]


def assert_numeric_world_equals(fake, out, result):
    """Every pushed block on the fake equals the stored RegionBlocks mapped by the profile."""
    profile = PROFILES[result.profile]
    rb = stored_regions(out)[0]
    (ox, oy, oz), sea = result.origin, json.loads((Path(out) / "metadata.json").read_text())[
        "vertical"]["block_y_of_0_m"]
    y_lo, y_hi = result.y_range
    ax, ay, az = ox + fake.spawn[0], y_lo - sea + oy + fake.spawn[1], oz + fake.spawn[2]
    ids, data = fake.box(ax, ax + SIZE, ay, ay + (y_hi - y_lo + 1), az, az + SIZE)
    window = np.zeros((y_hi - y_lo + 1, SIZE, SIZE), np.uint8)
    a, e = max(y_lo, rb.y_min), min(y_hi, rb.y_min + rb.blocks.shape[0] - 1)
    window[a - y_lo:e - y_lo + 1] = rb.blocks[a - rb.y_min:e - rb.y_min + 1, :SIZE, :SIZE]
    if y_lo > rb.y_min:  # cut off below: the lowest pushed layer is a bedrock floor
        window[0][window[0] == Block.STONE] = Block.BEDROCK
    lut_id = np.array([profile.material(b)[0] for b in range(len(Block))])
    lut_data = np.array([profile.material(b)[1] for b in range(len(Block))])
    np.testing.assert_array_equal(ids, lut_id[window])
    np.testing.assert_array_equal(data, lut_data[window])


def test_every_block_has_a_mapping_in_every_profile():
    missing = {key: sorted(b.name for b in set(Block) - explicit_mapping(p))
               for key, p in PROFILES.items()}
    assert not any(missing.values()), f"Blocks without a mapping (they fall back): {missing}"
    for p in PROFILES.values():  # the fallback a new Block would get is one the server knows
        for b in Block:
            m = p.material(b)
            assert isinstance(m, str) or m[0] in p.known_ids


def test_push_equals_the_java_world_block_for_block(dem, tmp_path):
    with FakeMcpiServer("juicy", box=((0, SIZE), (-64, 320), (0, SIZE))) as fake:
        out = tmp_path / "push"
        seen = []
        result = push_world(options(dem, out, fake, "paper", extra_formats=("java",)),
                            progress=lambda done, total, stage: seen.append((stage, done, total)))
    probe = WorldProbe(out)
    y_lo, y_hi = result.y_range
    assert result.origin == (0, 62, 0) and y_lo == -64
    names = np.vectorize(fake.name_of)(fake.box(0, SIZE, y_lo, y_hi + 1, 0, SIZE)[0])
    for z in range(SIZE):
        for x in range(SIZE):
            java = probe.column(x, z)[y_lo + 64:y_hi + 65]
            java = np.array([n.removeprefix("minecraft:") for n in java], dtype=object)
            pushed = names[:, z, x]
            assert (pushed == java).all(), (x, z, np.flatnonzero(pushed != java)[:5] + y_lo)
    assert (names == "water").any() and (names == "sand").any()  # the coast was compared too
    # cuboids only (never a world.setBlock per block), each answered and counted once
    assert fake.commands["world.setBlocks"] == result.commands_total
    assert fake.commands["world.setBlock"] == 0
    # one verifying round trip per batch, plus the handshakes before the build and before the
    # push and the round trip after the last chat message
    assert fake.commands["world.getBlock"] == result.batches + 3
    pushes = [s for s in seen if s[0] == "push"]
    assert pushes[-1][1] == pushes[-1][2] == result.commands_total
    assert fake.chat[0].startswith("Samskapa: building hills") and "verified" in fake.chat[-1]


def test_dropped_connection_resumes_within_the_run_and_across_runs(dem, tmp_path):
    box = ((-SIZE, SIZE), (0, 256), (-SIZE, SIZE))
    with FakeMcpiServer("raspberryjuice", box=box) as fake:
        out = tmp_path / "push"
        fake.drop_after = 40  # mid-push: the client reconnects and resends the batch
        first = push_world(options(dem, out, fake))
        assert first.reconnects == 1
        assert_numeric_world_equals(fake, out, first)

        fresh = FakeMcpiServer("raspberryjuice", box=box)  # an empty world on the same port
        fake.stop()
        fresh.start(fake.port)
        fresh.drop_after, fresh.hang_up_after_drop = 60, True  # ...and then the server is gone
        with pytest.raises(WorldBuildError, match=r"dropped and could not be reopened .* "
                                                  r"--resume to go on"):
            push_world(options(dem, out, fresh))
        entry = json.loads((out / ".samskapa-push" / "state.json").read_text())["regions"]["0,0"]
        assert 0 < entry["done"] < entry["batches"]
        fresh.hang_up = False
        before = fresh.commands["world.setBlocks"]
        second = push_world(options(dem, out, fresh, resume=True))
        fresh.stop()
    assert second.commands_resumed > 0
    assert second.commands + second.commands_resumed == second.commands_total
    assert fresh.commands["world.setBlocks"] - before == second.commands
    assert_numeric_world_equals(fresh, out, second)


def test_diff_sends_only_changed_columns_then_a_sign(tmp_path):
    box = ((-SIZE, SIZE), (0, 256), (-SIZE, SIZE))
    src = write_dem(tmp_path / "town.tif")
    out = tmp_path / "push"
    with FakeMcpiServer("raspberryjuice", box=box) as fake:
        first = push_world(options(src, out, fake))
        before = stored_regions(out)[0].blocks.copy()
        # a new survey in which a small hill rises (a new file: within one process GDAL keeps
        # serving an open file's old blocks after the file is replaced)
        src = write_dem(tmp_path / "town2.tif", bump=2.0)
        fake.writes.clear()
        fake.slow = 0.2  # and the server is slow to answer now: the push waits for it
        second = push_world(options(src, out, fake, diff=True, timeout=2.0))
        after = stored_regions(out)[0]
        y_lo, y_hi = second.y_range
        assert not second.notes and second.y_range == first.y_range
        w0, w1 = y_lo - after.y_min, y_hi - after.y_min + 1
        changed = (before[w0:w1, :SIZE, :SIZE] != after.blocks[w0:w1, :SIZE, :SIZE]).any(axis=0)
        assert 0 < changed.sum() == second.diff_columns < 64
        touched = np.zeros((SIZE, SIZE), dtype=bool)
        ox, oz = second.origin[0] + fake.spawn[0], second.origin[2] + fake.spawn[2]
        for lo, hi in fake.writes:
            touched[lo[2] - oz:hi[2] - oz + 1, lo[0] - ox:hi[0] - ox + 1] = True
        np.testing.assert_array_equal(touched, changed)
        assert_numeric_world_equals(fake, out, second)

        # a sign (as the decorations will add them) goes out with world.setSign
        fake.slow, fake.writes = 0.0, []
        x, z = 30, 20
        y = int(np.flatnonzero(after.blocks[:, z, x])[-1]) + after.y_min + 1
        after.blocks[y - after.y_min, z, x] = Block.OAK_SIGN
        after.signs = [(x, y, z, ["Lag 1", "Skogen, norr", "åäö", ""])]
        blockfile.save_region(out / STATE_DIR / blockfile.BLOCKS_DIR, after)
        signs_before = fake.commands["world.setSign"]
        third = push_built(options(src, out, fake, diff=True))
        ax, ay, az = (x + ox, y - 62 + third.origin[1] + fake.spawn[1], z + oz)
        assert third.diff_columns == 1 and third.commands == len(fake.writes)
        assert {(lo[0], lo[2], hi[0], hi[2]) for lo, hi in fake.writes} == {(ax, az, ax, az)}
        assert fake.commands["world.setSign"] == signs_before + 1
        assert fake.signs[(ax, ay, az)] == ["Lag 1", "Skogen; norr", "åäö", ""]
        assert fake.box(ax, ax + 1, ay, ay + 1, az, az + 1)[0][0, 0, 0] == 63
        assert_numeric_world_equals(fake, out, third)


def error_of(call) -> str:
    with pytest.raises(WorldBuildError) as e:
        call()
    message = str(e.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    return message


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_server_that_cannot_be_used_is_named_in_one_sentence(dem, tmp_path):
    out = tmp_path / "push"
    build = BuildOptions(sources=[str(dem)], out=str(out))
    with socket.socket() as silent:  # a host that drops connection attempts, like a firewall:
        silent.bind(("127.0.0.1", 0))  # a listener whose queue is full answers no SYN
        silent.listen(0)
        queued = [socket.create_connection(silent.getsockname(), timeout=1)]  # fills it
        nowhere = PushOptions(build=build, server="127.0.0.1:%d" % silent.getsockname()[1],
                              timeout=0.3)
        assert "cannot be reached (no answer within 0.3 s)" in error_of(
            lambda: push_world(nowhere))
        for q in queued:
            q.close()
    closed = PushOptions(build=build, server=f"127.0.0.1:{free_port()}")
    assert "Nothing is listening on 127.0.0.1" in error_of(lambda: push_world(closed))
    with FakeMcpiServer() as fake:
        fake.mute = True
        msg = error_of(lambda: push_world(options(dem, out, fake, timeout=0.3)))
        assert "did not answer within 0.3 s" in msg
        fake.mute, fake.hang_up = False, True
        assert "closed the connection without answering" in error_of(
            lambda: push_world(options(dem, out, fake)))
        fake.hang_up = False
        assert "answers numeric block ids, not names; choose --profile bukkit" in error_of(
            lambda: push_world(options(dem, out, fake, "paper")))
        assert "nothing to resume" in error_of(
            lambda: push_world(options(dem, out, fake, resume=True)))
        assert not out.exists()  # none of this built anything
    big = write_dem(tmp_path / "big.tif", size=30, cell=10.0)  # 300 x 300 blocks at 1 m
    with FakeMcpiServer("pi") as fake:
        assert "The area is 304 x 304 blocks, but Minecraft: Pi Edition worlds hold 256 x 256" \
            in error_of(lambda: push_world(options(big, out, fake, "pi")))
        tall = PushOptions(build=BuildOptions(sources=[str(dem)], out=str(out),
                                              vertical_scale=0.25),  # 4 blocks per metre
                           server=f"127.0.0.1:{fake.port}", profile="pi")
        msg = error_of(lambda: push_world(tall))
        assert re.search(r"The world reaches up to y \d+ on the server \(taking the spawn to "
                         r"stand at y 64\), but Minecraft: Pi Edition holds y 0 to 127; lower "
                         r"it with --origin", msg)


def test_refused_and_wrong_writes_stop_the_push_naming_the_block(dem, tmp_path):
    out = tmp_path / "push"
    with FakeMcpiServer("raspberryjuice", box=((-SIZE, SIZE), (0, 256), (-SIZE, SIZE))) as fake:
        fake.fail_at = {(5, 40, 5)}  # absolute: world (29, 39, 29) with the default origin
        msg = error_of(lambda: push_world(options(dem, out, fake)))
        assert "refused world.setBlocks of" in msg and "(it answered 'Fail')" in msg
        lo_hi = [int(v) for v in re.findall(r"-?\d+", msg.split(" at x ")[1])[:6]]
        assert lo_hi[0] <= 5 - fake.spawn[0] <= lo_hi[1]  # the named cuboid holds that block
        entry = json.loads((out / ".samskapa-push" / "state.json").read_text())["regions"]["0,0"]
        assert entry["done"] < entry["batches"]  # stopped there; --resume starts again there
        fake.fail_at = set()
        fake.protect = [((-SIZE, SIZE), (0, 256), (-SIZE, SIZE))]  # like spawn protection
        msg = error_of(lambda: push_world(options(dem, out, fake, resume=True)))
        assert re.search(r"shows '0' at x -?\d+, y \d+, z -?\d+ where the push just wrote "
                         r"\d+:\d+", msg)
    with FakeMcpiServer("juicy", box=((0, SIZE), (-64, 320), (0, SIZE))) as fake:
        fake.fail_at = {(10, 10, 10)}
        msg = error_of(lambda: push_world(options(dem, tmp_path / "p2", fake, "paper")))
        assert "refused world.setBlocks of stone at x" in msg and "Fail: cannot set" in msg


def test_world_push_on_the_command_line(dem, tmp_path):
    from .test_world_cli import assert_one_sentence

    with FakeMcpiServer("juicy", box=((0, SIZE), (-64, 320), (0, SIZE))) as fake:
        r = CliRunner().invoke(world, ["push", str(dem), "--server", f"127.0.0.1:{fake.port}",
                                       "--profile", "paper", "--out", str(tmp_path / "p"),
                                       "--quiet"])
        assert r.exit_code == 0, r.output
        assert r.output.startswith(f"Pushed to 127.0.0.1:{fake.port} (a block-name plugin on "
                                   "Paper 1.20+) at origin 0,62,0: ")
        assert fake.commands["world.setBlocks"] > 0
    r = CliRunner().invoke(world, ["push", str(dem), "--server", f"127.0.0.1:{free_port()}",
                                   "--out", str(tmp_path / "q")])
    assert_one_sentence(r, "Nothing is listening on")
