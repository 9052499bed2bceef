"""The dashboards as code: ``datasets/*.yaml`` and ``dashboards/*.yaml`` beside this module, read and
checked (no Superset, no database).

A **dataset** file (its name is the dataset's name) holds a ``description``, the ``sql`` of a query on the
marts (or ``table: marts.<mart>``; Jinja expands ``{{ label_case(expr, kind) }}`` and
``{{ rule_catalog() }}``, see ``labels``), and ``metrics`` (name → SQL aggregate, or ``{sql: …, format: .1%}``: counts show as exact integers
by default). Column and metric labels
are generated (``labels``); ``labels:`` in the file adds or overrides some.

A **dashboard** file (its name is the dashboard's slug) holds a ``title``, a ``description`` (Markdown,
shown at the top), ``charts`` (key → ``title``, ``dataset``, ``viz`` — a Superset viz type — and
``params``: Superset's own chart form data, e.g. ``metrics``, ``groupby``, ``x_axis``) and a ``layout``:
a list of rows, each a list of chart keys (``key`` or ``{chart: key, width: 4, height: 50}``; widths are
out of 12); optionally ``colors`` (a series' label → colour, e.g. failures in red). Adding a dashboard is adding one file (and a dataset file if it needs new data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from gongkai.bi import labels

HERE = Path(__file__).parent
DATASETS_DIR = HERE / "datasets"
DASHBOARDS_DIR = HERE / "dashboards"
GRID_WIDTH = 12
DEFAULT_HEIGHT = 50


class SpecError(ValueError):
    """A dataset or dashboard file that does not describe what it should."""


@dataclass(frozen=True)
class Metric:
    sql: str
    format: str = ",d"  # d3 format: counts are shown exact (1,566, not 1.57k); ratios say ".1%"


@dataclass(frozen=True)
class Dataset:
    name: str
    description: str
    sql: str | None = None
    table: str | None = None  # schema.table, for a dataset that is a mart as it is
    metrics: dict[str, Metric] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def query(self) -> str:
        """SQL returning the dataset's rows (what Superset queries, and what we introspect)."""
        return self.sql if self.sql is not None else f"select * from {self.table}"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    dataset: str
    viz: str
    params: dict
    description: str | None = None


@dataclass(frozen=True)
class Cell:
    chart: str
    width: int
    height: int


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    description: str
    charts: dict[str, Chart]
    rows: tuple[tuple[Cell, ...], ...]
    colors: dict[str, str] = field(default_factory=dict)  # series label → colour (Superset's label_colors)


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise SpecError(f"{path.name}: not YAML ({e})") from None
    if not isinstance(data, dict):
        raise SpecError(f"{path.name}: expected a mapping at the top")
    return data


def load_dataset(path: Path) -> Dataset:
    d = _read(path)
    if ("sql" in d) == ("table" in d):
        raise SpecError(f"{path.name}: give exactly one of `sql` or `table`")
    unknown = set(d) - {"description", "sql", "table", "metrics", "labels"}
    if unknown:
        raise SpecError(f"{path.name}: unknown keys {sorted(unknown)}")
    return Dataset(name=path.stem, description=str(d.get("description", "")).strip(),
                   sql=d.get("sql", None) and labels.render_sql(d["sql"].strip().rstrip(";")),
                   table=d.get("table"),
                   metrics={name: Metric(**m) if isinstance(m, dict) else Metric(str(m))
                            for name, m in (d.get("metrics") or {}).items()},
                   labels=dict(d.get("labels") or {}))


def _cell(item, path: Path, per_row: int) -> Cell:
    if isinstance(item, str):
        return Cell(item, GRID_WIDTH // per_row, DEFAULT_HEIGHT)
    if isinstance(item, dict) and "chart" in item:
        return Cell(item["chart"], int(item.get("width", GRID_WIDTH // per_row)),
                    int(item.get("height", DEFAULT_HEIGHT)))
    raise SpecError(f"{path.name}: a layout item is a chart key or {{chart: key, width: n}}, not {item!r}")


def load_dashboard(path: Path) -> Dashboard:
    d = _read(path)
    for key in ("title", "charts", "layout"):
        if key not in d:
            raise SpecError(f"{path.name}: missing `{key}`")
    charts = {}
    for key, c in d["charts"].items():
        missing = {"title", "dataset", "viz"} - set(c)
        if missing:
            raise SpecError(f"{path.name}: chart {key} lacks {sorted(missing)}")
        charts[key] = Chart(key=key, title=c["title"], dataset=c["dataset"], viz=c["viz"],
                            params=dict(c.get("params") or {}), description=c.get("description"))
    rows = tuple(tuple(_cell(item, path, len(row)) for item in row) for row in d["layout"])
    return Dashboard(slug=path.stem, title=d["title"], description=str(d.get("description", "")).strip(),
                     charts=charts, rows=rows, colors=dict(d.get("colors") or {}))


def check(datasets: dict[str, Dataset], dashboards: list[Dashboard]) -> None:
    """Every chart names a dataset that exists and metrics that dataset has, and is placed exactly once
    in a layout that fits the grid."""
    for dash in dashboards:
        placed = [cell.chart for row in dash.rows for cell in row]
        for key in placed:
            if key not in dash.charts:
                raise SpecError(f"{dash.slug}: the layout names an undefined chart {key!r}")
        for key in dash.charts:
            if placed.count(key) != 1:
                raise SpecError(f"{dash.slug}: chart {key!r} is placed {placed.count(key)} times in the layout")
        for i, row in enumerate(dash.rows, 1):
            if sum(cell.width for cell in row) > GRID_WIDTH:
                raise SpecError(f"{dash.slug}: row {i} is wider than {GRID_WIDTH}")
        for chart in dash.charts.values():
            ds = datasets.get(chart.dataset)
            if ds is None:
                raise SpecError(f"{dash.slug}.{chart.key}: no dataset {chart.dataset!r} in datasets/")
            for metric in metrics_used(chart):
                if metric not in ds.metrics:
                    raise SpecError(f"{dash.slug}.{chart.key}: dataset {ds.name} has no metric {metric!r}")


def metrics_used(chart: Chart) -> list[str]:
    """The saved metrics a chart's form data names (by name, as Superset stores them)."""
    p = chart.params
    names = [*(p.get("metrics") or []), *(p.get("percent_metrics") or [])]
    names += [p[k] for k in ("metric", "secondary_metric", "timeseries_limit_metric") if p.get(k)]
    return [m for m in names if isinstance(m, str)]


def load(datasets_dir: Path = DATASETS_DIR, dashboards_dir: Path = DASHBOARDS_DIR,
         ) -> tuple[dict[str, Dataset], list[Dashboard]]:
    """Every dataset and dashboard file, checked."""
    datasets = {p.stem: load_dataset(p) for p in sorted(datasets_dir.glob("*.yaml"))}
    dashboards = [load_dashboard(p) for p in sorted(dashboards_dir.glob("*.yaml"))]
    check(datasets, dashboards)
    return datasets, dashboards
