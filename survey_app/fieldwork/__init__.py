"""Fieldwork: sample designs, assignments, the enumerator app."""
