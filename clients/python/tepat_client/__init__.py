"""Python client of the tepat HTTP API: layers, analyses, scenarios, uploads,
recommendations and jobs, with results as pandas / GeoPandas objects.

    from tepat_client import Client
    api = Client()                       # $TEPAT_URL, $TEPAT_TOKEN
    r = api.run("aggregate", {"zones": "kelurahan", "layer": "pengaduan"})
    r.summary, r.rows, r.to_geodataframe()
"""

from . import errors
from .client import DEFAULT_URL, Client, Job, JobTimeout
from .errors import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidParams,
    NotFound,
    PayloadTooLarge,
    ServerError,
    TepatError,
    Unauthorized,
    UnknownAnalysis,
    UnknownLayer,
    UnknownScenario,
    Unprocessable,
    UnsupportedMediaType,
)
from .result import AnalysisResult, Comparison, RunRequest
from .routes import ROUTES

__all__ = [
    "DEFAULT_URL",
    "ROUTES",
    "AnalysisResult",
    "BadRequest",
    "Client",
    "Comparison",
    "Conflict",
    "Forbidden",
    "InvalidParams",
    "Job",
    "JobTimeout",
    "NotFound",
    "PayloadTooLarge",
    "RunRequest",
    "ServerError",
    "TepatError",
    "Unauthorized",
    "UnknownAnalysis",
    "UnknownLayer",
    "UnknownScenario",
    "Unprocessable",
    "UnsupportedMediaType",
    "errors",
]
