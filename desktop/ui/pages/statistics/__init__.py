"""Statistiques: the office's monthly figures on screen (key figures, charts, tables, the cases behind)."""
