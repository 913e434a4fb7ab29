"""Sample design in the app: frame import and export, planning, drawing and assignments."""
