"""The warehouse: connection (embedded Postgres by default), versioned migrations, loader."""
