"""Cartographie: the service directory section."""
