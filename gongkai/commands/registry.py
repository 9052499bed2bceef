"""`gongkai registry list|add`: the registry of publishers (registry/publishers.yaml)."""

from __future__ import annotations

import click


@click.group(name="registry")
def command() -> None:
    """List or extend the registry of publishers and their report URLs (registry/publishers.yaml).

    \b
    Examples:
      gongkai registry list
      gongkai registry list --registry registry/demo.yaml --base-url http://127.0.0.1:8000
      gongkai registry add 某某镇人民政府 --level 乡镇/街道 --parent 某省某市某县 \\
          --url 2023=https://example.gov.cn/2023.pdf --index-url https://example.gov.cn/ndbg/
    """


@command.command(name="list")
@click.option("--registry", "path", type=click.Path(dir_okay=False), default=None,
              help="Registry file (default: registry/publishers.yaml).")
@click.option("--base-url", default=None, envvar="GONGKAI_SAMPLES_URL", show_envvar=True,
              help="Replaces {base_url} in the registry's URLs.")
@click.option("--urls", is_flag=True, help="Also print every report URL and index page.")
def list_(path: str | None, base_url: str | None, urls: bool) -> None:
    """List the registered publishers as a table: name, level, parent region, division code, the years
    with a report URL or index page (+index: an index page is searched for every year)."""
    from gongkai.fetch.registry import RegistryError, load_registry
    from gongkai.termtable import table

    try:
        pubs = load_registry(path, base_url=base_url or "{base_url}")
    except (RegistryError, FileNotFoundError) as e:
        raise click.ClickException(str(e)) from None
    rows = []
    for p in pubs:
        years = ", ".join(str(y) for y in sorted(set(p.reports) | set(p.index_pages))) or "-"
        rows.append([p.name, p.level, p.parent_region or "-", p.admin_code or "-",
                     years + (" +index" if p.index_url else "")])
    lines = table(["publisher", "level", "parent region", "code", "years"], rows).splitlines()
    click.echo("\n".join(lines[:2]))
    for p, line in zip(pubs, lines[2:], strict=True):
        click.echo(line)
        if urls:
            for y, us in sorted(p.reports.items()):
                for u in us:
                    click.echo(f"    {y}  {u}")
            for y, u in sorted(p.index_pages.items()):
                click.echo(f"    {y}  index: {u}")
            if p.index_url:
                click.echo(f"    index: {p.index_url}")
    click.echo(f"{len(pubs)} publishers", err=True)


@command.command(name="add")
@click.argument("name")
@click.option("--level", required=True, type=click.Choice(["乡镇/街道", "县区", "地市", "省", "部门"]),
              help="Administrative level.")
@click.option("--parent", "parent_region", default=None, help="Parent region, e.g. 江苏省淮安市.")
@click.option("--admin-code", default=None, help="Statistical division code (6/9/12 digits), if known.")
@click.option("--homepage", default=None, help="The publisher's website.")
@click.option("--url", "urls", multiple=True, metavar="YEAR=URL", help="A report URL for a year (repeatable).")
@click.option("--index-url", default=None, help="An index page that lists the reports.")
@click.option("--index-page", "index_pages", multiple=True, metavar="YEAR=URL",
              help="A per-year index page (repeatable).")
@click.option("--registry", "path", type=click.Path(dir_okay=False), default=None,
              help="Registry file (default: registry/publishers.yaml).")
def add(name: str, level: str, parent_region: str | None, admin_code: str | None, homepage: str | None,
        urls: tuple[str, ...], index_url: str | None, index_pages: tuple[str, ...], path: str | None) -> None:
    """Append a publisher to the registry (as a block of text: comments and layout are kept)."""
    from gongkai.fetch.registry import Publisher, RegistryError, append_publisher

    def pairs(values: tuple[str, ...], opt: str) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for v in values:
            year, sep, url = v.partition("=")
            if not sep or not year.strip().isdigit() or not url.strip():
                raise click.BadParameter(f"expected YEAR=URL, got {v!r}", param_hint=opt)
            out.setdefault(int(year), []).append(url.strip())
        return out

    reports = {y: tuple(u) for y, u in pairs(urls, "--url").items()}
    pages = pairs(index_pages, "--index-page")
    if any(len(u) > 1 for u in pages.values()):
        raise click.BadParameter("one index page per year", param_hint="--index-page")
    pub = Publisher(name=name.strip(), level=level, parent_region=parent_region, admin_code=admin_code,
                    homepage=homepage, reports=reports, index_url=index_url,
                    index_pages={y: u[0] for y, u in pages.items()})
    try:
        written = append_publisher(pub, path)
    except RegistryError as e:
        raise click.ClickException(str(e)) from None
    click.echo(f"added {pub.name} to {written}")
