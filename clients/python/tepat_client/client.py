"""A typed client of the tepat HTTP API (``/api/v1``)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import quote

import pandas as pd
import requests

from .errors import TepatError, from_problem
from .result import AnalysisResult, Comparison, RunRequest
from .routes import API_PREFIX, ROUTES
from .types import (
    AnalysisInfo,
    Edit,
    Envelope,
    Health,
    JobView,
    LayerDetail,
    LayerSummary,
    Me,
    Recommendation,
    StoredScenario,
)

DEFAULT_URL = "http://127.0.0.1:8080"

_UNSET: Any = object()


class JobTimeout(TimeoutError):
    """A job still unfinished when the client stopped waiting for it."""


@dataclass
class Job:
    """An analysis run going on on the server (a ``202 Accepted``)."""

    id: str
    view: JobView
    client: Client = field(repr=False)
    request: RunRequest | None = field(default=None, repr=False)

    @property
    def status(self) -> str:
        return self.view["status"]

    def refresh(self) -> JobView:
        """Asks the server where the job is now."""
        self.view = cast(JobView, self.client._json("GET", "/jobs/{id}", id=self.id))
        return self.view

    def wait(self, timeout: float | None = None, poll: float | None = None) -> AnalysisResult:
        """Polls until the job is done (its result) or failed (its problem, raised)."""
        timeout = self.client.job_timeout if timeout is None else timeout
        delay = self.client.poll_interval if poll is None else poll
        deadline = time.monotonic() + timeout
        while self.view["status"] not in ("done", "failed"):
            if time.monotonic() > deadline:
                raise JobTimeout(f"job {self.id} still {self.view['status']} after {timeout} s")
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)
            self.refresh()
        if self.view["status"] == "failed":
            raise from_problem(self.view.get("error") or {"title": "Job failed", "detail": self.id})
        result = self.view.get("result")
        if result is None:
            raise TepatError(
                500, "about:blank", "Job without result", f"job {self.id} is done but has no result"
            )
        return AnalysisResult(envelope=result, request=self.request, client=self.client)


class Client:
    """The tepat API at ``url`` (default ``$TEPAT_URL``, else http://127.0.0.1:8080), with
    the bearer ``token`` (default ``$TEPAT_TOKEN``; reads need none unless the server is
    private)."""

    def __init__(
        self,
        url: str | None = None,
        token: str | None = _UNSET,
        *,
        timeout: float = 120.0,
        job_timeout: float = 600.0,
        poll_interval: float = 0.1,
        session: requests.Session | None = None,
    ) -> None:
        self.url = (url or os.environ.get("TEPAT_URL") or DEFAULT_URL).rstrip("/")
        self.token: str | None = (os.environ.get("TEPAT_TOKEN") or None) if token is _UNSET else token
        self.timeout = timeout
        self.job_timeout = job_timeout
        self.poll_interval = poll_interval
        self.session = session or requests.Session()

    def __repr__(self) -> str:
        return f"Client({self.url!r}, token={'set' if self.token else 'none'})"

    def with_token(self, token: str | None) -> Client:
        """The same server with another token (None: anonymous)."""
        return Client(
            self.url,
            token,
            timeout=self.timeout,
            job_timeout=self.job_timeout,
            poll_interval=self.poll_interval,
            session=self.session,
        )

    # -- transport ---------------------------------------------------------------------

    def _request(
        self,
        method: str,
        route: str,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = _UNSET,
        files: Any = None,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        **path: str,
    ) -> requests.Response:
        if (method, route) not in ROUTES:
            raise ValueError(f"{method} {route} is not a route of the client (routes.py)")
        url = self.url + API_PREFIX + route.format(**{k: quote(str(v), safe="") for k, v in path.items()})
        h = dict(headers or {})
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        kwargs: dict[str, Any] = {"headers": h, "timeout": self.timeout}
        if query:
            kwargs["params"] = {k: v for k, v in query.items() if v is not None}
        if body is not _UNSET:
            h["Content-Type"] = "application/json"
            kwargs["data"] = b"" if body is None else json.dumps(body).encode()
        if files is not None:
            kwargs["files"] = files
        if data is not None:
            kwargs["data"] = data
        r = self.session.request(method, url, **kwargs)
        if r.status_code >= 400:
            raise _problem(r)
        return r

    def _json(self, method: str, route: str, **kw: Any) -> Any:
        return self._request(method, route, **kw).json()

    # -- reading -----------------------------------------------------------------------

    def health(self) -> Health:
        return cast(Health, self._json("GET", "/health"))

    def me(self) -> Me:
        """Whose token this is: ``{"role", "name"}`` (role None without a token)."""
        return cast(Me, self._json("GET", "/me"))

    def layers(self) -> list[LayerSummary]:
        return cast(list[LayerSummary], self._json("GET", "/layers"))

    def layers_frame(self) -> pd.DataFrame:
        """The layers as a table: name, role, geometry, features, crs."""
        rows = [
            {k: layer.get(k) for k in ("name", "role", "geometry", "features", "crs")}
            for layer in self.layers()
        ]
        return pd.DataFrame(rows)

    def layer(self, name: str) -> LayerDetail:
        return cast(LayerDetail, self._json("GET", "/layers/{name}", name=name))

    def features(
        self,
        name: str,
        *,
        bbox: Sequence[float] | None = None,
        limit: int | None = None,
        properties: Iterable[str] | None = None,
    ) -> Any:
        """The layer's features as a GeoDataFrame in EPSG:4326, indexed by feature id
        (index name ``fid``). ``bbox`` is (minlon, minlat, maxlon, maxlat)."""
        import geopandas as gpd

        query = {
            "bbox": ",".join(str(float(v)) for v in bbox) if bbox is not None else None,
            "limit": limit,
            "properties": ",".join(properties) if properties is not None else None,
        }
        fc = self._json("GET", "/layers/{name}/features", name=name, query=query)
        return _features_frame(gpd, fc["features"])

    def analyses(self) -> list[AnalysisInfo]:
        return cast(list[AnalysisInfo], self._json("GET", "/analyses"))

    def analysis(self, name: str) -> AnalysisInfo:
        """One analysis' description and params schema."""
        for a in self.analyses():
            if a["name"] == name:
                return a
        raise KeyError(f"the server has no analysis '{name}'")

    def openapi(self) -> dict[str, Any]:
        return cast(dict[str, Any], self._json("GET", "/openapi.json"))

    def audit(self, limit: int | None = None) -> list[dict[str, Any]]:
        return cast(list[dict[str, Any]], self._json("GET", "/audit", query={"limit": limit}))

    # -- running analyses --------------------------------------------------------------

    def run(
        self,
        analysis: str,
        params: Mapping[str, Any] | None = None,
        *,
        scenario: str | None = None,
        version: int | None = None,
        prefer_async: bool = False,
        wait: bool = True,
    ) -> AnalysisResult:
        """Runs ``analysis`` with ``params`` (None: its defaults) on the baseline or on a
        stored scenario. A ``202`` (asked for with ``prefer_async``, or a long run) is
        followed to the job's end unless ``wait=False`` — then use :meth:`submit`."""
        out = self._run(analysis, params, scenario, version, prefer_async)
        if isinstance(out, Job):
            if not wait:
                raise ValueError("run(wait=False) cannot return a result; use submit()")
            return out.wait()
        return out

    def submit(
        self,
        analysis: str,
        params: Mapping[str, Any] | None = None,
        *,
        scenario: str | None = None,
        version: int | None = None,
    ) -> Job | AnalysisResult:
        """Asks for the run as a job (``Prefer: respond-async``). The server may still answer
        at once (a cached result): then the result comes back instead of a job."""
        return self._run(analysis, params, scenario, version, True)

    def _run(
        self,
        analysis: str,
        params: Mapping[str, Any] | None,
        scenario: str | None,
        version: int | None,
        prefer_async: bool,
    ) -> Job | AnalysisResult:
        request = RunRequest(analysis, params, scenario, version)
        r = self._request(
            "POST",
            "/analyses/{name}",
            name=analysis,
            query={"scenario": scenario, "version": version},
            body=None if params is None else dict(params),
            headers={"Prefer": "respond-async"} if prefer_async else None,
        )
        if r.status_code == 202:
            view = cast(JobView, r.json())
            return Job(id=view["job"], view=view, client=self, request=request)
        return AnalysisResult(
            envelope=cast(Envelope, r.json()),
            key=r.headers.get("x-tepat-result"),
            cache=r.headers.get("x-tepat-cache"),
            request=request,
            client=self,
        )

    def job(self, job_id: str) -> Job:
        view = cast(JobView, self._json("GET", "/jobs/{id}", id=job_id))
        return Job(id=job_id, view=view, client=self)

    def result(self, key: str) -> AnalysisResult:
        """A cached result envelope by its key (``x-tepat-result``)."""
        envelope = cast(Envelope, self._json("GET", "/results/{key}", key=key))
        return AnalysisResult(envelope=envelope, key=key, client=self)

    def run_geojson(
        self,
        analysis: str,
        params: Mapping[str, Any] | None = None,
        *,
        scenario: str | None = None,
        version: int | None = None,
    ) -> Any:
        """The run as GeoJSON (rows joined by the server to their zones, EPSG:4326), as a
        GeoDataFrame in the rows' order; rows without geometry (e.g. generated sites) keep None."""
        import geopandas as gpd

        r = self._request(
            "POST",
            "/analyses/{name}",
            name=analysis,
            query={"format": "geojson", "scenario": scenario, "version": version},
            body=None if params is None else dict(params),
        )
        if r.status_code == 202:
            # The work outlasted the sync timeout: follow the job, then ask again (cached).
            Job(id=r.json()["job"], view=r.json(), client=self).wait()
            return self.run_geojson(analysis, params, scenario=scenario, version=version)
        # The features come in the rows' order (the engine's id order): kept as sent.
        return _features_frame(gpd, r.json()["features"]).reset_index(drop=True)

    def join_rows(self, rows: pd.DataFrame, layer: str) -> Any:
        """``rows`` joined on ``id`` to the geometry of ``layer``'s features."""
        import geopandas as gpd

        features = self.features(layer, properties=[])
        geometry = features.geometry.reindex(rows["id"].astype(str).values)
        return gpd.GeoDataFrame(rows.copy(), geometry=geometry.values, crs="EPSG:4326")

    # -- scenarios ---------------------------------------------------------------------

    def scenarios(self) -> list[StoredScenario]:
        return cast(list[StoredScenario], self._json("GET", "/scenarios"))

    def scenario(self, scenario_id: str, version: int | None = None) -> StoredScenario:
        return cast(
            StoredScenario,
            self._json("GET", "/scenarios/{id}", id=scenario_id, query={"version": version}),
        )

    def create_scenario(
        self, name: str, edits: Sequence[Edit] = (), description: str | None = None
    ) -> StoredScenario:
        body: dict[str, Any] = {"name": name, "edits": list(edits)}
        if description is not None:
            body["description"] = description
        return cast(StoredScenario, self._json("POST", "/scenarios", body=body))

    def replace_scenario(
        self, scenario_id: str, name: str, edits: Sequence[Edit] = (), description: str | None = None
    ) -> StoredScenario:
        """The whole scenario replaced (a new version)."""
        body: dict[str, Any] = {"name": name, "edits": list(edits)}
        if description is not None:
            body["description"] = description
        return cast(StoredScenario, self._json("PUT", "/scenarios/{id}", id=scenario_id, body=body))

    def add_edits(self, scenario_id: str, edits: Edit | Sequence[Edit]) -> StoredScenario:
        """One edit or several appended (a new version)."""
        body = edits if isinstance(edits, Mapping) else list(edits)
        return cast(StoredScenario, self._json("POST", "/scenarios/{id}/edits", id=scenario_id, body=body))

    def delete_scenario(self, scenario_id: str) -> None:
        self._request("DELETE", "/scenarios/{id}", id=scenario_id)

    def compare_scenario(
        self, scenario_id: str, analyses: Sequence[str | Mapping[str, Any]] | None = None
    ) -> Comparison:
        """The scenario against the baseline. ``analyses``: names (default params) or
        ``{"name", "params"}``; default exposure, access and index."""
        body = {} if analyses is None else {"analyses": [_analysis_item(a) for a in analyses]}
        return Comparison(self._json("POST", "/scenarios/{id}/compare", id=scenario_id, body=body))

    def compare(
        self,
        scenarios: Sequence[str | tuple[str, int]],
        analyses: Sequence[str | Mapping[str, Any]] | None = None,
    ) -> Comparison:
        """1 to 5 stored scenarios (ids, or (id, version)) against the baseline."""
        refs = [s if isinstance(s, str) else {"id": s[0], "version": s[1]} for s in scenarios]
        body: dict[str, Any] = {"scenarios": refs}
        if analyses is not None:
            body["analyses"] = [_analysis_item(a) for a in analyses]
        return Comparison(self._json("POST", "/compare", body=body))

    # -- uploads -----------------------------------------------------------------------

    def upload_layer(
        self,
        name: str,
        file: str | os.PathLike[str] | bytes | IO[bytes],
        *,
        filename: str | None = None,
        role: str | None = None,
        id_field: str | None = None,
        layer: str | None = None,
        x: str | None = None,
        y: str | None = None,
        crs: str | None = None,
        kind: str | None = None,
        capacity: str | None = None,
        population: str | None = None,
        level: str | None = None,
        time: str | None = None,
        category: str | None = None,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Uploads a layer (GeoJSON, GeoPackage, zipped Shapefile or CSV; admin token): a
        path, an open binary file, or bytes with ``filename``. The format is told by the
        file name. ``role`` is one of the project's roles (zones, facilities, hazard, demand,
        events, network, table, context); ``id_field``, ``kind``, ``capacity``, ``population``,
        ``level``, ``time``, ``category``, ``key`` name the file's fields as a ``tepat.toml``
        layer entry does; ``layer`` picks a GeoPackage layer, ``x``/``y`` a CSV's point columns.
        Returns the layer detail plus its integrity report."""
        fields = {
            "name": name,
            "role": role,
            "id_field": id_field,
            "layer": layer,
            "x": x,
            "y": y,
            "crs": crs,
            "kind": kind,
            "capacity": capacity,
            "population": population,
            "level": level,
            "time": time,
            "category": category,
            "key": key,
        }
        data = {k: v for k, v in fields.items() if v is not None}
        if isinstance(file, (bytes, bytearray)):
            if filename is None:
                raise ValueError("upload_layer: give `filename` with bytes (its extension tells the format)")
            files = {"file": (filename, bytes(file))}
        elif isinstance(file, (str, os.PathLike)):
            path = Path(file)
            with path.open("rb") as fh:
                files = {"file": (filename or path.name, fh.read())}
        else:
            files = {"file": (filename or Path(getattr(file, "name", "upload")).name, file.read())}
        return cast(dict[str, Any], self._json("POST", "/layers", files=files, data=data))

    def delete_layer(self, name: str) -> None:
        """Removes an uploaded layer (admin token)."""
        self._request("DELETE", "/layers/{name}", name=name)

    # -- recommendations ---------------------------------------------------------------

    def recommend(
        self,
        title: str,
        analysis: str,
        params: Mapping[str, Any],
        *,
        question: str | None = None,
        scenario: str | None = None,
        top_n: int | None = None,
        budget: float | None = None,
        notes: str | None = None,
    ) -> Recommendation:
        """Runs ``analysis`` and stores the result as a recommendation (planner or admin)."""
        body: dict[str, Any] = {"title": title, "analysis": analysis, "params": dict(params)}
        extra = {"question": question, "scenario": scenario, "top_n": top_n, "budget": budget, "notes": notes}
        body.update({k: v for k, v in extra.items() if v is not None})
        return cast(Recommendation, self._json("POST", "/recommendations", body=body))

    def recommendations(self, status: str | None = None) -> list[Recommendation]:
        return cast(list[Recommendation], self._json("GET", "/recommendations", query={"status": status}))

    def recommendation(self, rec_id: str) -> Recommendation:
        return cast(Recommendation, self._json("GET", "/recommendations/{id}", id=rec_id))

    def decide(self, rec_id: str, decision: str, comment: str | None = None) -> Recommendation:
        """``approve`` or ``reject`` (leader or admin)."""
        body: dict[str, Any] = {"decision": decision}
        if comment is not None:
            body["comment"] = comment
        return cast(
            Recommendation, self._json("POST", "/recommendations/{id}/decision", id=rec_id, body=body)
        )

    def comment(self, rec_id: str, text: str) -> dict[str, Any]:
        return cast(
            dict[str, Any],
            self._json("POST", "/recommendations/{id}/comments", id=rec_id, body={"text": text}),
        )

    # -- what this server offers -------------------------------------------------------

    def supports(self, method: str, route: str) -> bool:
        """Whether the server has ``method route`` (below /api/v1): yes when its OpenAPI
        document lists it; otherwise (no document, or one that leaves the route out) the
        server is asked by probing the route with an empty request."""
        try:
            doc = self.openapi()
        except TepatError as e:
            if e.status != 404:
                raise
            doc = {}
        paths = doc.get("paths", {})
        item = paths.get(API_PREFIX + route) or paths.get(route) or {}
        return method.lower() in item or self._probe(method, route)

    def _probe(self, method: str, route: str) -> bool:
        # An unknown route is a 404 `not-found`, a known path without the method a 405.
        # The token is checked before the method, so a 401 / 403 tells nothing: raised, and
        # the caller needs a token of a role that may make the call. Anything else (a 422
        # for the empty body …) means the route is there.
        url = self.url + API_PREFIX + route.replace("{", "").replace("}", "")
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        r = self.session.request(method, url, headers=h, timeout=self.timeout)
        if r.status_code in (401, 403):
            raise _problem(r)
        if r.status_code == 405:
            return False
        if r.status_code == 404:
            return _problem(r).kind != "not-found"
        return True


def _problem(r: requests.Response) -> TepatError:
    try:
        body = r.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "type" in body:
        return from_problem(body, r.status_code)
    text = r.text.strip()[:500]
    return from_problem({"title": r.reason or "Error", "detail": text}, r.status_code)


def _analysis_item(a: str | Mapping[str, Any]) -> Any:
    return a if isinstance(a, str) else dict(a)


def _features_frame(gpd: Any, features: list[dict[str, Any]]) -> Any:
    from shapely.geometry import shape

    geoms = [shape(f["geometry"]) if f.get("geometry") else None for f in features]
    props = pd.DataFrame.from_records(
        [f.get("properties") or {} for f in features], index=range(len(features))
    )
    gdf = gpd.GeoDataFrame(props, geometry=geoms, crs="EPSG:4326")
    gdf.index = pd.Index([str(f.get("id", i)) for i, f in enumerate(features)], name="fid")
    return gdf
