"""Frozen entry of the command line (baom.exe)."""

from desktop.cli import main

raise SystemExit(main())
