"""Superset's configuration for `gongkai bi` (loaded by Superset through SUPERSET_CONFIG_PATH, inside the
BI environment `.venv-bi`: it imports nothing from gongkai).

Everything Superset keeps lives in GONGKAI_BI_HOME (default data/bi): its metadata DB (SQLite, unless
SUPERSET_DATABASE_URI names a server) and the
secrets generated on the first start (secrets.json, readable by this user only). Offline by design: the
browser may load nothing but this server's own assets (the Content-Security-Policy below), so no
telemetry pixel, web font or map tile is fetched from the internet.
"""

import json
import os
from pathlib import Path

_HOME = Path(os.environ["GONGKAI_BI_HOME"])
_SECRETS = json.loads((_HOME / "secrets.json").read_text(encoding="utf-8"))

SECRET_KEY = _SECRETS["secret_key"]
# Superset's own metadata: SQLite in GONGKAI_BI_HOME, or a server (docker compose: database `superset`)
SQLALCHEMY_DATABASE_URI = (os.environ.get("SUPERSET_DATABASE_URI")
                           or f"sqlite:///{_HOME / 'superset.db'}?check_same_thread=false")
DATA_DIR = str(_HOME)
APP_NAME = "gongkai 公开"

# The UI in Chinese (the users' language), English one click away.
BABEL_DEFAULT_LOCALE = "zh"
LANGUAGES = {"zh": {"flag": "cn", "name": "简体中文"}, "en": {"flag": "us", "name": "English"}}

# Only this server's own assets: 'self', plus data:/blob: URLs the charts draw with.
_SELF = ["'self'"]
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": _SELF,
        "default-src": _SELF,
        "img-src": [*_SELF, "data:", "blob:"],
        "worker-src": [*_SELF, "blob:"],
        "connect-src": _SELF,
        "object-src": "'none'",
        "style-src": [*_SELF, "'unsafe-inline'"],
        "font-src": [*_SELF, "data:"],
        "script-src": [*_SELF, "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
THEME_FONT_URL_ALLOWED_DOMAINS: list = []
CONTENT_SECURITY_POLICY_WARNING = False

# A local, single-user tool: no examples, no thumbnails, no async workers.
FEATURE_FLAGS = {"ALERT_REPORTS": False, "THUMBNAILS": False}
SQLLAB_CTAS_NO_LIMIT = False
