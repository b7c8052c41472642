"""What an analysis run gives back: the envelope, as pandas / GeoPandas objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from .types import Envelope

if TYPE_CHECKING:
    import geopandas as gpd

    from .client import Client


def rows_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame in the order the server sent them: the engine's id order (ids
    compare as numbers when both are integers, so "2" before "10", else as text). Not
    re-sorted here: a text sort would put "10" before "2"."""
    if not rows:
        return pd.DataFrame({"id": pd.Series([], dtype=str)})
    return pd.DataFrame.from_records(list(rows))


@dataclass(frozen=True)
class RunRequest:
    """How a result was asked for, so the same run can be asked again in another format."""

    analysis: str
    params: Any
    scenario: str | None = None
    version: int | None = None


@dataclass
class AnalysisResult:
    """One analysis result envelope (DESIGN.md §4)."""

    envelope: Envelope
    key: str | None = None
    """The server's result key (``x-tepat-result``), when it sent one."""
    cache: str | None = None
    """``hit`` or ``miss`` (``x-tepat-cache``), when the server said."""
    request: RunRequest | None = None
    client: Client | None = field(default=None, repr=False)

    @property
    def analysis(self) -> str:
        return self.envelope["analysis"]

    @property
    def params(self) -> dict[str, Any]:
        """The params as the server resolved them (defaults filled in)."""
        return self.envelope["params"]

    @property
    def summary(self) -> dict[str, Any]:
        return self.envelope["summary"]

    @property
    def meta(self) -> dict[str, Any]:
        return dict(self.envelope["meta"])

    @property
    def row_layer(self) -> str | None:
        """The layer whose features the rows are keyed by, when the server names it."""
        return self.envelope["meta"].get("row_layer")

    @property
    def rows(self) -> pd.DataFrame:
        """The rows, one per feature, in the engine's order (by id, numerically for integer ids)."""
        return rows_frame(self.envelope["rows"])

    def to_geodataframe(self, via: str | None = None) -> gpd.GeoDataFrame:
        """The rows joined to their features' geometry, in EPSG:4326, in the rows' order.

        ``via="geojson"`` asks the server for the same run as GeoJSON (the server joins the
        rows to the zones of the run's own project, scenario edits included); ``via="features"``
        joins the rows here to ``GET /layers/{row_layer}/features`` (the baseline's
        geometry). The default is GeoJSON when this result knows how it was asked for,
        else the features.
        """
        if self.client is None:
            raise ValueError("this result has no client to fetch geometry with")
        if via is None:
            via = "geojson" if self.request is not None else "features"
        if via == "geojson":
            if self.request is None:
                raise ValueError("this result does not know its request; use via='features'")
            return self.client.run_geojson(
                self.request.analysis,
                self.request.params,
                scenario=self.request.scenario,
                version=self.request.version,
            )
        if via == "features":
            layer = self.row_layer
            if layer is None:
                raise ValueError(
                    f"the '{self.analysis}' result names no row layer (meta.row_layer) to join to"
                )
            return self.client.join_rows(self.rows, layer)
        raise ValueError(f"via: '{via}' is not one of geojson, features")


@dataclass
class Comparison:
    """A comparison of scenarios with the baseline (``POST /compare``, ``/scenarios/{id}/compare``)."""

    raw: dict[str, Any]

    @property
    def analyses(self) -> list[str]:
        return [a["analysis"] for a in self.raw["analyses"]]

    @property
    def scenario_names(self) -> list[str]:
        return [s["name"] for s in self.raw["scenarios"]]

    def _analysis(self, name: str) -> dict[str, Any]:
        for a in self.raw["analyses"]:
            if a["analysis"] == name:
                return a
        raise KeyError(f"no analysis '{name}' in this comparison (has: {', '.join(self.analyses)})")

    def baseline(self, name: str) -> AnalysisResult:
        """The baseline run of analysis ``name``."""
        return AnalysisResult(envelope=self._analysis(name)["baseline"])

    def scenario(self, name: str, index: int = 0) -> dict[str, Any]:
        """Scenario ``index``'s run of analysis ``name``: summary, summary_delta, rows, sentences."""
        return self._analysis(name)["scenarios"][index]

    def rows(self, name: str, index: int = 0) -> pd.DataFrame:
        """Scenario ``index``'s rows of analysis ``name`` with their ``*_delta`` columns, in the
        engine's order."""
        return rows_frame(self.scenario(name, index)["rows"])

    def sentences(self, name: str, index: int = 0) -> list[str]:
        """What changed, in words."""
        return list(self.scenario(name, index).get("sentences", []))

    def summary_table(self, name: str) -> pd.DataFrame:
        """Numeric summary values: baseline, each scenario, and each scenario's delta."""
        base = self._analysis(name)["baseline"]["summary"]
        table: dict[str, dict[str, Any]] = {"baseline": {k: v for k, v in base.items() if _is_number(v)}}
        for s in self._analysis(name)["scenarios"]:
            label = s.get("scenario", "scenario")
            table[label] = {k: v for k, v in s["summary"].items() if _is_number(v)}
            table[f"{label} Δ"] = {k: v for k, v in s.get("summary_delta", {}).items() if _is_number(v)}
        return pd.DataFrame(table)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)
