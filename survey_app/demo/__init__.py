"""The demo city: a frame, a survey, enumerators and simulated responses from a fixed seed."""
