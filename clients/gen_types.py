#!/usr/bin/env python3
"""Generates the API clients' types from the OpenAPI document (`make types`).

    api/openapi.json
      -> clients/python/tepat_client/openapi_types.py   TypedDicts (datamodel-code-generator)
      -> viewer/src/generated/openapi.ts                 TypeScript (openapi-typescript)

Both generators are pinned (clients/requirements-types.txt, viewer/package.json) and run
offline. `--check` regenerates into memory and exits 1 when a committed file differs;
clients/python/tests/test_generated_types.py does the same inside the client's tests.

Usage: python clients/gen_types.py [--check] [--openapi PATH]
"""

from __future__ import annotations

import argparse
import difflib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OPENAPI = REPO / "api" / "openapi.json"
PY_OUT = REPO / "clients" / "python" / "tepat_client" / "openapi_types.py"
TS_OUT = REPO / "viewer" / "src" / "generated" / "openapi.ts"
PY_PINS = REPO / "clients" / "requirements-types.txt"
VIEWER = REPO / "viewer"

PY_HEADER = (
    "# Generated from api/openapi.json by clients/gen_types.py (datamodel-code-generator):\n"
    "# do not edit. Regenerate with `make types`; the client's tests fail while it is stale.\n"
    '"""The JSON shapes of the tepat HTTP API, one TypedDict (or alias) per schema of the\n'
    'OpenAPI document. Import them from `tepat_client.types`."""'
)
TS_HEADER = (
    "// Generated from api/openapi.json by clients/gen_types.py (openapi-typescript): do not edit.\n"
    "// Regenerate with `make types`; the Python client's tests fail while it is stale.\n"
)

# datamodel-code-generator's options, all spelled out: its defaults change between releases.
DCG_OPTIONS = [
    "--input-file-type", "openapi",
    "--output-model-type", "typing.TypedDict",
    "--target-python-version", "3.11",
    "--use-standard-collections",
    "--use-union-operator",
    "--use-schema-description",
    "--use-field-description",
    "--disable-timestamp",
    # PEP 728 `closed=True` needs typing_extensions at run time and mypy cannot read it yet.
    "--no-use-closed-typed-dict",
    # The built-in formatter: no black / isort version in the output's way.
    "--formatters", "builtin",
]  # fmt: skip

# openapi-typescript's options: also a top-level alias per schema (`export type Health = …`).
OTS_OPTIONS = ["--root-types", "--root-types-no-schema-prefix"]


class GeneratorMissing(RuntimeError):
    """A generator is not installed, or not at its pinned version."""


def pinned_dcg() -> str:
    m = re.search(r"^datamodel-code-generator==(\S+)", PY_PINS.read_text(), re.M)
    if not m:
        raise GeneratorMissing(f"{PY_PINS} pins no datamodel-code-generator==VERSION")
    return m.group(1)


def pinned_ots() -> str:
    spec = json.loads((VIEWER / "package.json").read_text())["devDependencies"]["openapi-typescript"]
    if not re.fullmatch(r"\d+\.\d+\.\d+", spec):
        raise GeneratorMissing(f"viewer/package.json: openapi-typescript '{spec}' is not an exact version")
    return spec


def python_types(openapi: Path = OPENAPI) -> str:
    """The text of openapi_types.py for `openapi`."""
    want = pinned_dcg()
    try:
        have = importlib.metadata.version("datamodel-code-generator")
    except importlib.metadata.PackageNotFoundError:
        have = None
    if have != want:
        raise GeneratorMissing(
            f"datamodel-code-generator {want} is needed (this Python has {have or 'none'}): "
            f"`make types` installs it, or {sys.executable} -m pip install -r {PY_PINS.relative_to(REPO)}"
        )
    with tempfile.TemporaryDirectory(prefix="tepat-types-") as tmp:
        out = Path(tmp) / "openapi_types.py"
        cmd = [
            sys.executable, "-m", "datamodel_code_generator",
            "--input", str(openapi), "--output", str(out),
            "--custom-file-header", PY_HEADER,
            *DCG_OPTIONS,
        ]  # fmt: skip
        run(cmd)
        return out.read_text()


def ts_types(openapi: Path = OPENAPI) -> str:
    """The text of viewer/src/generated/openapi.ts for `openapi`."""
    want = pinned_ots()
    package = VIEWER / "node_modules" / "openapi-typescript" / "package.json"
    have = json.loads(package.read_text())["version"] if package.is_file() else None
    if have != want:
        raise GeneratorMissing(
            f"openapi-typescript {want} is needed in viewer/node_modules (found {have or 'none'}): "
            "`make types` installs it (npm ci in viewer/)"
        )
    node = shutil.which("node")
    if node is None:
        raise GeneratorMissing("node (Node.js) is needed to run openapi-typescript")
    cli = package.parent / "bin" / "cli.js"
    return TS_HEADER + run([node, str(cli), str(openapi), *OTS_OPTIONS], cwd=VIEWER)


def run(cmd: list[str], cwd: Path | None = None) -> str:
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed ({p.returncode}):\n{p.stderr}{p.stdout}")
    return p.stdout


def targets(openapi: Path = OPENAPI) -> dict[Path, str]:
    """Every generated file and the text it should hold."""
    return {PY_OUT: python_types(openapi), TS_OUT: ts_types(openapi)}


def stale(path: Path, text: str) -> str | None:
    """None when `path` holds `text`, else a short diff."""
    old = path.read_text() if path.is_file() else ""
    if old == text:
        return None
    diff = difflib.unified_diff(
        old.splitlines(keepends=True),
        text.splitlines(keepends=True),
        f"{path.relative_to(REPO)} (committed)",
        f"{path.relative_to(REPO)} (from api/openapi.json)",
        n=1,
    )
    lines = list(diff)
    return "".join(lines[:60]) + (f"… {len(lines) - 60} more diff lines\n" if len(lines) > 60 else "")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 when a file is stale")
    ap.add_argument("--openapi", type=Path, default=OPENAPI)
    args = ap.parse_args()
    try:
        wanted = targets(args.openapi.resolve())
    except GeneratorMissing as e:
        print(f"gen_types: {e}", file=sys.stderr)
        return 2
    failed = False
    for path, text in wanted.items():
        name = path.relative_to(REPO)
        if args.check:
            diff = stale(path, text)
            if diff:
                failed = True
                print(f"{name} is stale: run `make types`\n{diff}", file=sys.stderr)
            else:
                print(f"{name}: current")
        elif stale(path, text):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"{name}: written")
        else:
            print(f"{name}: unchanged")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
