"""The decision engine imports only the standard library and itself, and never reads a clock."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parent.parent / "registry" / "domain"
CLOCK_CALLS = {"today", "now", "utcnow"}


def impurities(source: str) -> list[str]:
    """Return the imports outside the stdlib and registry.domain, and any clock reads."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        elif isinstance(node, ast.Attribute) and node.attr in CLOCK_CALLS:
            found.append(f"clock: .{node.attr}")
            continue
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top not in sys.stdlib_module_names and not (
                name == "registry.domain" or name.startswith("registry.domain.")
            ):
                found.append(name)
    return found


def domain_files() -> list[Path]:
    return sorted(DOMAIN.glob("*.py"))


def test_domain_package_has_modules():
    assert {path.name for path in domain_files()} >= {"__init__.py", "engine.py", "types.py"}


@pytest.mark.parametrize("path", domain_files(), ids=lambda path: path.name)
def test_module_is_pure(path):
    assert impurities(path.read_text()) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import flask", ["flask"]),
        ("from sqlalchemy import select", ["sqlalchemy"]),
        ("from registry.models import Agreement", ["registry.models"]),
        ("import registry", ["registry"]),
        ("from datetime import date\nday = date.today()", ["clock: .today"]),
        ("import datetime, json\nfrom registry.domain.types import Reason", []),
    ],
    ids=["flask", "sqlalchemy", "models", "registry-root", "clock", "allowed"],
)
def test_checker_catches_impurities(source, expected):
    assert impurities(source) == expected
