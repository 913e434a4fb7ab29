"""Collection: storing responses from every front door exactly once."""
