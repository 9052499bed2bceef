"""The demo: everything that runs the pipeline on the bundled samples on one machine, kept apart from
the product (as cosmos keeps ``dev/`` beside ``cosmos/``).

* :mod:`gongkai.demo.samples` — the five sample reports as published (text) and their hand-checked
  golden records: the one folder the demo, the benchmarks and the tests read;
* :mod:`gongkai.demo.fixtures` — the fixture generator (report spec → PDF, HTML, DOCX, text) and the
  sample corpus built from the samples;
* :mod:`gongkai.demo.localservers` — a loopback HTTP server serving the corpus like a government site,
  and an SMTP sink writing ``.eml`` files;
* :mod:`gongkai.demo.airflow_env` — a local Airflow (SQLite metadata DB) running ``airflow dags test``;
* :mod:`gongkai.demo.website` — the corpus on the sample server, with a registry pointing at it;
* :mod:`gongkai.demo.run` — ``run_demo()``: both DAGs end to end (what ``gongkai demo`` runs).
"""
