"""The core knows nothing of its doors: no module under penhas_api/core/ imports Flask or the Flask layer.

Imports are read from the source (every ``import``/``from`` statement, function-level ones included), so a lazy
import inside a function cannot slip through the way it would past a check of ``sys.modules``.
"""
import ast
from pathlib import Path

import pytest

import penhas_api

PACKAGE_ROOT = Path(penhas_api.__file__).resolve().parent
CORE = PACKAGE_ROOT / "core"
# A module and everything under it.
FORBIDDEN = ("flask", "flask_jwt_extended", "flask_limiter", "werkzeug", "tasks", "penhas_api.auth", "penhas_api.params",
             "penhas_api.views", "penhas_api.app", "penhas_api.errors", "penhas_api.limits")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path, module: str | None = None) -> set[str]:
    """Every module name an import statement in ``path`` may load (``from a import b`` counts ``a`` and ``a.b``);
    ``module`` is the dotted name relative imports are resolved from (default: where ``path`` sits)."""
    module = module or _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _forbidden(name: str) -> bool:
    return any(name == f or name.startswith(f + ".") for f in FORBIDDEN)


CORE_FILES = sorted(CORE.rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(PACKAGE_ROOT)))
def test_core_module_imports_no_door(path):
    assert sorted(n for n in imported_names(path) if _forbidden(n)) == []


def test_the_check_sees_every_kind_of_import(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("import flask\n"
                     "from penhas_api import auth\n"
                     "def later():\n"
                     "    from penhas_api.params import get_params\n"
                     "    from ...views import audio\n"
                     "    from .. import db\n")
    names = imported_names(probe, "penhas_api.core.services.probe")
    assert {"flask", "penhas_api.auth", "penhas_api.params", "penhas_api.views.audio", "penhas_api.core.db"} <= names
    assert sorted(n for n in names if _forbidden(n)) == [
        "flask", "penhas_api.auth", "penhas_api.params", "penhas_api.params.get_params", "penhas_api.views",
        "penhas_api.views.audio"]


def _declared_requirements() -> set[str]:
    import configparser
    import re

    config = configparser.ConfigParser()
    config.read(PACKAGE_ROOT.parent / "setup.cfg")
    lines = [line.strip() for line in config["options"]["install_requires"].splitlines()]
    return {re.split(r"[<>=!~\[ ;]", line, maxsplit=1)[0].lower().replace("_", "-")
            for line in lines if line and not line.startswith("#")}


def test_every_imported_package_is_declared():
    import sys
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    ours = {"penhas_api", "penhas_cli", "tasks"}
    imported = set()
    for folder in ours:
        for path in (PACKAGE_ROOT.parent / folder).rglob("*.py"):
            imported |= {name.split(".")[0] for name in imported_names(path) if name}
    third_party = sorted(n for n in imported - ours if n not in sys.stdlib_module_names)
    undeclared = {name: distributions.get(name) for name in third_party
                  if not {d.lower().replace("_", "-") for d in distributions.get(name, [name])}
                  & _declared_requirements()}
    assert undeclared == {}
