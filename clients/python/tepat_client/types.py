"""The JSON shapes of the tepat API, as TypedDicts (DESIGN.md §4, contracts of the session).

They describe what the server sends; the client returns them as plain dicts so that a field
the server adds later is still there.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict


class Health(TypedDict):
    status: str
    engine_version: str
    project: str


class FieldInfo(TypedDict):
    name: str
    type: str
    nulls: int


class LayerSummary(TypedDict):
    name: str
    role: str
    features: int
    crs: str
    geometry: NotRequired[str]
    bbox: NotRequired[list[float]]
    fields: NotRequired[list[FieldInfo]]
    grid: NotRequired[list[int]]


class LayerDetail(LayerSummary):
    id_field: NotRequired[str | None]
    spec: NotRequired[dict[str, Any]]


class AnalysisInfo(TypedDict):
    name: str
    description: str
    params_schema: dict[str, Any]


class Meta(TypedDict):
    engine_version: str
    elapsed_ms: int
    layers: dict[str, str]
    row_layer: NotRequired[str]


class Envelope(TypedDict):
    """The result envelope of every analysis run."""

    analysis: str
    params: dict[str, Any]
    summary: dict[str, Any]
    rows: list[dict[str, Any]]
    meta: Meta


Edit = dict[str, Any]
"""One scenario edit: ``{"op": "add_facility" | "move_facility" | "remove_facility" |
"set_capacity" | "close_facility" | "swap_hazard" | "scale_hazard" | "buffer_hazard" |
"scale_demand" | "exclude_zones" | "set_budget", …}``."""


class StoredScenario(TypedDict):
    id: str
    name: str
    version: int
    edits: list[Edit]
    description: NotRequired[str]
    created_at: str
    updated_at: str


class ScenarioComparison(TypedDict):
    scenarios: list[dict[str, Any]]
    analyses: list[dict[str, Any]]
    elapsed_ms: int


JobStatus = Literal["queued", "running", "done", "failed"]


class JobView(TypedDict):
    job: str
    status: JobStatus
    analysis: NotRequired[str]
    progress: NotRequired[float]
    href: NotRequired[str]
    events: NotRequired[str]
    result: NotRequired[Envelope]
    error: NotRequired[dict[str, Any]]


class Recommendation(TypedDict):
    id: str
    title: str
    question: NotRequired[str | None]
    analysis: str
    params: dict[str, Any]
    scenario: NotRequired[str | None]
    scenario_version: NotRequired[int | None]
    top_n: int
    budget: NotRequired[float | None]
    notes: NotRequired[str | None]
    status: Literal["proposed", "approved", "rejected"]
    created_by: NotRequired[Any]
    created_at: str
    result: NotRequired[Envelope]
    decisions: NotRequired[list[dict[str, Any]]]
    comments: NotRequired[list[dict[str, Any]]]


class Me(TypedDict):
    role: Literal["leader", "planner", "admin", "researcher"] | None
    name: NotRequired[str | None]
