"""`minyi backup` and `minyi restore`: SQLite's online backup API, pg_dump and pg_restore."""
