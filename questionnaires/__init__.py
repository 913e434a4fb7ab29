"""Questionnaires: model, skip logic, XLSForm, indicators (no web, no database)."""
