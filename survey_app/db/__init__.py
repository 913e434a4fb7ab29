"""Database: declarative base, engine factory and session helpers."""
