"""Minyi web application: HTTP, database, collection, analysis and reports."""
