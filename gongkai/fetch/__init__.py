"""Registry → discovery → fetch into the landing store (see each module's docstring)."""

from gongkai.fetch.client import (
    FETCH_ERRORS,
    FetchClient,
    FetchResult,
    FetchSettings,
    FetchTarget,
    fetch_targets,
    summarize,
)
from gongkai.fetch.discovery import discover_targets, find_report_links, names_report, report_year
from gongkai.fetch.landing import LandingStore
from gongkai.fetch.registry import Publisher, RegistryError, append_publisher, load_registry

__all__ = ["FETCH_ERRORS", "FetchClient", "FetchResult", "FetchSettings", "FetchTarget", "LandingStore",
           "Publisher", "RegistryError", "append_publisher", "discover_targets", "fetch_targets",
           "find_report_links", "load_registry", "names_report", "report_year", "summarize"]
