"""DuckDB warehouse: schema, idempotent loads, flag views and analysts' named queries."""
