# The two commands of the README. Both set up whatever a fresh Debian machine lacks.
.PHONY: run test lint installer frozen

run:
	@bash scripts/setup.sh run
	.venv/bin/python -m desktop

test:
	@bash scripts/setup.sh test
	.venv/bin/python -m ruff check desktop tests tools installer bench
	.venv/bin/python -m mypy
	QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest

# dist/BAOM-x.y.z.msi: PyInstaller under Wine, then wixl (docs/deployment.md).
installer:
	@bash scripts/setup.sh installer
	.venv/bin/python installer/build.py msi

# build/frozen/dist/BAOM: the frozen folder for this OS.
frozen:
	@bash scripts/setup.sh installer
	.venv/bin/python installer/build.py frozen

lint:
	.venv/bin/python -m ruff check desktop tests tools installer bench
	.venv/bin/python -m mypy
