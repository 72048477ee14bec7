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
    # a facade's use cases live in the capability its class belongs to (``worklog`` in
    # ``staff``, ``referrals`` and ``leads`` in ``pipeline``), or in core
    home = Workbench.FACADES[facade].__module__.rsplit(".", 1)[0]
    for name, case in use_cases(Workbench.FACADES[facade]).items():
        function = case.function  # imports the module: a wrong name fails here
        assert callable(function), f"{facade}.{name}"
        module = importlib.import_module(function.__module__)
        assert module.__name__.startswith((f"{home}.", "cmworkbench.services.core")), (
            f"{facade}.{name} reaches into {module.__name__}"
        )


CLI = SERVICES.parent / "cli"
"""The ``cmw`` command line: one module per group of commands, and ``common``."""


def _imports(path: Path, package: str = "cmworkbench.cli") -> set[str]:
    """Every module ``path`` (in ``package``) imports; ``from a import b`` counts as ``a`` and
    ``a.b``, a relative import as one from ``package``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                module = f"{package}.{module}".rstrip(".")
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("module", sorted(p.name for p in CLI.glob("*.py")))
def test_the_command_line_reaches_the_database_through_services_only(module: str) -> None:
    """No module of the CLI imports the database layer or SQLAlchemy; a command module
    imports ``common`` and nothing of another command module."""
    imported = _imports(CLI / module)
    low = sorted(
        n
        for n in imported
        if n.split(".")[0] in ("sqlalchemy", "sqlmodel") or n.startswith("cmworkbench.db")
    )
    assert not low, f"cli/{module} imports {low}"
    if module != "__init__.py":
        others = sorted(
            n
            for n in imported
            if (n == "cmworkbench.cli" or n.startswith("cmworkbench.cli."))
            and n.split(".")[2:3] != ["common"]
        )
        assert not others, f"cli/{module} imports {others}"


def test_every_command_module_is_in_the_one_registry() -> None:
    from cmworkbench import cli

    modules = {p.stem for p in CLI.glob("*.py")} - {"__init__", "common"}
    assert {getattr(group, "__name__", "").rsplit(".", 1)[-1] for group in cli.GROUPS} == modules


def test_building_the_command_line_loads_nothing_heavy() -> None:
    """``cmw tui`` builds its parser before the first paint: no SQLAlchemy, no Textual yet."""
    code = (
        "import sys\n"
        "from cmworkbench import cli\n"
        "cli.build_parser()\n"
        "heavy = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'textual'))\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"loaded: {done.stdout.strip()}"
