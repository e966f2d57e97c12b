"""Frozen entry of the windowed application (baomw.exe)."""

from desktop.app import main

raise SystemExit(main())
