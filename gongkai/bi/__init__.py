"""`gongkai bi`: Apache Superset on the warehouse, with the dashboards kept in this package as code.

* ``environment`` — Superset's own virtual environment (``.venv-bi``), installed from the pinned
  ``requirements.txt`` on first use (its pins clash with Airflow's, so it never shares ``.venv``).
* ``spec`` + ``bundle`` — ``datasets/*.yaml`` and ``dashboards/*.yaml`` compiled into Superset's
  import format (a ZIP of YAML databases, datasets, charts, dashboards), labels generated from the form's
  vocabulary (``labels``).
* ``superset`` — the read-only warehouse login, Superset's metadata and admin, the import, the server.
* ``superset_config.py`` — Superset's configuration (offline: only its own assets).
"""
