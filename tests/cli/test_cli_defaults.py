"""Without --db and --commune the command line uses this PC's office and the commune IT set
(what an installed PC relies on: the MSI writes them; here they come from the environment)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.conftest import Runner

COMMUNE = "09.581.11.09."


def test_init_and_check_use_the_data_folder_and_the_machine_commune(tmp_path: Path, baom: Runner) -> None:
    env = {"BAOM_COMMUNE": COMMUNE, "BAOM_MACHINE_CONFIG": str(tmp_path / "absent.json")}
    created = baom("init", "--admin", "admin", env=env)
    assert created.returncode == 0, created.stderr
    office = tmp_path / "data" / "office.baomdb"
    assert office.is_file()
    assert str(office) in created.stdout
    checked = baom("check", "--user", "admin", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    listed = baom("users", "list", "--user", "admin", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [u["login"] for u in json.loads(listed.stdout)] == ["admin"]


def test_machine_json_gives_the_commune_and_the_language(tmp_path: Path, baom: Runner) -> None:
    machine = tmp_path / "machine.json"
    machine.write_text(json.dumps({"commune": COMMUNE, "lang": "ar"}), encoding="utf-8")
    created = baom("init", "--admin", "admin", env={"BAOM_MACHINE_CONFIG": str(machine)})
    assert created.returncode == 0, created.stderr
    assert "أُنشئ المكتب" in created.stdout  # the machine's language: Arabic


def test_no_commune_anywhere_is_a_usage_error_that_says_how(tmp_path: Path, baom: Runner) -> None:
    env = {"BAOM_MACHINE_CONFIG": str(tmp_path / "absent.json")}
    refused = baom("init", "--admin", "admin", env=env)
    assert refused.returncode == 2
    assert refused.stderr.startswith("baom: ") and "--commune CODE" in refused.stderr
    assert "aucune commune" in refused.stderr
    assert not (tmp_path / "data").exists() or not list((tmp_path / "data").iterdir())


def test_help_names_the_default_office(tmp_path: Path, baom: Runner) -> None:
    helped = baom("check", "--help", env={"BAOM_MACHINE_CONFIG": str(tmp_path / "absent.json")})
    assert helped.returncode == 0
    # argparse wraps long words too: compare without any white space.
    assert str(tmp_path / "data" / "office.baomdb") in "".join(helped.stdout.split())


def test_demo_goes_beside_the_office_never_over_it(tmp_path: Path, baom: Runner) -> None:
    made = baom("demo", "--cases", "3", "--seed", "7", env={"BAOM_MACHINE_CONFIG": str(tmp_path / "absent.json")})
    assert made.returncode == 0, made.stderr
    assert (tmp_path / "data" / "demo.baomdb").is_file()
    assert not (tmp_path / "data" / "office.baomdb").exists()
