"""``python -m desktop`` starts the application; ``python -m desktop.cli`` is ``baom``."""

from desktop.app import main

raise SystemExit(main())
