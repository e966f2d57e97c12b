# The two commands of the README. Both set up whatever a fresh Debian machine lacks.
.PHONY: run test lint

run:
	@bash scripts/setup.sh run
	.venv/bin/python -m desktop

test:
	@bash scripts/setup.sh test
	.venv/bin/python -m ruff check desktop tests tools
	.venv/bin/python -m mypy
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest

lint:
	.venv/bin/python -m ruff check desktop tests tools
	.venv/bin/python -m mypy
