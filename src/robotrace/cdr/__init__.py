"""Call detail records: the canonical schema, readers, and the hop lookup over DuckDB."""
