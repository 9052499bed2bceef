"""Compile the dashboards as code (``spec``) into Superset's import bundle: a ZIP of YAML files
(``metadata.yaml``, ``databases/``, ``datasets/``, ``charts/``, ``dashboards/``), the format Superset's
own export writes and ``superset import-dashboards`` reads.

UUIDs are derived from names, so a re-import updates the same objects instead of adding copies. The
columns of each dataset are read from the warehouse (``columns_of``), which also proves every query
runs as the BI login before Superset is started.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

import yaml

from gongkai.bi import labels
from gongkai.bi.spec import Chart, Dashboard, Dataset

NAMESPACE = uuid.UUID("6f1c3a52-3d0e-4d7b-9a61-2a4f0c0b6b1e")  # gongkai's; never change it
DATABASE_NAME = "gongkai 公开"
VERSION = "1.0.0"
TEMPORAL = ("DATE", "TIMESTAMP")

# what every chart of a viz type gets unless its params say otherwise
VIZ_DEFAULTS = {"big_number_total": {"header_font_size": 0.4, "subheader_font_size": 0.15}}

# (column name, SQL type: INTEGER, TEXT, TIMESTAMP WITH TIME ZONE …) of a dataset's rows
Columns = list[tuple[str, str]]


def uid(kind: str, name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{name}"))


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _label(dataset: Dataset, name: str) -> str | None:
    return dataset.labels.get(name) or labels.label(name)


def database_yaml(sqlalchemy_uri: str) -> dict:
    return {
        "database_name": DATABASE_NAME, "sqlalchemy_uri": sqlalchemy_uri, "cache_timeout": None,
        "expose_in_sqllab": True, "allow_run_async": False, "allow_ctas": False, "allow_cvas": False,
        "allow_dml": False, "allow_file_upload": False,
        "extra": {"allows_virtual_table_explore": True, "schemas_allowed_for_file_upload": []},
        "uuid": uid("database", "warehouse"), "version": VERSION,
    }


def dataset_yaml(ds: Dataset, columns: Columns) -> dict:
    schema, _, table = (ds.table or "marts.").partition(".")
    return {
        "table_name": table if ds.table else ds.name, "main_dttm_col": None,
        "description": ds.description or None, "default_endpoint": None, "offset": 0, "cache_timeout": None,
        "catalog": None, "schema": schema, "sql": ds.sql, "params": None, "template_params": None,
        "filter_select_enabled": True, "fetch_values_predicate": None, "extra": None,
        "normalize_columns": False, "always_filter_main_dttm": False, "uuid": uid("dataset", ds.name),
        "metrics": [{"metric_name": name, "verbose_name": _label(ds, name), "metric_type": None,
                     "expression": m.sql, "description": None, "d3format": m.format, "currency": None,
                     "extra": None, "warning_text": None} for name, m in ds.metrics.items()],
        "columns": [{"column_name": name, "verbose_name": _label(ds, name), "is_dttm": pgtype.startswith(TEMPORAL),
                     "is_active": True, "type": pgtype.upper(), "advanced_data_type": None, "groupby": True,
                     "filterable": True, "expression": None, "description": None,
                     "python_date_format": None, "extra": None} for name, pgtype in columns],
        "version": VERSION, "database_uuid": uid("database", "warehouse"),
    }


def chart_yaml(dash: Dashboard, chart: Chart) -> dict:
    params = {"viz_type": chart.viz, "adhoc_filters": [], "row_limit": 10000,
              **VIZ_DEFAULTS.get(chart.viz, {}), **chart.params}
    return {
        "slice_name": chart.title, "description": chart.description, "certified_by": None,
        "certification_details": None, "viz_type": chart.viz, "params": params, "query_context": None,
        "cache_timeout": None, "uuid": uid("chart", f"{dash.slug}/{chart.key}"), "version": VERSION,
        "dataset_uuid": uid("dataset", chart.dataset),
    }


def position(dash: Dashboard) -> dict:
    """The dashboard's layout as Superset stores it: ROOT → GRID → rows → charts (markdown on top)."""
    pos: dict = {"DASHBOARD_VERSION_KEY": "v2",
                 "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
                 "HEADER_ID": {"id": "HEADER_ID", "type": "HEADER", "meta": {"text": dash.title}},
                 "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": [], "parents": ["ROOT_ID"]}}
    grid = pos["GRID_ID"]["children"]
    if dash.description:
        pos["ROW-intro"] = {"type": "ROW", "id": "ROW-intro", "children": ["MARKDOWN-intro"],
                            "parents": ["ROOT_ID", "GRID_ID"], "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        pos["MARKDOWN-intro"] = {"type": "MARKDOWN", "id": "MARKDOWN-intro", "children": [],
                                 "parents": ["ROOT_ID", "GRID_ID", "ROW-intro"],
                                 "meta": {"width": 12, "height": 14, "code": dash.description}}
        grid.append("ROW-intro")
    chart_number = 0
    for i, row in enumerate(dash.rows, 1):
        row_id = f"ROW-{i}"
        pos[row_id] = {"type": "ROW", "id": row_id, "children": [], "parents": ["ROOT_ID", "GRID_ID"],
                       "meta": {"background": "BACKGROUND_TRANSPARENT"}}
        grid.append(row_id)
        for cell in row:
            chart_number += 1
            chart = dash.charts[cell.chart]
            chart_id = f"CHART-{cell.chart}"
            pos[row_id]["children"].append(chart_id)
            # chartId: a placeholder the import maps to the new chart's id through the uuid
            pos[chart_id] = {"type": "CHART", "id": chart_id, "children": [],
                             "parents": ["ROOT_ID", "GRID_ID", row_id],
                             "meta": {"width": cell.width, "height": cell.height, "chartId": chart_number,
                                      "uuid": uid("chart", f"{dash.slug}/{chart.key}"),
                                      "sliceName": chart.title}}
    return pos


def dashboard_yaml(dash: Dashboard) -> dict:
    return {
        "dashboard_title": dash.title, "description": None, "css": "", "slug": dash.slug,
        "certified_by": "", "certification_details": "", "published": True,
        "uuid": uid("dashboard", dash.slug), "position": position(dash),
        "metadata": {"color_scheme": "supersetColors", "refresh_frequency": 0, "expanded_slices": {},
                     "label_colors": dict(dash.colors), "timed_refresh_immune_slices": [], "cross_filters_enabled": True,
                     "default_filters": "{}", "native_filter_configuration": [], "shared_label_colors": [],
                     "color_scheme_domain": []},
        "version": VERSION,
    }


def files(datasets: dict[str, Dataset], dashboards: Iterable[Dashboard], sqlalchemy_uri: str,
          columns_of: Callable[[Dataset], Columns]) -> dict[str, str]:
    """Path in the bundle → YAML text, for every dataset the dashboards use and every dashboard."""
    dashboards = list(dashboards)
    used = sorted({c.dataset for d in dashboards for c in d.charts.values()})
    out = {"metadata.yaml": _dump({"version": VERSION, "type": "Dashboard",
                                   "timestamp": datetime.now(UTC).isoformat()}),
           "databases/gongkai.yaml": _dump(database_yaml(sqlalchemy_uri))}
    for name in used:
        out[f"datasets/gongkai/{name}.yaml"] = _dump(dataset_yaml(datasets[name], columns_of(datasets[name])))
    for dash in dashboards:
        for chart in dash.charts.values():
            out[f"charts/{dash.slug}__{chart.key}.yaml"] = _dump(chart_yaml(dash, chart))
        out[f"dashboards/{dash.slug}.yaml"] = _dump(dashboard_yaml(dash))
    return out


def zip_bytes(bundle: dict[str, str], root: str = "gongkai_dashboards") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in bundle.items():
            z.writestr(f"{root}/{path}", text)
    return buf.getvalue()
