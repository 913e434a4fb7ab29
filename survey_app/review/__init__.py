"""Supervisor review: quality flags, approve or reject with a comment, the history of each step."""
