"""Privacy by design (PIPL, Statistics Law): erasing contacts after fieldwork, retention."""
