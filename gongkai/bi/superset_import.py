"""Import a bundle into Superset, overwriting what the same UUIDs made before — run by `gongkai bi` with
the BI environment's Python (it imports Superset, never gongkai):

    .venv-bi/bin/python gongkai/bi/superset_import.py BUNDLE.zip USERNAME

Superset's own `superset import-dashboards` overwrites dashboards only: a changed chart, dataset or
warehouse address (a new port, a new password) would be kept as first imported. So each kind is imported
in turn by its own v1 command with overwrite=True: databases, datasets, charts, dashboards.
"""

import sys
from zipfile import ZipFile

import yaml


def main(bundle: str, username: str) -> None:
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager
        from superset.commands.chart.importers.v1 import ImportChartsCommand
        from superset.commands.dashboard.importers.v1 import ImportDashboardsCommand
        from superset.commands.database.importers.v1 import ImportDatabasesCommand
        from superset.commands.dataset.importers.v1 import ImportDatasetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.utils.core import override_user

        with ZipFile(bundle) as z:
            contents = get_contents_from_bundle(z)
        metadata = yaml.safe_load(contents["metadata.yaml"])
        metadata.pop("type", None)  # one bundle for every kind: each command checks the type it names
        contents["metadata.yaml"] = yaml.safe_dump(metadata)
        with override_user(security_manager.find_user(username=username)):
            for command in (ImportDatabasesCommand, ImportDatasetsCommand, ImportChartsCommand,
                            ImportDashboardsCommand):
                command(contents, overwrite=True).run()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
