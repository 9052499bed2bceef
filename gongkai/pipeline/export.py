"""Write a mart (schema ``marts``) to a file: CSV that Excel opens (UTF-8 with a byte-order mark) or
Parquet (typed: integers, exact decimals, dates, timestamps; the dbt column docs as field metadata).

What `gongkai export` runs. The mart is streamed through a server-side cursor in batches, so a large
mart never sits in memory; the file is written beside its destination and renamed into place, so a
failed export leaves no half-written file. The query runs in a read-only transaction: ``where`` is a
filter, nothing more.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
from psycopg import sql

from gongkai.warehouse.db import connect

SCHEMA = "marts"
FORMATS = ("csv", "parquet")
BATCH_ROWS = 10_000

Progress = Callable[[int, int | None], None]  # (rows written, total rows)


class ExportError(Exception):
    """An export that cannot be done, said in one line (an unknown mart, a bad filter …)."""


class UnknownMart(ExportError):
    pass


@dataclass(frozen=True)
class Column:
    name: str
    type_name: str   # Postgres' name of the type: int8, numeric, text, timestamptz …
    description: str | None
    scale: int | None = None  # numeric columns: the largest number of decimals in the exported rows


@dataclass(frozen=True)
class ExportResult:
    mart: str
    path: Path | None  # None: written to a stream
    format: str
    rows: int
    columns: tuple[Column, ...]


def available_marts(conn: psycopg.Connection) -> list[str]:
    """The tables and views of schema marts, by name."""
    rows = conn.execute(
        """select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = %s and c.relkind in ('r', 'v', 'm', 'p') order by c.relname""", (SCHEMA,)).fetchall()
    return [r[0] for r in rows]


def _mart_name(conn: psycopg.Connection, mart: str) -> str:
    name = mart.removeprefix(f"{SCHEMA}.")
    marts = available_marts(conn)
    if name not in marts:
        listed = ", ".join(marts) if marts else "none (run `gongkai transform` first)"
        raise UnknownMart(f"unknown mart {mart!r}; available: {listed}")
    return name


def _columns(conn: psycopg.Connection, name: str) -> list[Column]:
    rows = conn.execute(
        """select a.attname, t.typname, col_description(a.attrelid, a.attnum)
           from pg_attribute a join pg_type t on t.oid = a.atttypid
           where a.attrelid = to_regclass(%s) and a.attnum > 0 and not a.attisdropped
           order by a.attnum""", (f"{SCHEMA}.{name}",)).fetchall()
    return [Column(n, t, d) for n, t, d in rows]


def _source(name: str, where: str | None) -> sql.Composable:
    query = sql.SQL("select * from {}.{}").format(sql.Identifier(SCHEMA), sql.Identifier(name))
    if where:
        # a condition, in parentheses: the transaction is read-only and the cursor takes one statement
        query = sql.SQL("{} where ({})").format(query, sql.SQL(where))
    return query


def _survey(conn: psycopg.Connection, name: str, columns: list[Column], where: str | None
            ) -> tuple[int, list[Column]]:
    """The number of rows to export, and the scale of each numeric column (for exact Parquet decimals)."""
    numeric = [c for c in columns if c.type_name == "numeric"]
    aggregates = [sql.SQL("count(*)")] + [sql.SQL("max(scale({}))").format(sql.Identifier(c.name)) for c in numeric]
    query = sql.SQL("select {} from ({}) as exported").format(sql.SQL(", ").join(aggregates), _source(name, where))
    row = conn.execute(query).fetchone()
    scales = dict(zip((c.name for c in numeric), row[1:], strict=True))
    return row[0], [Column(c.name, c.type_name, c.description, scales.get(c.name)) for c in columns]


def _batches(conn: psycopg.Connection, name: str, where: str | None) -> Iterator[list[tuple]]:
    with conn.cursor(name="gongkai_export") as cur:
        cur.itersize = BATCH_ROWS
        cur.execute(_source(name, where))
        while batch := cur.fetchmany(BATCH_ROWS):
            yield batch


# ---------------------------------------------------------------- CSV


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _write_csv(stream, columns: Sequence[Column], batches: Iterator[list[tuple]], tick: Callable[[int], None]):
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([c.name for c in columns])
    for batch in batches:
        writer.writerows([[_csv_value(v) for v in row] for row in batch])
        tick(len(batch))


# ---------------------------------------------------------------- Parquet


_TYPED = ("int2", "int4", "int8", "float4", "float8", "bool", "date", "timestamptz", "timestamp", "numeric")


def _arrow_type(column: Column):
    import pyarrow as pa

    return {
        "int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(),
        "float4": pa.float32(), "float8": pa.float64(), "bool": pa.bool_(),
        "date": pa.date32(), "timestamptz": pa.timestamp("us", tz="UTC"), "timestamp": pa.timestamp("us"),
        "numeric": pa.decimal128(38, column.scale or 0),
    }.get(column.type_name, pa.string())


def _arrow_value(column: Column, value):
    if value is None:
        return None
    if column.type_name == "numeric":
        return value.quantize(Decimal(1).scaleb(-(column.scale or 0)))
    if column.type_name not in _TYPED and not isinstance(value, str):
        # text is text; anything else (arrays, json, intervals …) as its text
        return json.dumps(value, ensure_ascii=False, default=str) if isinstance(value, list | dict) else str(value)
    return value


def _write_parquet(path: Path, columns: Sequence[Column], batches: Iterator[list[tuple]],
                   tick: Callable[[int], None], mart: str):
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = [pa.field(c.name, _arrow_type(c), metadata={"description": c.description} if c.description else None)
              for c in columns]
    schema = pa.schema(fields, metadata={"mart": f"{SCHEMA}.{mart}", "source": "gongkai export"})
    with pq.ParquetWriter(path, schema) as writer:
        wrote = False
        for batch in batches:
            arrays = [pa.array([_arrow_value(c, row[i]) for row in batch], type=f.type)
                      for i, (c, f) in enumerate(zip(columns, fields, strict=True))]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            wrote = True
            tick(len(batch))
        if not wrote:
            writer.write_table(schema.empty_table())


# ---------------------------------------------------------------- the step


def default_path(mart: str, fmt: str) -> Path:
    return Path(f"{mart.removeprefix(SCHEMA + '.')}.{fmt}")


def format_for(out: str | os.PathLike | None, fmt: str | None) -> str:
    """The format asked for, else the one the output's suffix names, else CSV."""
    if fmt:
        if fmt not in FORMATS:
            raise ExportError(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
        return fmt
    suffix = Path(str(out)).suffix.lower().lstrip(".") if out and str(out) != "-" else ""
    return suffix if suffix in FORMATS else "csv"


def export_mart(mart: str, out: str | os.PathLike | None = None, *, fmt: str | None = None,
                where: str | None = None, url: str | None = None, progress: Progress | None = None,
                stream=None) -> ExportResult:
    """Write `mart` (a table or view of schema marts) as CSV or Parquet to `out` (default
    ``<mart>.<format>`` in the current directory; ``-`` or `stream`: a text stream, CSV only), the rows
    matching `where` (an SQL condition on its columns) only when given. `progress(done, total)` is called
    after every batch. Raises ExportError (one line) when it cannot be done."""
    fmt = format_for(out, fmt)
    to_stream = stream is not None or str(out) == "-"
    if to_stream and fmt != "csv":
        raise ExportError("Parquet is binary: give a file with --out")
    with connect(url) as conn:
        conn.read_only = True
        name = _mart_name(conn, mart)
        columns = _columns(conn, name)
        try:
            total, columns = _survey(conn, name, columns, where)
        except psycopg.Error as e:
            raise ExportError(f"invalid --where {where!r}: {_first_line(e)}") from None
        conn.commit()
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, total)

        if progress:
            progress(0, total)
        if to_stream:
            target = stream or sys.stdout
            _write_csv(target, columns, _batches(conn, name, where), tick)
            return ExportResult(name, None, fmt, done, tuple(columns))
        path = Path(out) if out else default_path(name, fmt)
        if path.is_dir():
            path = path / default_path(name, fmt)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        except OSError as e:
            raise ExportError(f"cannot write {path}: {e.strerror or e}") from None
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            if fmt == "csv":
                # utf-8-sig: the byte-order mark tells Excel the file is UTF-8 (else it reads GBK/ANSI)
                with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
                    _write_csv(f, columns, _batches(conn, name, where), tick)
            else:
                _write_parquet(tmp, columns, _batches(conn, name, where), tick, name)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except OSError as e:
            raise ExportError(f"cannot write {path}: {e.strerror or e}") from None
        except psycopg.Error as e:
            raise ExportError(f"reading marts.{name} failed: {_first_line(e)}") from None
        finally:
            tmp.unlink(missing_ok=True)
    return ExportResult(name, path, fmt, done, tuple(columns))


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__
