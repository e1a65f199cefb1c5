"""Data layer: canonical tables, readers, mapping, validation, processed store, demo data."""
