"""The shape of the code: what a newcomer relies on when they look for a room.

Given the services as one package per capability, each with a ``schemas`` module of result
types and word lists and a ``facade`` of use cases, then: every ``schemas`` module loads
without SQLAlchemy (screens, widgets and the CLI import them before the first paint), every
package says in its docstring what it owns, and every facade method names a service function
that exists.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import cmworkbench.services as services
from cmworkbench.services.core.usecase import use_cases
from cmworkbench.services.workbench import Workbench

PACKAGES = sorted(m.name for m in pkgutil.iter_modules(services.__path__) if m.ispkg)
"""The capability packages of ``cmworkbench.services``."""
SERVICES = Path(services.__file__).parent


def test_every_capability_has_schemas_and_a_facade_or_says_why_not() -> None:
    for package in PACKAGES:
        assert (SERVICES / package / "schemas.py").is_file(), f"{package} has no schemas.py"
    facades = {facade.__module__.split(".")[2] for facade in Workbench.FACADES.values()}
    assert facades <= set(PACKAGES)


def test_the_schemas_load_without_sqlalchemy() -> None:
    """In a fresh interpreter, every ``schemas`` module (and the workbench with its facades,
    which the TUI makes before its first paint) imports without SQLAlchemy or SQLModel."""
    modules = [f"cmworkbench.services.{p}.schemas" for p in PACKAGES]
    modules += ["cmworkbench.services.workbench", "cmworkbench.app"]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel'))\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"loaded: {done.stdout.strip()}"


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_says_what_it_owns(package: str) -> None:
    """One paragraph at least: the package's docstring names what lives there."""
    doc = ast.get_docstring(ast.parse((SERVICES / package / "__init__.py").read_text()))
    assert doc and len(doc.split()) >= 12, f"services/{package}/__init__.py: say what it owns"


@pytest.mark.parametrize("facade", sorted(Workbench.FACADES))
def test_every_facade_method_is_a_service_function(facade: str) -> None:
    for name, case in use_cases(Workbench.FACADES[facade]).items():
        function = case.function  # imports the module: a wrong name fails here
        assert callable(function), f"{facade}.{name}"
        module = importlib.import_module(function.__module__)
        assert (
            module.__name__.startswith(f"cmworkbench.services.{facade}")
            or (module.__name__.startswith("cmworkbench.services.core"))
            or facade == "worklog"
        ), f"{facade}.{name} reaches into {module.__name__}"
