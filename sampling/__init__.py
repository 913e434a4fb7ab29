"""Design-based survey statistics: estimation, weighting, sample design (no web, no database)."""
