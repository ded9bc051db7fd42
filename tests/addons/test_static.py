"""Static checks of every Odoo addon in the repository; no Odoo needed.

pylint with pylint-odoo (configured in the root .pylintrc), OCA's module checks, the manifest,
the validity of every XML and CSV file, and a wheel built with whool, as OCA's CI does. The
addons serve every supported Odoo series from one tree: OCA's module checks, which apply the
rules of the series a manifest names, and whool check the copy of each addon stamped with each
series, which is what bin/wheels packages (devtools/wheels.py).
"""

from __future__ import annotations

import ast
import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docutils.core
import polib
import pytest
from lxml import etree
from packaging.requirements import Requirement

from devtools.wheels import build_wheel, stamped_copy, supported_series

ROOT = Path(__file__).resolve().parents[2]
ADDONS = sorted(path.parent for path in ROOT.glob("*/__manifest__.py"))
AUTHOR = "Google Calendar Sync for Odoo contributors"
DATA_FOLDERS = ("data", "views", "security", "wizard", "wizards", "report", "reports")
ACCESS_HEADER = ["id", "name", "model_id:id", "group_id:id", "perm_read", "perm_write", "perm_create", "perm_unlink"]
BIN = Path(sys.executable).parent

each_addon = pytest.mark.parametrize("addon", ADDONS, ids=[addon.name for addon in ADDONS])
SERIES = supported_series()
each_addon_and_series = pytest.mark.parametrize(
    ("addon", "series"), [(addon, series) for addon in ADDONS for series in SERIES],
    ids=[f"{addon.name}-{series}" for addon in ADDONS for series in SERIES])


def manifest_of(addon: Path) -> dict:
    return ast.literal_eval((addon / "__manifest__.py").read_text(encoding="utf-8"))


def files_of(addon: Path) -> list[str]:
    """The addon's files as they are now, tracked or not yet."""
    return [str(path.relative_to(addon)) for path in addon.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_the_repository_has_its_addons() -> None:
    assert "google_account" in [path.name for path in ADDONS]


def test_the_project_supports_odoo_18_and_19() -> None:
    assert SERIES[:2] == [18, 19]


@each_addon
def test_pylint_odoo_finds_nothing(addon: Path) -> None:
    """One run for every series: .pylintrc names them all, and pylint-odoo then applies the
    checks of each (a series-specific check is on when any named series has it)."""
    result = run([sys.executable, "-m", "pylint", "--rcfile", str(ROOT / ".pylintrc"), addon.name], ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@each_addon_and_series
def test_oca_module_checks_find_nothing(addon: Path, series: int, tmp_path: Path) -> None:
    copy = stamped_copy(addon.name, series, tmp_path, files_of(addon))
    result = run([str(BIN / "oca-checks-odoo-module"), str(copy)], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


@each_addon
def test_manifest_describes_an_addon_of_this_project_for_every_series(addon: Path) -> None:
    manifest = manifest_of(addon)

    # The addon's own version: Odoo prefixes it with the series it runs on (18.0.x.y.z, 19.0.x.y.z).
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["license"] == "LGPL-3"
    assert AUTHOR in manifest["author"]
    assert manifest["name"] and manifest["summary"] and manifest["category"]
    assert isinstance(manifest["depends"], list) and manifest["depends"]
    for requirement in manifest.get("external_dependencies", {}).get("python", []):
        assert Requirement(requirement).name == requirement, "a PyPI distribution name, as Odoo 18 checks"


@each_addon
def test_migrations_run_on_every_series_once(addon: Path) -> None:
    """A migration folder named by the addon's version only (``1.1.0``, not ``18.0.1.1.0``) runs
    on any series when upgrading past that version, and not again when Odoo itself is upgraded."""
    version = tuple(int(part) for part in manifest_of(addon)["version"].split("."))
    for folder in (addon / "migrations").glob("*"):
        assert re.fullmatch(r"\d+\.\d+\.\d+", folder.name), folder
        assert tuple(int(part) for part in folder.name.split(".")) <= version, folder


@each_addon
def test_manifest_lists_every_data_file_and_only_existing_ones(addon: Path) -> None:
    manifest = manifest_of(addon)
    listed = manifest.get("data", []) + manifest.get("demo", [])

    assert [name for name in listed if not (addon / name).is_file()] == []
    present = sorted(
        str(path.relative_to(addon))
        for folder in DATA_FOLDERS
        for path in (addon / folder).glob("*")
        if path.suffix in (".xml", ".csv")
    )
    assert [name for name in present if name not in listed] == []


@each_addon
def test_asset_globs_match_files(addon: Path) -> None:
    for bundle, paths in manifest_of(addon).get("assets", {}).items():
        for pattern in paths:
            if isinstance(pattern, str):
                relative = pattern.split("/", 1)[1]
                assert list(addon.glob(relative)), f"{bundle}: {pattern} matches no file"


@each_addon
def test_every_xml_file_parses(addon: Path) -> None:
    for path in addon.rglob("*.xml"):
        root = etree.parse(str(path)).getroot()
        if path.parent.name in DATA_FOLDERS:
            assert root.tag == "odoo", path


@each_addon
def test_every_csv_file_parses_and_access_rules_are_well_formed(addon: Path) -> None:
    for path in addon.rglob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert rows and all(len(row) == len(rows[0]) for row in rows), path
        if path.name == "ir.model.access.csv":
            assert rows[0] == ACCESS_HEADER
            assert all(row[4:] and set(row[4:]) <= {"0", "1"} for row in rows[1:])


@each_addon
def test_readme_and_translation_template_exist(addon: Path) -> None:
    assert (addon / "readme" / "DESCRIPTION.md").is_file()
    assert (addon / "README.rst").is_file()
    assert (addon / "i18n" / f"{addon.name}.pot").is_file()


READMES = [ROOT / "README.rst", *(addon / "README.rst" for addon in ADDONS)]


@pytest.mark.parametrize("readme", READMES, ids=[str(r.relative_to(ROOT)) for r in READMES])
def test_readme_renders_cleanly_and_its_images_exist(readme: Path) -> None:
    """PyPI and Odoo's Apps page render these: a reStructuredText slip would show as raw text."""
    problems = io.StringIO()
    text = readme.read_text(encoding="utf-8")
    docutils.core.publish_string(text, writer="null", settings_overrides={
        "report_level": 2, "halt_level": 5, "warning_stream": problems})
    assert problems.getvalue() == ""
    images = re.findall(r"^\.\. image:: (?!https?:)(\S+)", text, flags=re.MULTILINE)
    assert [image for image in images if not (readme.parent / image).is_file()] == []


@each_addon_and_series
def test_a_wheel_builds_with_whool_for_each_series(addon: Path, series: int, tmp_path: Path) -> None:
    wheel = build_wheel(stamped_copy(addon.name, series, tmp_path / "src", files_of(addon)), tmp_path / "dist")

    version = f"{series}.0.{manifest_of(addon)['version']}"
    assert wheel.name == f"odoo_addon_{addon.name}-{version}-py3-none-any.whl"
    archive = zipfile.ZipFile(wheel)
    names = archive.namelist()
    assert f"odoo/addons/{addon.name}/security/ir.model.access.csv" in names
    shipped = ast.literal_eval(archive.read(f"odoo/addons/{addon.name}/__manifest__.py").decode())
    assert shipped["version"] == version
    metadata = archive.read(f"odoo_addon_{addon.name}-{version}.dist-info/METADATA").decode()
    required = {Requirement(line.split(":", 1)[1]).name: str(Requirement(line.split(":", 1)[1]).specifier)
                for line in metadata.splitlines() if line.startswith("Requires-Dist:")}
    assert required["odoo"] == f"=={series}.0.*"
    for depend in manifest_of(addon)["depends"]:
        if (ROOT / depend / "__manifest__.py").is_file():
            assert required[f"odoo-addon-{depend}"] == f"=={series}.0.*", "this project's, of the same series"


def code_strings(addon: Path) -> set[str]:
    """The literal strings the addon's code marks for translation: ``_()``, ``env._()`` and
    ``_lt()`` in Python, ``_t()`` with a quoted string in JavaScript."""
    found = set()
    for path in addon.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in ("_", "_lt") and isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    for path in addon.rglob("*.js"):
        for quote, text in re.findall(r"""\b_t\(\s*(["'])((?:(?!\1)[^\\]|\\.)*)\1""", path.read_text(encoding="utf-8")):
            found.add(ast.literal_eval(quote + text + quote))
    return found


@each_addon
def test_the_translation_template_is_current(addon: Path) -> None:
    """Every string the code translates is in the .pot, and the .pot points at no file that is
    gone: regenerate it (odoo-bin --i18n-export) when this fails."""
    template = polib.pofile(str(addon / "i18n" / f"{addon.name}.pot"))
    assert sorted(code_strings(addon) - {entry.msgid for entry in template}) == []
    prefix = f"code:addons/{addon.name}/"
    sources = {path[len(prefix):] for entry in template for path, _ in entry.occurrences if path.startswith(prefix)}
    assert sorted(source for source in sources if not (addon / source).is_file()) == []


# The languages every addon ships (the others come with their .po files; each addon ships the same ones).
LANGUAGES = {"fr", "de", "es", "nl", "it", "pt_BR"}
TRANSLATIONS = [po for addon in ADDONS for po in sorted((addon / "i18n").glob("*.po"))]
PRINTF = re.compile(r"%(?:\(\w+\))?[#0+-]?\d*(?:\.\d+)?[sdfr%]")
BRACES = re.compile(r"\{\w*\}")
HTML_TAG = re.compile(r"</?(?:a|b|br|code|div|em|h[1-6]|i|li|ol|p|pre|small|span|strong|u|ul)\b[^>]*>")


def placeholders(text: str) -> list[list[str]]:
    """What a translation must keep of its source: printf and Python format fields, HTML tags."""
    return [sorted(pattern.findall(text)) for pattern in (PRINTF, BRACES, HTML_TAG)]


@each_addon
def test_each_addon_ships_the_same_languages_and_at_least_ours(addon: Path) -> None:
    shipped = {path.stem for path in (addon / "i18n").glob("*.po")}
    assert LANGUAGES <= shipped
    assert all({path.stem for path in (other / "i18n").glob("*.po")} == shipped for other in ADDONS)


@pytest.mark.parametrize("po_path", TRANSLATIONS, ids=[f"{po.parents[1].name}/{po.stem}" for po in TRANSLATIONS])
def test_every_shipped_translation_covers_the_template_and_keeps_its_placeholders(po_path: Path) -> None:
    """A language is shipped whole or not at all: every string of the .pot translated (none
    missing, empty or fuzzy), none that the .pot no longer has, and every placeholder, format
    field and HTML tag kept, so that formatting never fails and markup never breaks."""
    addon = po_path.parents[1]
    template = {entry.msgid: entry for entry in polib.pofile(str(addon / "i18n" / f"{addon.name}.pot"))}
    catalog = polib.pofile(str(po_path))
    entries = {entry.msgid: entry for entry in catalog if not entry.obsolete}

    assert (catalog.metadata.get("Language"), bool(catalog.metadata.get("Plural-Forms"))) == (po_path.stem, True)
    assert sorted(msgid for msgid in template if not entries.get(msgid) or not entries[msgid].msgstr
                  or "fuzzy" in entries[msgid].flags) == [], "not translated"
    assert sorted(set(entries) - set(template)) == [], "not in the .pot"
    assert [msgid for msgid in template if placeholders(msgid) != placeholders(entries[msgid].msgstr)] == []
    view_terms = [entry for entry in entries.values()
                  if any(place.startswith("model_terms:") for place, _ in entry.occurrences)]
    for entry in view_terms:  # a view's term is XML: an unescaped & or < would drop it
        etree.fromstring(f"<div>{entry.msgstr}</div>")
