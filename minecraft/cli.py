"""`samskapa world build|info|push`: the command line of the world pipeline.

The application shell mounts this group (`main.add_command(world)`); it also runs on its own as
`python -m minecraft.cli`. Bad input ends with one sentence on stderr and exit status 2, never a
traceback, in the user's language (Swedish when the locale is, else English).
"""
from __future__ import annotations

import os
import sys

import click

from .errors import WorldBuildError
from .i18n import environ_language, translate
from .live_cli import push_command


VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".kml", ".fgb", ".osm", ".pbf")


def _fail(e: WorldBuildError) -> None:
    language = environ_language()
    click.echo(translate("Error: %(message)s", language, message=e.text(language)), err=True)
    sys.exit(2)


def _numbers(text: str | None, count: int, option: str):
    if text is None:
        return None
    try:
        vals = tuple(float(v) for v in text.split(","))
    except ValueError:
        vals = ()
    if len(vals) != count:
        if count == 4:
            raise WorldBuildError("--area must be four numbers minx,miny,maxx,maxy separated by "
                                  "commas.")
        raise WorldBuildError("%(option)s must be two numbers x,y separated by a comma.",
                              option=option)
    return vals


def _inputs(source, layers) -> list[str]:
    """Checks that SOURCE holds rasters (a vector file belongs in --layers) and returns the
    layer files, given as repeated --layers or comma-separated."""
    vectors = [s for s in source if s.lower().endswith(VECTOR_SUFFIXES)]
    if vectors:
        raise WorldBuildError("%(path)s is a vector file, not elevation; give it with "
                              "--layers (repeat --layers or separate files with commas).",
                              path=vectors[0])
    return [f.strip() for item in layers for f in item.split(",") if f.strip()]


class ProgressBars:
    """A progress callback (done, total, stage) drawing a tqdm bar per stage on a terminal (none
    when `quiet` or not on a terminal); a stage's bar closes when the next stage begins."""

    def __init__(self, quiet: bool, units: dict[str, str] | None = None,
                 default_unit: str = "step") -> None:
        import tqdm

        tqdm.tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
        self.quiet, self.units, self.default_unit = quiet, units or {}, default_unit
        self.bars: dict = {}

    def __call__(self, done: int, total: int, stage: str) -> None:
        if self.quiet:
            return
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            self.close()
            bar = self.bars[stage] = tqdm(total=total, desc=stage, file=sys.stderr,
                                          unit=self.units.get(stage, self.default_unit),
                                          disable=None)  # None: only on a terminal
        bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def _number_text(v: float) -> str:
    """A coordinate as written in full (the shortest text that reads back as the same float),
    so bounds printed by `world info` can be pasted into --area."""
    return repr(float(v)).removesuffix(".0")


@click.group("world")
def world() -> None:
    """Minecraft worlds from open elevation data."""


@world.command("build")
@click.argument("source", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(), help="World folder to write.")
@click.option("--area", default=None, help="minx,miny,maxx,maxy in --area-crs (default: the "
              "world CRS).")
@click.option("--area-crs", default=None, help="CRS of --area, e.g. EPSG:4326.")
@click.option("--area-file", default=None, type=click.Path(),
              help="Polygon file (e.g. a municipality boundary); outside it see --outside.")
@click.option("--outside", type=click.Choice(["void", "sea"]), default="void", show_default=True,
              help="What lies outside the --area-file polygon.")
@click.option("--scale", type=float, default=1.0, show_default=True,
              help="Metres per block horizontally.")
@click.option("--vertical-scale", type=float, default=None,
              help="Metres per block vertically (default 1 up to 2 m scale, then sqrt(scale/2)).")
@click.option("--sea-level-y", type=int, default=62, show_default=True,
              help="Block y of 0 m (sea level).")
@click.option("--sea-level-rise", type=float, default=0.0, show_default=True,
              help="Flood scenario: raise the sea by this many metres; it spreads only over "
                   "low land joined to it.")
@click.option("--layers", multiple=True,
              help="Vector layers (buildings, roads, rivers, lakes, land cover): repeat --layers "
                   "or separate files with commas.")
@click.option("--landcover", default=None, type=click.Path(),
              help="Land cover raster (ESA WorldCover or Naturvårdsverket's NMD): forests, "
                   "fields and wetlands.")
@click.option("--bathymetry", default=None, type=click.Path(),
              help="Sea floor raster in metres, negative below sea level (e.g. EMODnet, GEBCO); "
                   "without it the sea deepens with the distance from the shore.")
@click.option("--format", "formats", default="java,preview", show_default=True,
              help="Comma-separated outputs: java, preview, mcworld (Minecraft Education / "
                   "Bedrock, written as OUT.mcworld).")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Local worker processes.")
@click.option("--scheduler", default=None, help="Dask scheduler address, e.g. tcp://host:8786.")
@click.option("--resume", is_flag=True, help="Finish an interrupted build in --out.")
@click.option("--force", is_flag=True, help="Replace an existing world in --out.")
@click.option("--source-crs", default=None, help="CRS of sources that do not state one.")
@click.option("--crs", default=None, help="The world's CRS, projected in metres, e.g. EPSG:3011 "
              "(default: the source's own if it is in metres, else SWEREF 99 TM in Sweden or "
              "the UTM zone).")
@click.option("--band", type=int, default=None, help="The band holding heights (1 = first), "
              "for rasters with several bands or byte values.")
@click.option("--spawn", default=None, help="x,y of the spawn in --area-crs (default: the "
              "map's centre); the spawn is the dry land nearest to it.")
@click.option("--game-version", default=None, help="Minecraft Java version (default: newest "
              "supported).")
@click.option("--zip", "make_zip", is_flag=True, help="Also write OUT.zip for download (the "
              "world only, not the build's resume state).")
@click.option("--plots", "plot_count", type=int, default=None,
              help="Lay out this many team plots on the flattest dry land, each levelled, "
                   "bordered, signed and protected.")
@click.option("--teams", default=None, type=click.Path(),
              help="CSV (name,challenge rows) or JSON file of teams: one plot per team.")
@click.option("--plot-size", type=float, default=None,
              help="Side of a team plot in metres (default 32 m, or 8 blocks where 32 m is "
                   "less).")
@click.option("--plots-over-buildings", is_flag=True,
              help="Let plots cover buildings of the layers (they are cleared).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def build_cmd(source, out, area, area_crs, area_file, outside, scale, vertical_scale,
              sea_level_y, sea_level_rise, layers, landcover, bathymetry, formats, workers,
              scheduler, resume, force, source_crs, crs, band, spawn, game_version, make_zip,
              plot_count, teams, plot_size, plots_over_buildings, quiet) -> None:
    """Build a Minecraft world from SOURCE rasters (GeoTIFF, .hgt, ASCII grid, VRT, tiles)."""
    from .build import BuildOptions, build_world

    bars = ProgressBars(quiet, default_unit="region")
    try:
        layers = _inputs(source, layers)
        opts = BuildOptions(
            sources=list(source), out=out, area=_numbers(area, 4, "--area"), area_crs=area_crs,
            area_file=area_file, outside=outside, scale=scale, vertical_scale=vertical_scale,
            sea_level_y=sea_level_y, layers=layers, landcover=landcover,
            bathymetry=bathymetry,
            formats=[f.strip() for f in formats.split(",") if f.strip()], workers=workers,
            scheduler=scheduler, resume=resume, force=force, source_crs=source_crs, crs=crs,
            band=band, spawn=_numbers(spawn, 2, "--spawn"), game_version=game_version,
            zip=make_zip, sea_level_rise=sea_level_rise, plots=plot_count, teams=teams,
            plot_size=plot_size, plots_over_buildings=plots_over_buildings)
        result = build_world(opts, progress=bars)
    except WorldBuildError as e:
        bars.close()
        _fail(e)
    except KeyboardInterrupt:
        bars.close()
        _fail(WorldBuildError("Interrupted; run the same command with --resume to finish."))
    except Exception as e:  # a bug or a broken file found mid-build: still one sentence
        bars.close()
        if os.environ.get("SAMSKAPA_DEBUG"):
            raise
        detail = " ".join(str(e).split())[:300] or type(e).__name__
        _fail(WorldBuildError("The build stopped unexpectedly (%(error)s: %(detail)s); run the "
                              "same command with --resume, and if it happens again, report it "
                              "with SAMSKAPA_DEBUG=1 set to see the details.",
                              error=type(e).__name__, detail=detail))
    bars.close()
    m = result.metadata
    language = environ_language()
    click.echo(translate("Wrote %(out)s: %(x)s x %(z)s blocks, %(chunks)s chunks in %(regions)s "
                         "regions (%(resumed)s resumed) in %(seconds)s s, in %(crs)s.",
                         language, out=result.out, x=m["size_blocks"]["x"],
                         z=m["size_blocks"]["z"], chunks=result.chunks, regions=result.regions,
                         resumed=result.regions_skipped, seconds=f"{result.seconds:.1f}",
                         crs=m["crs"] if m["crs"].startswith("EPSG:") else m["crs_name"]))
    for f in result.files:
        if f.suffix == ".mcworld":
            click.echo(translate("Minecraft Education / Bedrock world: %(path)s", language,
                                 path=f))
    click.echo(result.height_message)


@world.command("info")
@click.argument("source", nargs=-1, required=True)
@click.option("--source-crs", default=None, help="CRS of sources that do not state one.")
@click.option("--band", type=int, default=None, help="The band holding heights (1 = first).")
def info_cmd(source, source_crs, band) -> None:
    """Print a raster's CRS, size, resolution, bounds (in full, to paste into --area) and
    height range, and the CRS a world built from it gets by default."""
    from .source import choose_world_crs, crs_name, open_source, raster_info

    try:
        i = raster_info(list(source), source_crs, band)
        world_crs = choose_world_crs(open_source(list(source), source_crs, band=band)) \
            if i.crs else None
    except WorldBuildError as e:
        _fail(e)
    bounds = [_number_text(v) for v in i.bounds]
    click.echo(f"source:     {', '.join(i.paths)}")
    if i.crs:
        click.echo(f"crs:        {i.crs} ({crs_name(i.crs)})" if i.crs.startswith("EPSG:")
                   else f"crs:        {crs_name(i.crs)}")
    else:
        click.echo("crs:        none (state it with --source-crs when building)")
    click.echo(f"size:       {i.width} x {i.height} cells")
    click.echo(f"resolution: {i.resolution[0]:g} x {i.resolution[1]:g}")
    click.echo("bounds:     west {}, south {}, east {}, north {}".format(*bounds))
    area = ",".join(bounds)
    if world_crs is not None and world_crs.crs != i.crs:
        area += f" --area-crs {i.crs}" if i.crs.startswith("EPSG:") else ""
    click.echo(f"area:       --area {area}")
    if world_crs is not None:
        name = crs_name(world_crs.crs)
        click.echo(f"world crs:  {world_crs.crs} ({name})" if world_crs.crs.startswith("EPSG:")
                   else f"world crs:  {name}")
    click.echo(f"nodata:     {i.nodata}")
    click.echo(f"heights:    {i.height_min:.1f} to {i.height_max:.1f} m")


@world.command("export-plots")
@click.argument("world_dir", metavar="WORLD", type=click.Path())
@click.option("--layout", default=None, type=click.Path(),
              help="JSON plot layout (a list of plots with name, x0, z0, x1, z1), or the "
                   "world's metadata.json when it lists the plots.")
@click.option("--plot", "plot_texts", multiple=True,
              help="x0,z0,x1,z1: a plot's corner blocks (repeat for more plots).")
@click.option("--out", "out", required=True, type=click.Path(), help="Folder to write.")
def export_plots_cmd(world_dir, layout, plot_texts, out) -> None:
    """Export each team plot of a played WORLD as a structure file and a top-down and an
    isometric PNG: a Sponge schematic (.schem) from a Java world, a .mcstructure from a
    Bedrock / Education world (.mcworld or world folder)."""
    from .plot_export import export_plots, parse_plot, read_layout

    try:
        if bool(layout) == bool(plot_texts):
            raise WorldBuildError("Give the plots either with --layout or with --plot, one of "
                                  "the two.")
        plots = read_layout(layout) if layout else \
            [parse_plot(t, i) for i, t in enumerate(plot_texts, 1)]
        files = export_plots(world_dir, plots, out)
    except WorldBuildError as e:
        _fail(e)
    click.echo(translate("Exported %(plots)s plots to %(out)s (%(files)s files).",
                         environ_language(), plots=len(plots), out=out, files=len(files)))


world.add_command(push_command(build_cmd))  # `world push`, sharing build's source/area options

if __name__ == "__main__":
    world()
