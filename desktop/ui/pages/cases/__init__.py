"""Dossiers: the case list (search, filters) and the cases opened from it."""
