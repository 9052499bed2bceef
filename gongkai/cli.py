"""The `gongkai` command line. Each subcommand lives in its own module under gongkai/commands/
and is imported only when it runs, so `gongkai --help` stays fast."""

from __future__ import annotations

import importlib
import sys

import click

# name -> (module, one-line help). The module defines a click command called `command`.
COMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("gongkai.commands.extract", "Extract the cells of report documents (PDF, HTML, DOCX, text)."),
    "debug": ("gongkai.commands.debug", "Draw the detected table grid and the cells read onto a PDF page."),
    "migrate": ("gongkai.commands.migrate", "Create or upgrade the warehouse schema (versioned migrations)."),
    "load": ("gongkai.commands.load", "Extract documents and load them into the warehouse, idempotently."),
    "transform": ("gongkai.commands.transform", "Run `dbt build` on the warehouse (staging → marts)."),
    "docs": ("gongkai.commands.docs", "Write the dbt docs as one HTML file that opens from disk, offline."),
    "export": ("gongkai.commands.export", "Write a mart as CSV (opens in Excel) or Parquet."),
    "check": ("gongkai.commands.check", "Run the data-quality suites (balancing rules) and report failures."),
    "registry": ("gongkai.commands.registry", "List or extend the registry of publishers and report URLs."),
    "fetch": ("gongkai.commands.fetch", "Fetch report documents into the landing store."),
    "serve-samples": ("gongkai.commands.serve_samples", "Serve the bundled sample corpus over loopback HTTP."),
    "warehouse": ("gongkai.commands.warehouse", "Print the warehouse URL, or stop the embedded Postgres."),
    "sql": ("gongkai.commands.sql", "Open psql on the warehouse (bundled: nothing to install)."),
    "demo": ("gongkai.commands.demo", "Run the whole pipeline end to end on the bundled sample corpus."),
    "bi": ("gongkai.commands.bi", "Start Apache Superset on the warehouse with the project's dashboards."),
    "airflow": ("gongkai.commands.airflow", "Airflow's web UI on the demo's runs and task logs (airflow ui)."),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, help_text = COMMANDS[name]
        cmd = importlib.import_module(module).command
        cmd.short_help = help_text
        return cmd

    def invoke(self, ctx: click.Context):
        """Run the command; a warehouse that cannot be connected to is one line and its own exit status,
        whichever command met it (the error's message holds no password)."""
        try:
            return super().invoke(ctx)
        except Exception as e:
            db = sys.modules.get("gongkai.warehouse.db")  # not imported: the error cannot be one of its
            if db is None or not isinstance(e, db.WarehouseUnreachable):
                raise
            click.echo(f"Error: {e}", err=True)
            ctx.exit(db.EXIT_UNREACHABLE)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gongkai")
def main() -> None:
    """gongkai (公开): a data warehouse of China's 政府信息公开工作年度报告.

    \b
    Examples:
      gongkai extract report.pdf            # the report's tables, laid out like the printed form
      gongkai extract *.pdf --json          # one JSON object per document (JSON Lines)
      gongkai load data/landing/            # extract + load into the warehouse
      gongkai transform && gongkai check    # dbt build, then the balancing rules
      gongkai sql                           # psql on the warehouse

    \b
    The warehouse is WAREHOUSE_URL (a libpq URL) when set, else an embedded Postgres in ./data/pg.
    Exit status 69: the warehouse cannot be connected to (one line says why; never the password).
    Long work shows progress on stderr: a live bar on a terminal, a line every
    GONGKAI_PROGRESS_EVERY seconds (default 10) elsewhere.
    """


if __name__ == "__main__":
    main()
