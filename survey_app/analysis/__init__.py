"""Analysis: the fieldwork dashboard, weighting runs and indicator estimates against thresholds."""
