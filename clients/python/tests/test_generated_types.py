"""The generated client types match api/openapi.json: both generators of clients/gen_types.py
(datamodel-code-generator for tepat_client/openapi_types.py, openapi-typescript for
viewer/src/generated/openapi.ts) run again into a temporary directory here, and the committed
files must hold exactly their output. A stale file fails with its diff: run `make types`.
No server needed."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[3]


def _load_generator() -> ModuleType:
    path = REPO / "clients" / "gen_types.py"
    spec = importlib.util.spec_from_file_location("tepat_gen_types", path)
    assert spec is not None and spec.loader is not None, f"{path} is missing"
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


def _assert_current(path: Path, text: str) -> None:
    diff = gen.stale(path, text)
    name = path.relative_to(REPO)
    assert diff is None, f"{name} is stale relative to api/openapi.json: run `make types`\n{diff}"


def test_python_types_are_current() -> None:
    _assert_current(gen.PY_OUT, gen.python_types())


def test_typescript_types_are_current() -> None:
    _assert_current(gen.TS_OUT, gen.ts_types())


def _changed_document(tmp_path: Path) -> Path:
    """api/openapi.json with one member more in `Health`."""
    doc = json.loads(gen.OPENAPI.read_text())
    health = doc["components"]["schemas"]["Health"]
    health["properties"]["uptime_probe_s"] = {"type": "integer", "description": "Probe member."}
    path = tmp_path / "openapi.json"
    path.write_text(json.dumps(doc))
    return path


def test_a_changed_document_makes_both_files_stale(tmp_path: Path) -> None:
    # The check above can fail: a document the committed files were not made from differs.
    changed = _changed_document(tmp_path)
    py = gen.python_types(changed)
    assert "uptime_probe_s: NotRequired[int]" in py
    assert gen.stale(gen.PY_OUT, py) is not None
    ts = gen.ts_types(changed)
    assert "uptime_probe_s?: number;" in ts
    assert gen.stale(gen.TS_OUT, ts) is not None


def test_every_schema_is_a_python_type() -> None:
    from tepat_client import openapi_types, types

    schemas = json.loads(gen.OPENAPI.read_text())["components"]["schemas"]
    missing = sorted(name for name in schemas if not hasattr(openapi_types, name))
    assert not missing, f"schemas without a type in openapi_types.py: {missing}"
    assert not [name for name in schemas if not hasattr(types, name)], "types.py re-exports every schema"
    # The names the client has always used still name the same shapes.
    assert types.Envelope is openapi_types.AnalysisResult
    assert types.JobView is openapi_types.Job
    assert types.FieldInfo is openapi_types.Field
    assert types.ScenarioComparison is openapi_types.Comparison
    assert set(types.Envelope.__required_keys__) == {"analysis", "params", "summary", "rows", "meta"}


def test_every_schema_is_a_typescript_type() -> None:
    text = gen.TS_OUT.read_text()
    schemas = json.loads(gen.OPENAPI.read_text())["components"]["schemas"]
    missing = sorted(n for n in schemas if f"export type {n} = components['schemas']['{n}'];" not in text)
    assert not missing, f"schemas without a top-level type in openapi.ts: {missing}"
