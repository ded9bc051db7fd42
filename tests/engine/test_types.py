"""The engine is typed and stays out of Odoo: mypy passes, and no module imports odoo. mypy also checks
google_calendar_sync's port, typed whole (mypy.ini's files): OdooCalendar against the engine's
LocalCalendar, which it declares as its base."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "gcal_engine"


def test_mypy_finds_nothing_in_the_engine_and_the_port() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--config-file", str(ROOT / "mypy.ini")],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def imported_modules(source: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"), str(source))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_no_engine_module_imports_odoo() -> None:
    sources = sorted(ENGINE.rglob("*.py"))
    assert len(sources) > 10
    offenders = {str(source.relative_to(ROOT)): sorted(m for m in imported_modules(source)
                                                      if m == "odoo" or m.startswith("odoo."))
                 for source in sources}
    assert {path: found for path, found in offenders.items() if found} == {}
