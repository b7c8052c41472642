"""Errors of the tepat API as Python exceptions.

The server answers every error with an ``application/problem+json`` body
``{type, title, status, detail}`` whose ``type`` is ``https://tepat.dev/problems/<kind>``
(api/src/problem.rs). Each kind has its own exception class, under a class per HTTP status,
so a caller can catch as broadly (``TepatError``, ``NotFound``) or as narrowly
(``UnknownLayer``) as it likes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

TYPE_BASE = "https://tepat.dev/problems/"


class TepatError(Exception):
    """A problem answered by the server (or a job that failed with one)."""

    status: int
    type: str
    title: str
    detail: str
    body: Mapping[str, Any]

    def __init__(
        self,
        status: int,
        type: str,
        title: str,
        detail: str,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.type = type
        self.title = title
        self.detail = detail
        self.body = dict(body or {})

    @property
    def kind(self) -> str:
        """The stable slug of the problem type (``unknown-layer``, ``invalid-params`` …)."""
        return self.type.removeprefix(TYPE_BASE)


# One class per status the API answers with.
class BadRequest(TepatError):
    """400: the request itself cannot be read (malformed JSON, a bad query parameter)."""


class Unauthorized(TepatError):
    """401: no token, or one the server does not know, where one is needed."""


class Forbidden(TepatError):
    """403: the token's role may not do this."""


class NotFound(TepatError):
    """404: no such layer, analysis, scenario, job, result or route."""


class MethodNotAllowed(TepatError):
    """405: the path exists, the method does not."""


class Conflict(TepatError):
    """409: a name already taken (an uploaded layer)."""


class PayloadTooLarge(TepatError):
    """413: the request body is over the server's limit."""


class UnsupportedMediaType(TepatError):
    """415: an upload in a format the server does not read."""


class Unprocessable(TepatError):
    """422: well-formed, but wrong: bad params, unknown field, invalid edit or content."""


class ServerError(TepatError):
    """5xx: the server failed."""


# One class per stable problem type (api/src/problem.rs, engine Error::kind, ScenarioError::kind).
class InvalidJson(BadRequest):
    """``invalid-json``: the body is not JSON."""


class InvalidQuery(BadRequest):
    """``invalid-query``: a query parameter cannot be understood."""


class UnknownLayer(NotFound):
    """``unknown-layer``."""


class UnknownAnalysis(NotFound):
    """``unknown-analysis``."""


class UnknownScenario(NotFound):
    """``unknown-scenario``."""


class RouteNotFound(NotFound):
    """``not-found``: no such route on this server (an API version without it)."""


class InvalidParams(Unprocessable):
    """``invalid-params``: analysis parameters the analysis refuses."""


class UnknownField(Unprocessable):
    """``unknown-field``: a field the layer does not have."""


class FieldType(Unprocessable):
    """``field-type``: a field of the wrong type."""


class EmptyLayer(Unprocessable):
    """``empty-layer``."""


class GeometryError(Unprocessable):
    """``geometry``: unusable geometry."""


class CrsError(Unprocessable):
    """``crs``: a coordinate reference system problem."""


class ParseError(Unprocessable):
    """``parse``: malformed data (an upload)."""


class ProjectError(Unprocessable):
    """``project``: an invalid project."""


class RasterLayer(Unprocessable):
    """``raster-layer``: a raster asked for vector features."""


class InvalidScenario(Unprocessable):
    """``invalid-scenario``: a scenario body of the wrong shape."""


class InvalidEdit(Unprocessable):
    """``invalid-edit``."""


class UnknownFeature(Unprocessable):
    """``unknown-feature``: an edit names a feature the layer does not have."""


class DuplicateFeature(Unprocessable):
    """``duplicate-feature``: an edit adds an id already in the layer."""


class ScenarioWrongRole(Unprocessable):
    """``scenario-wrong-role``: an edit names a layer of the wrong role."""


class InvalidCompare(Unprocessable):
    """``invalid-compare``: a comparison body of the wrong shape."""


class UnsupportedFormat(UnsupportedMediaType):
    """``unsupported-format``."""


class UnknownJob(NotFound):
    """``unknown-job``: no such job (finished jobs are forgotten after an hour)."""


class UnknownRecommendation(NotFound):
    """``unknown-recommendation``."""


class InvalidRecommendation(Unprocessable):
    """``invalid-recommendation``: a recommendation body of the wrong shape."""


class InvalidDecision(Unprocessable):
    """``invalid-decision``."""


class InvalidComment(Unprocessable):
    """``invalid-comment``."""


class AlreadyDecided(Conflict):
    """``already-decided``: the recommendation's decision cannot be changed."""


class InvalidMultipart(BadRequest):
    """``invalid-multipart``: an upload body that is not readable multipart/form-data."""


class InvalidUpload(Unprocessable):
    """``invalid-upload``: an upload missing a part, or with a bad one."""


class InvalidLayerName(Unprocessable):
    """``invalid-layer-name``: not ``^[a-z][a-z0-9_]{0,62}$``."""


class InvalidCoordinates(Unprocessable):
    """``invalid-coordinates``: coordinates that are not longitude/latitude once transformed."""


class OutsideProjectArea(Unprocessable):
    """``outside-project-area``: an upload far from the project's area."""


class LayerExists(Conflict):
    """``layer-exists``: the name is taken."""


class LayerNotUploaded(Conflict):
    """``layer-not-uploaded``: a project layer, which cannot be deleted over HTTP."""


class TooManyJobs(ServerError):
    """``too-many-jobs`` (503): every job slot is taken by an unfinished job."""


BY_STATUS: dict[int, type[TepatError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: Unprocessable,
}

BY_KIND: dict[str, type[TepatError]] = {
    "invalid-json": InvalidJson,
    "invalid-query": InvalidQuery,
    "unauthorized": Unauthorized,
    "forbidden": Forbidden,
    "unknown-layer": UnknownLayer,
    "unknown-analysis": UnknownAnalysis,
    "unknown-scenario": UnknownScenario,
    "not-found": RouteNotFound,
    "method-not-allowed": MethodNotAllowed,
    "payload-too-large": PayloadTooLarge,
    "invalid-params": InvalidParams,
    "unknown-field": UnknownField,
    "field-type": FieldType,
    "empty-layer": EmptyLayer,
    "geometry": GeometryError,
    "crs": CrsError,
    "parse": ParseError,
    "project": ProjectError,
    "raster-layer": RasterLayer,
    "invalid-scenario": InvalidScenario,
    "invalid-edit": InvalidEdit,
    "unknown-feature": UnknownFeature,
    "duplicate-feature": DuplicateFeature,
    "scenario-wrong-role": ScenarioWrongRole,
    "invalid-compare": InvalidCompare,
    "unsupported-format": UnsupportedFormat,
    "unknown-job": UnknownJob,
    "unknown-recommendation": UnknownRecommendation,
    "invalid-recommendation": InvalidRecommendation,
    "invalid-decision": InvalidDecision,
    "invalid-comment": InvalidComment,
    "already-decided": AlreadyDecided,
    "too-many-jobs": TooManyJobs,
    "invalid-multipart": InvalidMultipart,
    "invalid-upload": InvalidUpload,
    "invalid-layer-name": InvalidLayerName,
    "invalid-coordinates": InvalidCoordinates,
    "outside-project-area": OutsideProjectArea,
    "layer-exists": LayerExists,
    "layer-not-uploaded": LayerNotUploaded,
    "unsupported-media-type": UnsupportedMediaType,
}


def error_class(status: int, kind: str) -> type[TepatError]:
    """The most specific class for a problem: by its kind when known and consistent with the
    status, else by status."""
    by_status = ServerError if status >= 500 else BY_STATUS.get(status, TepatError)
    cls = BY_KIND.get(kind)
    if cls is not None and issubclass(cls, by_status):
        return cls
    return by_status


def from_problem(problem: Mapping[str, Any], status: int | None = None) -> TepatError:
    """An exception for a problem+json body (``status`` overrides the body's when given)."""
    code = int(status if status is not None else problem.get("status", 500))
    type_uri = str(problem.get("type", "about:blank"))
    kind = type_uri.removeprefix(TYPE_BASE)
    title = str(problem.get("title", "Error"))
    detail = str(problem.get("detail", ""))
    return error_class(code, kind)(code, type_uri, title, detail, problem)
