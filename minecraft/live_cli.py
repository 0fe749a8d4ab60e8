"""`samskapa world push`: build a world and send it to a running server (live.py).

It takes the build command's own source, area and scale options (the same click Option
objects, so their names, defaults and help stay in one place) and adds the server's.
"""
from __future__ import annotations

import os

import click

from .errors import WorldBuildError
from .profiles import DEFAULT_PROFILE, PROFILES

# The options of `world build` that also decide what `world push` builds.
SHARED = ("source", "area", "area_crs", "area_file", "outside", "scale", "vertical_scale",
          "sea_level_y", "sea_level_rise", "layers", "source_crs", "crs", "band", "workers",
          "scheduler", "plot_count", "teams", "plot_size", "plots_over_buildings")


def push_command(build_cmd: click.Command) -> click.Command:
    shared = [p for p in build_cmd.params if p.name in SHARED]
    own = [
        click.Option(["--server"], required=True,
                     help="HOST:PORT of the server's mcpi plugin (RaspberryJuice: 4711)."),
        click.Option(["--profile"], type=click.Choice(list(PROFILES)), default=DEFAULT_PROFILE,
                     show_default=True,
                     help="pi: Minecraft Pi Edition; bukkit: RaspberryJuice on Bukkit 1.12; "
                          "paper: a block-name plugin on Paper 1.20+; jam: Raspberry Jam mod."),
        click.Option(["--origin"], default=None,
                     help="x,y,z in the server's coordinates of the world's north-west corner "
                          "at its water surface (default: centred on the spawn for relative "
                          "servers, 0,62,0 otherwise)."),
        click.Option(["--out"], default=None, type=click.Path(),
                     help="Folder for the built blocks and the push's state "
                          "(default: push-HOST-PORT)."),
        click.Option(["--resume"], is_flag=True,
                     help="Go on with an interrupted push from its last verified batch."),
        click.Option(["--diff"], is_flag=True,
                     help="Send only the columns that changed since the last push to this "
                          "server."),
        click.Option(["--timeout"], type=float, default=30.0, show_default=True,
                     help="Seconds to wait for the server to answer."),
        click.Option(["--no-chat", "no_chat"], is_flag=True,
                     help="Post no progress messages in the game's chat."),
        click.Option(["--name"], default=None, help="The world's name in the chat messages."),
        click.Option(["--quiet"], is_flag=True, help="No progress bar."),
    ]
    return click.Command("push", callback=_push, params=shared + own,
                         help="Build a world from SOURCE rasters and push it to a running "
                              "server through the mcpi protocol (RaspberryJuice and "
                              "friends), verifying every batch.")


def _push(source, server, profile, origin, out, resume, diff, timeout, no_chat, name, quiet,
          layers=(), area=None, plot_count=None, **build_kw) -> None:
    from .build import BuildOptions
    from .cli import ProgressBars, _fail, _inputs, _numbers
    from .live import PushOptions, parse_origin, parse_server, push_world

    bars = ProgressBars(quiet, {"sea": "region", "regions": "region", "push": "cmd"})
    try:
        layers = _inputs(source, layers)
        host, port = parse_server(server)
        opts = PushOptions(
            build=BuildOptions(sources=list(source), out=out or f"push-{host}-{port}",
                               area=_numbers(area, 4, "--area"), layers=layers, name=name,
                               plots=plot_count, **build_kw),
            server=server, profile=profile, origin=parse_origin(origin), resume=resume,
            diff=diff, timeout=timeout, chat=not no_chat)
        r = push_world(opts, progress=bars)
    except WorldBuildError as e:
        bars.close()
        _fail(e)
    except KeyboardInterrupt:
        bars.close()
        _fail(WorldBuildError("Interrupted; run the same command with --resume to go on from "
                              "the last verified batch."))
    except Exception as e:  # a bug or a broken file: still one sentence
        bars.close()
        if os.environ.get("SAMSKAPA_DEBUG"):
            raise
        detail = " ".join(str(e).split())[:300] or type(e).__name__
        _fail(WorldBuildError("The push stopped unexpectedly (%(error)s: %(detail)s); run the "
                              "same command with --resume, and if it happens again, report it "
                              "with SAMSKAPA_DEBUG=1 set to see the details.",
                              error=type(e).__name__, detail=detail))
    bars.close()
    sent = (f"{r.diff_columns} changed columns, " if r.diff_columns is not None else "")
    click.echo(f"Pushed to {r.server} ({PROFILES[r.profile].title}) at origin "
               f"{','.join(map(str, r.origin))}: {sent}{r.commands} commands "
               f"({r.commands_resumed} verified earlier, {r.blocks:,} blocks) in {r.batches} "
               f"verified batches, {r.reconnects} reconnections, {r.seconds:.1f} s.")
    for note in r.notes:
        click.echo(note)
