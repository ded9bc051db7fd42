"""One owner per concept, checked on the source of google_calendar_sync; no Odoo needed.

- Binding rows (``google.calendar.binding``) and the identity memory (``google.calendar.identity``)
  are created, written and deleted by ``port/binder.py`` only: every other module asks it.
- Which synchronizations send and which run now is written once, as google.calendar.sync's
  domains: no other module filters syncs on their switch, direction or account state.
- Runs are asked for through the run queue (``jobs/run_queue.py``) only: no other module inserts
  requests or wakes the cron jobs (Sync now, resume, connecting, another calendar, a push, a
  save: each goes through ``RunQueue``).

The addon's own tests and its migrations (schema changes between versions) are not product code
paths, and are left out.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

ADDON = Path(__file__).resolve().parents[2] / "google_calendar_sync"
BINDER = ADDON / "port" / "binder.py"
SYNC_MODEL = ADDON / "models" / "google_calendar_sync.py"
RUN_QUEUE = ADDON / "jobs" / "run_queue.py"
OWNED_MODELS = ("google.calendar.binding", "google.calendar.identity")
OWNED_TABLES = re.compile(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE)\s+google_calendar_(binding|identity)\b",
                          re.IGNORECASE)
WRITES = {"create", "write", "unlink"}
# What keeps a recordset of the same model: a write on the result is a write on the model's rows.
SAME_MODEL = {"sudo", "with_context", "with_user", "with_env", "filtered", "filtered_domain", "exists", "browse",
              "search", "sorted", "ensure_one"}
# Fields holding binding rows.
BINDING_FIELDS = {"binding_ids", "series_binding_id"}
# The rule of who sends and who runs, in the forms a domain, a filter or SQL would write it.
RULE_FORMS = re.compile(
    r"""\(\s*["'](enabled|direction|account_id\.state)["']\s*,"""  # a domain term
    r"""|\b\w+\.enabled\s+(AND|OR)\b|\b(AND|OR|WHERE)\s+(NOT\s+)?\w+\.enabled\b"""  # SQL on the switch
    r"""|\b\w+\.state\s*(=|!=|IN)\s*\(?'(connected|needs_reconnect)'"""  # SQL on the account's state
    r"""|\.account_id\.state\s*(==|!=|in)"""  # a Python filter
)
# Asking for a run or waking the cron jobs, by hand.
QUEUEING = re.compile(r"""INSERT\s+INTO\s+google_calendar_sync_request\b|["']google\.calendar\.sync\.request["']\]"""
                      r"""(\.sudo\(\))?\.create\(|["']ir\.cron\.trigger["']|\._trigger\(|_notifydb|\.wake_crons\(""",
                      re.IGNORECASE)


def product_modules() -> list[Path]:
    return sorted(path for path in ADDON.rglob("*.py")
                  if not {"tests", "migrations"} & set(path.relative_to(ADDON).parts))


def offenders(find: Callable[[str], list[int]], owner: Path) -> dict[str, list[int]]:
    """{module: the lines ``find`` finds in it}, for every product module but ``owner``."""
    found = {str(path.relative_to(ADDON)): find(path.read_text(encoding="utf-8"))
             for path in product_modules() if path != owner}
    return {module: lines for module, lines in found.items() if lines}


def lines_matching(pattern: re.Pattern[str]) -> Callable[[str], list[int]]:
    def find(source: str) -> list[int]:
        return sorted({source.count("\n", 0, match.start()) + 1 for match in pattern.finditer(source)})
    return find


def _base(node: ast.expr) -> ast.expr:
    """The expression a chain of same-model calls starts from (``X.sudo().search(...)``: ``X``)."""
    while True:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in SAME_MODEL:
            node = node.func.value
        elif isinstance(node, ast.Subscript) and not _names_owned_model(node):
            node = node.value
        else:
            return node


def _names_owned_model(node: ast.expr) -> bool:
    return (isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
            and node.slice.value in OWNED_MODELS)


class OwnedRowWrites(ast.NodeVisitor):
    """The ORM writes of a module on binding or identity rows: calls of create, write or unlink
    on a recordset of those models, and assignments to their fields. Recordsets are followed
    through names and attributes assigned in the module (``Binding = env["google.calendar.binding"]``,
    ``rows = Binding.search(...)``, ``self.Binding = ...``), fields that hold binding rows, and
    ``self`` in a class of those models."""

    def __init__(self) -> None:
        self.owned: set[str] = set()  # names and dotted attributes known to hold such recordsets
        self.found: list[int] = []

    def is_owned(self, node: ast.expr) -> bool:
        node = _base(node)
        if isinstance(node, ast.BinOp):  # rows - kept, rows | others
            return self.is_owned(node.left) or self.is_owned(node.right)
        if isinstance(node, ast.IfExp):
            return self.is_owned(node.body) or self.is_owned(node.orelse)
        if _names_owned_model(node):
            return True
        if isinstance(node, ast.Attribute) and node.attr in BINDING_FIELDS:
            return True
        return ast.unparse(node) in self.owned

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            if (isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant)
                    and statement.value.value in OWNED_MODELS
                    and any(isinstance(t, ast.Name) and t.id in ("_name", "_inherit") for t in statement.targets)):
                self.owned.add("self")
        self.generic_visit(node)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                pairs = list(zip(target.elts, node.value.elts))  # kept, reason = Binding, None
            else:
                pairs = [(target, node.value)]
            for name, value in pairs:
                if isinstance(name, ast.Attribute) and self.is_owned(name.value):
                    self.found.append(node.lineno)  # rows.field = value
                elif self.is_owned(value):
                    self.owned.add(ast.unparse(name))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if isinstance(node.func, ast.Attribute) and node.func.attr in WRITES and self.is_owned(node.func.value):
            self.found.append(node.lineno)
        self.generic_visit(node)


def owned_writes(source: str) -> list[int]:
    """The lines of ``source`` that write binding or identity rows, through the ORM or in SQL."""
    visitor = OwnedRowWrites()
    tree = ast.parse(source)
    # Names first, in source order, then the writes: a method may use a name assigned further down.
    visitor.visit(tree)
    visitor.found = []
    visitor.visit(tree)
    return sorted(set(visitor.found) | set(lines_matching(OWNED_TABLES)(source)))


@pytest.mark.parametrize("snippet", [
    'env["google.calendar.binding"].sudo().create(values)',
    'Binding = self.env["google.calendar.binding"]\nBinding.search([]).write({"dirty": True})',
    'rows = sync.binding_ids.filtered(lambda r: r.google_id)\nrows.unlink()',
    'kept, reason = env["google.calendar.binding"], None\nbroken = (rows - kept) | other\nbroken.write({})',
    'row = env["google.calendar.binding"].browse(1)\nrow.last_error = "x"',
    'self.Identity = env["google.calendar.identity"]\nself.Identity.create({})',
    'class Binding:\n    _name = "google.calendar.binding"\n\n    def f(self):\n        self.sudo().unlink()',
    'cr.execute("UPDATE google_calendar_binding SET dirty = TRUE")',
    'cr.execute(f"INSERT INTO google_calendar_binding ({columns}) VALUES %s")',
    'cr.execute("""DELETE FROM google_calendar_identity i USING forgotten f""")',
])
def test_the_check_sees_each_way_of_writing_owned_rows(snippet: str) -> None:
    assert owned_writes(snippet)


def test_the_check_leaves_reads_and_other_models_alone() -> None:
    source = ('rows = env["google.calendar.binding"].search([])\n'
              'rows.event_id.write({"name": "x"})\n'
              'env["calendar.event"].create({})\n'
              'cr.execute("SELECT 1 FROM google_calendar_binding")\n')
    assert owned_writes(source) == []


def test_the_binder_writes_binding_and_identity_rows() -> None:
    """The check finds the binder's own writes (so that finding none elsewhere means something)."""
    assert len(owned_writes(BINDER.read_text(encoding="utf-8"))) >= 10


def test_only_the_binder_writes_binding_and_identity_rows() -> None:
    assert offenders(owned_writes, BINDER) == {}, "these modules write binding or identity rows: ask port/binder.py"


def test_the_check_sees_each_form_of_the_rule_of_who_runs() -> None:
    for form in ['("enabled", "=", True)', '[("direction", "!=", "google_to_odoo")]', '("account_id.state", "=", x)',
                 "WHERE s.enabled AND a.state = 'connected'", "a.state IN ('connected', 'needs_reconnect')",
                 'sync.enabled and sync.account_id.state == "connected"']:
        assert RULE_FORMS.search(form), form


def test_who_sends_and_who_runs_is_written_once() -> None:
    assert offenders(lines_matching(RULE_FORMS), SYNC_MODEL) == {}, (
        "these modules decide who sends or runs: use google.calendar.sync's _sending_domain, _live_domain, _live")


def test_the_check_sees_each_way_of_queueing_by_hand() -> None:
    for form in ['self.env["google.calendar.sync.request"].create({"sync_id": 1})',
                 'cr.execute("INSERT INTO google_calendar_sync_request (sync_id) VALUES (1)")',
                 'env["ir.cron.trigger"].create({})', 'cron._trigger()', 'RunQueue(env).wake_crons()']:
        assert QUEUEING.search(form), form


def test_runs_are_asked_for_through_the_run_queue_only() -> None:
    assert offenders(lines_matching(QUEUEING), RUN_QUEUE) == {}, "these modules queue runs by hand: use RunQueue"
