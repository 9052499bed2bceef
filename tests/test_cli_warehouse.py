import os
import subprocess
import sys
from pathlib import Path

import psycopg


def _gongkai(*args, env):
    return subprocess.run([str(Path(sys.executable).with_name("gongkai")), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_warehouse_url_starts_and_stop_stops_the_embedded_server(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "WAREHOUSE_URL"}
    data = Path("/tmp") / f"gongkai-cli-wh-{os.getpid()}"
    env["GONGKAI_DATA_DIR"] = str(data)
    try:
        out = _gongkai("warehouse", "url", env=env)
        assert out.returncode == 0, out.stderr
        url = out.stdout.strip()
        with psycopg.connect(url) as c:
            assert c.execute("select current_database()").fetchone()[0] == "gongkai"
        assert _gongkai("warehouse", "stop", env=env).stdout.strip() == "stopped"
        assert not (data / "pg" / "postmaster.pid").exists()
        assert _gongkai("warehouse", "stop", env=env).stdout.strip() == "not running"
    finally:
        _gongkai("warehouse", "stop", env=env)
        subprocess.run(["rm", "-rf", str(data)])
