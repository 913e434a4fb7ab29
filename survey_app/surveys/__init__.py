"""Surveys: waves, questionnaire versions, indicators; the admin overview and resident pages."""
