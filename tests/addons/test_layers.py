"""The packages of google_calendar_sync import what their docstrings say they may, and no more.

Each package is named after its job (port, jobs, gateway, words, rules, switch) and says in its
``__init__`` docstring what it may import of the addon; ``ALLOWED`` is that rule, checked on the
source. What it keeps out: the port running jobs or talking to Google, words or rules reaching
into the rest, and import cycles that would make one package's loading depend on another's order.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "google_calendar_sync"
ADDON_MODULE = "odoo.addons.google_calendar_sync"
# package -> what of the addon its modules may import: a package, or one module of it.
ALLOWED = {
    "rules": set(),
    "words": {"port.bounds"},
    "gateway": {"jobs.transaction"},
    "port": {"rules", "words", "jobs.transaction", "jobs.run_queue", "switch.odoo_markers"},
    "jobs": {"port", "gateway", "rules", "words"},
    "switch": {"port", "models"},
}


def imports_of(source: str, package: str, module: str) -> set[str]:
    """The addon's modules that ``source`` (``package/module.py``) imports at its top level, as
    ``package.module`` (or ``package`` for a package itself): relative imports, and absolute ones
    through ``odoo.addons.google_calendar_sync``."""
    found = set()
    here = [package, module]
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = here[:len(here) - node.level] + (node.module.split(".") if node.module else [])
        elif (node.module or "").startswith(ADDON_MODULE + "."):
            base = node.module[len(ADDON_MODULE) + 1:].split(".")
        else:
            continue
        if not base:  # from .. import models: packages of the addon
            found |= {alias.name for alias in node.names}
        elif len(base) == 1:  # from ..port import binder, bounds: modules of that package
            found |= {f"{base[0]}.{alias.name}" for alias in node.names}
        else:
            found.add(".".join(base[:2]))
    return found


def refused(package: str, imported: set[str]) -> set[str]:
    allowed = ALLOWED[package]
    return {name for name in imported
            if name.split(".")[0] != package and name not in allowed and name.split(".")[0] not in allowed}


def test_every_package_says_what_it_owns_and_what_it_may_import() -> None:
    for package, allowed in ALLOWED.items():
        doc = ast.get_docstring(ast.parse((ADDON / package / "__init__.py").read_text(encoding="utf-8"))) or ""
        said = doc.partition("May import:")[2]
        assert set(re.findall(r"``([\w.]+)``", said)) == allowed or (not allowed and "Imports nothing" in doc), package


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_it_may(package: str) -> None:
    offenders = {}
    for path in sorted((ADDON / package).glob("*.py")):
        imported = imports_of(path.read_text(encoding="utf-8"), package, path.stem)
        if refused(package, imported):
            offenders[path.name] = sorted(refused(package, imported))
    assert offenders == {}, f"{package}/ imports what its docstring does not allow"


def test_the_check_sees_each_form_of_import() -> None:
    assert imports_of("from ..jobs import sync_run, run_queue", "port", "binder") == {"jobs.sync_run", "jobs.run_queue"}
    assert imports_of("from ..jobs.sync_run import SyncRun", "port", "binder") == {"jobs.sync_run"}
    assert imports_of("from .binder import Binder\nfrom . import bounds", "port", "odoo_calendar") == {
        "port.binder", "port.bounds"}
    assert refused("port", {"jobs.sync_run", "gateway.google_client", "jobs.run_queue", "port.binder"}) == {
        "jobs.sync_run", "gateway.google_client"}
    assert refused("rules", {"words.messages"}) == {"words.messages"}


def module_graph() -> dict[str, set[str]]:
    """Every module of the packages -> the modules of the addon it imports at its top level."""
    graph = {}
    for package in ALLOWED:
        for path in sorted((ADDON / package).glob("*.py")):
            if path.stem != "__init__":
                graph[f"{package}.{path.stem}"] = imports_of(path.read_text(encoding="utf-8"), package, path.stem)
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """An import cycle among ``graph``'s modules (empty: none)."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str]:
        if module in path:
            return [*path[path.index(module):], module]
        if module in done or module not in graph:
            return []
        for imported in sorted(graph[module]):
            found = visit(imported, [*path, module])
            if found:
                return found
        done.add(module)
        return []

    for module in sorted(graph):
        found = visit(module, [])
        if found:
            return found
    return []


def test_no_module_imports_itself_through_others() -> None:
    """Packages may import each other as ``ALLOWED`` says, modules never in a cycle: a cycle
    makes a module's loading depend on which one Odoo imports first."""
    assert cycle(module_graph()) == []


def test_the_check_sees_a_cycle_and_each_form_of_import() -> None:
    assert cycle({"a.x": {"b.y"}, "b.y": {"a.x"}}) == ["a.x", "b.y", "a.x"]
    assert imports_of("from .. import models", "port", "binder") == {"models"}
    assert imports_of("from odoo.addons.google_calendar_sync.jobs.sync_run import run_now", "port", "binder") == {
        "jobs.sync_run"}
