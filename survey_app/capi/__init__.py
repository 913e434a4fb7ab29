"""The enumerator's tablet app: an offline-first page, its JSON API and safe sync."""
