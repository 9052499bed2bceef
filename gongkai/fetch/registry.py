"""The registry of publishers: who publishes a 政府信息公开工作年度报告, and where to find it.

The registry is a YAML file (``registry/publishers.yaml``, documented in ``registry/README.md``)::

    publishers:
      - name: 淮安市洪泽区人民政府      # official name, as printed on the report
        level: 县区                     # 乡镇/街道 | 县区 | 地市 | 省 | 部门
        parent_region: 江苏省淮安市
        admin_code: "320813"            # or null
        homepage: http://www.hongze.gov.cn/
        reports: {2024: https://…/report.pdf}   # explicit report URLs per year (a URL or a list), and/or
        index_url: https://…/ndbg/              # an index page listing the reports, and/or
        index_pages: {2024: https://…/2024.html}  # per-year index pages

Any string value may contain ``{base_url}``; it is replaced by the ``base_url`` given to
:func:`load_registry` (or the ``GONGKAI_SAMPLES_URL`` environment variable). The demo registry
(``registry/demo.yaml``) uses it to point at the loopback sample server.
"""

from __future__ import annotations

import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REGISTRY = REPO_ROOT / "registry" / "publishers.yaml"
DEMO_REGISTRY = REPO_ROOT / "registry" / "demo.yaml"
BASE_URL_ENV = "GONGKAI_SAMPLES_URL"

LEVELS = ("乡镇/街道", "县区", "地市", "省", "部门")


class RegistryError(ValueError):
    """The registry file is malformed (the message names the file and the entry)."""


@dataclass(frozen=True)
class Publisher:
    name: str
    level: str
    parent_region: str | None = None
    admin_code: str | None = None
    homepage: str | None = None
    reports: dict[int, tuple[str, ...]] = field(default_factory=dict)  # year -> URLs (often one)
    index_url: str | None = None
    index_pages: dict[int, str] = field(default_factory=dict)

    def short_name(self) -> str:
        """The name without its 人民政府/办事处 suffix (how link texts often name a publisher)."""
        return re.sub(r"(人民政府|街道办事处|办事处)$", "", self.name)

    def row(self) -> dict[str, Any]:
        """The columns of ``raw.registry_publishers`` (see the loader's ``upsert_publishers``)."""
        d = asdict(self)
        return {k: d[k] for k in ("name", "level", "parent_region", "admin_code", "homepage")}


def _substitute(value: Any, base_url: str | None, where: str) -> Any:
    if not isinstance(value, str) or "{base_url}" not in value:
        return value
    if not base_url:
        raise RegistryError(f"{where}: uses {{base_url}} but no base_url was given "
                            f"(pass base_url= or set {BASE_URL_ENV})")
    return value.replace("{base_url}", base_url.rstrip("/"))


def _year_map(raw: Any, where: str, base_url: str | None, *, multi: bool = False) -> dict[int, Any]:
    if raw in (None, {}):
        return {}
    if not isinstance(raw, dict):
        raise RegistryError(f"{where}: expected a mapping year -> url, got {type(raw).__name__}")
    out: dict[int, Any] = {}
    for k, v in raw.items():
        try:
            year = int(k)
        except (TypeError, ValueError):
            raise RegistryError(f"{where}: {k!r} is not a year") from None
        if not 1990 <= year <= 2100:
            raise RegistryError(f"{where}: {year} is not a plausible report year")
        if v in (None, "", []):
            continue  # a known report whose URL is not known yet
        urls = v if multi and isinstance(v, list) else [v]
        if not all(isinstance(u, str) and u.strip() for u in urls):
            raise RegistryError(f"{where}.{year}: expected a URL string" + (" or a list of them" if multi else ""))
        subst = tuple(dict.fromkeys(_substitute(u.strip(), base_url, f"{where}.{year}") for u in urls))
        out[year] = subst if multi else subst[0]
    return out


def parse_publisher(entry: Any, where: str, base_url: str | None = None) -> Publisher:
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: expected a mapping, got {type(entry).__name__}")
    unknown = set(entry) - {"name", "level", "parent_region", "admin_code", "homepage", "reports",
                            "index_url", "index_pages"}
    if unknown:
        raise RegistryError(f"{where}: unknown keys {sorted(unknown)}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RegistryError(f"{where}: a publisher needs a name")
    where = f"{where} ({name})"
    level = entry.get("level")
    if level not in LEVELS:
        raise RegistryError(f"{where}: level {level!r} is not one of {', '.join(LEVELS)}")
    admin_code = entry.get("admin_code")
    if admin_code is not None:
        admin_code = str(admin_code)
        if not re.fullmatch(r"\d{6}(\d{3}(\d{3})?)?", admin_code):
            raise RegistryError(f"{where}: admin_code {admin_code!r} is not a 6/9/12-digit code")

    def s(key: str) -> str | None:
        v = entry.get(key)
        if v in (None, ""):
            return None
        if not isinstance(v, str):
            raise RegistryError(f"{where}: {key} must be a string")
        return _substitute(v.strip(), base_url, f"{where}.{key}")

    return Publisher(
        name=name.strip(), level=level, parent_region=s("parent_region"), admin_code=admin_code,
        homepage=s("homepage"), reports=_year_map(entry.get("reports"), f"{where}.reports", base_url, multi=True),
        index_url=s("index_url"), index_pages=_year_map(entry.get("index_pages"), f"{where}.index_pages", base_url),
    )


def load_registry(path: str | Path | None = None, *, base_url: str | None = None) -> list[Publisher]:
    """Read a registry file (default: the committed ``registry/publishers.yaml``).

    ``{base_url}`` in any value is replaced by ``base_url`` (default: ``$GONGKAI_SAMPLES_URL``)."""
    path = Path(path) if path else DEFAULT_REGISTRY
    base_url = base_url or os.environ.get(BASE_URL_ENV)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise RegistryError(f"{path}: not valid YAML: {e}") from None
    if data is None:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("publishers", []), list):
        raise RegistryError(f"{path}: expected a top-level `publishers:` list")
    pubs = [parse_publisher(e, f"{path}: publishers[{i}]", base_url)
            for i, e in enumerate(data.get("publishers") or [])]
    seen: set[str] = set()
    for p in pubs:
        if p.name in seen:
            raise RegistryError(f"{path}: publisher {p.name!r} is listed twice")
        seen.add(p.name)
    return pubs


def _yaml_scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, int):
        return str(v)
    # JSON-style double-quoted strings are valid YAML and keep non-ASCII readable
    import json
    return json.dumps(str(v), ensure_ascii=False)


def render_entry(p: Publisher) -> str:
    """The YAML text of one registry entry (a list item under ``publishers:``)."""
    lines = [f"  - name: {_yaml_scalar(p.name)}", f"    level: {_yaml_scalar(p.level)}",
             f"    parent_region: {_yaml_scalar(p.parent_region)}",
             f"    admin_code: {_yaml_scalar(p.admin_code)}", f"    homepage: {_yaml_scalar(p.homepage)}"]
    if p.index_url:
        lines.append(f"    index_url: {_yaml_scalar(p.index_url)}")
    if p.reports:
        lines.append("    reports:")
        for y, urls in sorted(p.reports.items()):
            urls = (urls,) if isinstance(urls, str) else tuple(urls)
            if len(urls) == 1:
                lines.append(f"      {y}: {_yaml_scalar(urls[0])}")
            else:
                lines.append(f"      {y}:")
                lines += [f"        - {_yaml_scalar(u)}" for u in urls]
    if p.index_pages:
        lines.append("    index_pages:")
        lines += [f"      {y}: {_yaml_scalar(u)}" for y, u in sorted(p.index_pages.items())]
    return "\n".join(lines) + "\n"


def append_publisher(p: Publisher, path: str | Path | None = None) -> Path:
    """Append one publisher to a registry file as a block of text (comments and layout are kept).

    ``publishers:`` must be the file's last top-level key. The file is re-read after the append and
    restored if it no longer parses. Raises RegistryError on a duplicate name or an invalid entry."""
    path = Path(path) if path else DEFAULT_REGISTRY
    # validate the entry itself (round trip through the parser)
    d = asdict(p)
    d["reports"] = {y: list((u,) if isinstance(u, str) else u) for y, u in p.reports.items()}
    parse_publisher(d, "new entry", base_url="http://base.invalid")
    original = path.read_text(encoding="utf-8") if path.exists() else "publishers:\n"
    existing = load_registry(path, base_url="http://base.invalid") if path.exists() else []
    if any(e.name == p.name for e in existing):
        raise RegistryError(f"{path}: publisher {p.name!r} is already registered")
    body = original if original.endswith("\n") else original + "\n"
    if re.search(r"^publishers:\s*\[\]\s*$", body, flags=re.M):
        body = re.sub(r"^publishers:\s*\[\]\s*$", "publishers:", body, flags=re.M)
    elif not re.search(r"^publishers:\s*$", body, flags=re.M):
        body += "publishers:\n"
    new = body + "\n" + render_entry(p)
    path.write_text(new, encoding="utf-8")
    try:
        names = [e.name for e in load_registry(path, base_url="http://base.invalid")]
        if names[-1] != p.name:
            raise RegistryError(f"{path}: `publishers:` is not the last top-level key; "
                                "the appended entry did not land in the list")
    except Exception:
        path.write_text(original, encoding="utf-8")
        raise
    return path
