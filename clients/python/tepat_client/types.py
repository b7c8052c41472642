"""The JSON shapes of the tepat API, as TypedDicts (DESIGN.md §4).

Every schema of api/openapi.json is generated into ``openapi_types`` (``make types``, never
by hand) and re-exported here, with the names this client has always used as aliases. They
describe what the server sends; the client returns plain dicts, so a field the server adds
later is still there.
"""

from __future__ import annotations

from .openapi_types import *  # noqa: F403  (every schema of the document, under its name)
from .openapi_types import AnalysisResult, Comparison, Field, Job

Envelope = AnalysisResult
"""The result envelope of every analysis run (schema ``AnalysisResult``; not to be confused
with :class:`tepat_client.AnalysisResult`, which wraps one)."""

FieldInfo = Field
"""One attribute field of a layer (schema ``Field``)."""

ScenarioComparison = Comparison
"""The answer of ``POST /compare`` and ``POST /scenarios/{id}/compare``."""

JobView = Job
"""An analysis run going on on the server, as ``GET /jobs/{id}`` shows it (schema ``Job``)."""
