"""The Qt user interface. Widgets call services through :mod:`desktop.ui.tasks`."""
