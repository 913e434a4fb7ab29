"""Rate limits on the public endpoints, counted in the database or Redis (see `rules`)."""
