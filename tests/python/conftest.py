"""Shared fixtures: the source tree's packs and data; the package comes from PYTHONPATH
(the build's python directory)."""

import json
import os
import pathlib

import pytest

ROOT = pathlib.Path(os.environ.get("AIG_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
YOUTH = ROOT / "rules" / "examples" / "youth-guidance"
FR2025 = ROOT / "rules" / "orientation" / "fr-2025"
PERSONS = ROOT / "examples" / "data" / "persons-1000.jsonl"
DATE = "2025-03-01"


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: takes several seconds; runs by default")


@pytest.fixture(scope="session")
def youth():
    import aiguillage
    return aiguillage.Pack.load(YOUTH)


@pytest.fixture(scope="session")
def fr2025():
    import aiguillage
    return aiguillage.Pack.load(FR2025)


@pytest.fixture(scope="session")
def persons():
    """The 1000 example persons, person_id kept."""
    with open(PERSONS, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def without_id(person):
    p = dict(person)
    p.pop("person_id", None)
    return p
