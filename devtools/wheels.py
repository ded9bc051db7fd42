"""The addons' wheels, one per addon and Odoo series, as OCA publishes them (``bin/wheels``).

    python -m devtools.wheels [--outdir dist] [SERIES ...]

One source tree serves every series: its manifests carry the addon's own version (``1.1.0``),
which Odoo prefixes with the series it runs on (``18.0.1.1.0`` on Odoo 18, ``19.0.1.1.0`` on
19), as it does for its own addons. A wheel is for one series: its manifest says which, so that
whool names it ``odoo-addon-<addon>-<series>.<version>`` and makes it require that series' Odoo
(and, on 18.0, 18.0's wheels of the addons it depends on). So each is built from a copy of the
addon's tracked files whose manifest version is stamped with the series (and which requires the
same series' wheels of this project's addons it depends on: Odoo has a google_account of its own,
which whool would count as part of Odoo); the static checks lint those same copies, with the
rules of their series.
"""

from __future__ import annotations

import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ADDONS = sorted(path.parent.name for path in ROOT.glob("*/__manifest__.py"))
_CLASSIFIER = re.compile(r'"Framework :: Odoo :: (\d+)\.0"')
_VERSION = re.compile(r'^(\s*"version":\s*")(\d+\.\d+\.\d+)(",)$', re.MULTILINE)


def supported_series() -> list[int]:
    """The Odoo series the project supports, oldest first: setup.py's "Framework :: Odoo" classifiers."""
    return sorted(int(series) for series in _CLASSIFIER.findall((ROOT / "setup.py").read_text(encoding="utf-8")))


def tracked_files(addon: str) -> list[str]:
    """The addon's files under git, relative to it (what a release holds; no caches, no builds)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--", addon], cwd=ROOT, check=True, capture_output=True)
    return [name[len(addon) + 1:] for name in listed.stdout.decode().split("\0") if name]


def stamped_copy(addon: str, series: int, parent: Path, files: list[str] | None = None) -> Path:
    """A copy of ``addon`` in ``parent/<addon>`` (its tracked files, or ``files``) whose manifest
    version says the series: ``1.1.0`` becomes ``18.0.1.1.0`` for 18."""
    target = parent / addon
    for name in tracked_files(addon) if files is None else files:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / addon / name, target / name)
    manifest = target / "__manifest__.py"
    text, count = _VERSION.subn(rf"\g<1>{series}.0.\g<2>\g<3>", manifest.read_text(encoding="utf-8"))
    if count != 1:
        raise ValueError(f"{addon}/__manifest__.py: no \"version\": \"x.y.z\" line to stamp with the series")
    manifest.write_text(text, encoding="utf-8")
    ours = [depend for depend in ast.literal_eval(text)["depends"] if depend in ADDONS]
    if ours:
        # Odoo has addons of these names, which whool counts as part of Odoo: require ours.
        required = ", ".join(f'"odoo-addon-{depend}=={series}.0.*"' for depend in ours)
        with (target / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
            pyproject.write(f"\n[tool.whool]\nadditional_dependencies = [{required}]\n")
    return target


def build_wheel(source: Path, outdir: Path) -> Path:
    """whool's wheel of the addon copy ``source`` (not a git checkout: every file of it is packaged)."""
    environment = dict(os.environ, WHOOL_POST_VERSION_STRATEGY_OVERRIDE="none")
    before = set(outdir.glob("*.whl")) if outdir.is_dir() else set()
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir), "."],
                          cwd=source, env=environment, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"whool could not build {source.name}:\n{done.stdout}{done.stderr}")
    (wheel,) = set(outdir.glob("*.whl")) - before
    return wheel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("series", nargs="*", type=int, help="the Odoo series (default: every supported one)")
    parser.add_argument("--outdir", default=str(ROOT / "dist"), help="where the wheels go (default: dist/)")
    args = parser.parse_args()
    supported = supported_series()
    unknown = [series for series in args.series if series not in supported]
    if unknown:
        sys.exit(f"wheels: Odoo {unknown} is not a supported series ({supported})")
    outdir = Path(args.outdir).resolve()
    for series in args.series or supported:
        for addon in ADDONS:
            with tempfile.TemporaryDirectory(prefix="gcal-wheel-") as scratch:
                wheel = build_wheel(stamped_copy(addon, series, Path(scratch)), outdir)
            print(f"wheels: {os.path.relpath(wheel)}")


if __name__ == "__main__":
    main()
