"""Warehouse fixtures: a fresh migrated database."""

from __future__ import annotations

import psycopg
import pytest

from tests.support.warehouse import migrate_url


@pytest.fixture
def wh_url(fresh_db_url) -> str:
    """A fresh, migrated warehouse database."""
    return migrate_url(fresh_db_url)


@pytest.fixture
def wh(wh_url):
    with psycopg.connect(wh_url) as conn:
        yield conn
