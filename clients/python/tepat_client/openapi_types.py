# Generated from api/openapi.json by clients/gen_types.py (datamodel-code-generator):
# do not edit. Regenerate with `make types`; the client's tests fail while it is stale.
"""The JSON shapes of the tepat HTTP API, one TypedDict (or alias) per schema of the
OpenAPI document. Import them from `tepat_client.types`."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypeAlias, TypedDict


class AnalysisRequest(TypedDict):
    """
    One analysis to run in a comparison.
    """

    name: str
    """
    Registered analysis name.
    """
    params: NotRequired[Any]
    """
    Its params (as for `POST /analyses/{name}`).
    """


class AuditEntry(TypedDict):
    """
    One audit log entry.
    """

    action: str
    """
    What was done (`scenario.create`, …).
    """
    actor: NotRequired[str | None]
    """
    Token (hash prefix), or null for the command line.
    """
    at: str
    """
    When.
    """
    detail: Any
    """
    The data and params it was based on.
    """
    id: int
    """
    Sequence number.
    """
    role: NotRequired[str | None]
    """
    Its role.
    """
    target: NotRequired[str | None]
    """
    What it was done to (a scenario id).
    """


Better: TypeAlias = Literal['higher', 'lower', 'neutral']
"""
Which way is good news.
"""


class Budget(TypedDict):
    """
    A scenario's budget.
    """

    amount: float
    """
    Amount.
    """
    currency: str
    """
    Currency (IDR unless given).
    """


ClustersMethod: TypeAlias = Literal['kmeans', 'dbscan', 'skater']
"""
Which clustering.
"""


class ColumnFrom(TypedDict):
    """
    A numeric column of another analysis' result, used as an indicator.
    """

    analysis: str
    """
    The analysis to run (e.g. `index`).
    """
    params: NotRequired[Any]
    """
    Its params.
    """
    field: str
    """
    The numeric column of its rows (e.g. `score`).
    """
    name: NotRequired[str | None]
    """
    Name of the indicator in the result (default `analysis.field`).
    """


class Comment(TypedDict):
    """
    One comment.
    """

    at: str
    """
    When.
    """
    by: NotRequired[str | None]
    """
    Token (hash prefix).
    """
    role: NotRequired[str | None]
    """
    Its role.
    """
    text: str
    """
    The text.
    """


class CommentRequest(TypedDict):
    """
    Body of `POST /recommendations/{id}/comments`.
    """

    text: str
    """
    The comment.
    """


class CostTable(TypedDict):
    """
    An origin–destination cost table computed elsewhere (road network, travel time).
    """

    layer: str
    """
    The table layer.
    """
    origin: str
    """
    Field holding demand ids.
    """
    destination: str
    """
    Field holding facility ids.
    """
    cost: str
    """
    Numeric cost field (its unit is the unit of `radius_m`, `nearest_m` and the weights).
    """


Direction: TypeAlias = Literal['higher_is_worse', 'higher_is_better']
"""
Which way an indicator points.
"""


class Edit1(TypedDict):
    """
    A new facility.
    """

    op: Literal['add_facility']
    layer: str
    """
    The facility layer.
    """
    id: str
    """
    Its id (must be new in the layer).
    """
    lon: NotRequired[float | None]
    """
    Longitude (EPSG:4326).
    """
    lat: NotRequired[float | None]
    """
    Latitude (EPSG:4326).
    """
    x: NotRequired[float | None]
    """
    X in the working CRS.
    """
    y: NotRequired[float | None]
    """
    Y in the working CRS.
    """
    kind: NotRequired[str | None]
    """
    Kind (written to the layer's `kind` field).
    """
    capacity: NotRequired[float | None]
    """
    Capacity (written to the layer's `capacity` field).
    """
    cost: NotRequired[float | None]
    """
    What building it costs; counts against the scenario's budget.
    """
    attributes: NotRequired[dict[str, Any]]
    """
    Other fields of the layer, by name (unknown fields are an error).
    """


class Edit2(TypedDict):
    """
    A facility moved to another site.
    """

    op: Literal['move_facility']
    layer: str
    """
    The facility layer.
    """
    id: str
    """
    The facility's id.
    """
    lon: NotRequired[float | None]
    """
    Longitude (EPSG:4326).
    """
    lat: NotRequired[float | None]
    """
    Latitude (EPSG:4326).
    """
    x: NotRequired[float | None]
    """
    X in the working CRS.
    """
    y: NotRequired[float | None]
    """
    Y in the working CRS.
    """


class Edit3(TypedDict):
    """
    A facility taken out of the data (demolished, never built).
    """

    op: Literal['remove_facility']
    layer: str
    """
    The facility layer.
    """
    id: str
    """
    The facility's id.
    """


class Edit4(TypedDict):
    """
    A facility's capacity changed.
    """

    op: Literal['set_capacity']
    layer: str
    """
    The facility layer.
    """
    id: str
    """
    The facility's id.
    """
    capacity: float
    """
    The new capacity.
    """
    field: NotRequired[str | None]
    """
    Field to write (default: the layer's `capacity` in the project file).
    """


class Edit5(TypedDict):
    """
    A facility closed: it stays in the record but serves no one, so analyses do not see it.
    """

    op: Literal['close_facility']
    layer: str
    """
    The facility layer.
    """
    id: str
    """
    The facility's id.
    """


class Edit6(TypedDict):
    """
    Analyses that name hazard `layer` see hazard `to` instead (e.g. Q25 → Q100 flood).
    """

    op: Literal['swap_hazard']
    layer: str
    """
    The hazard layer analyses name.
    """
    to: str
    """
    The loaded hazard layer that takes its place.
    """


class Edit7(TypedDict):
    """
    Every polygon of a hazard scaled about the centre of its bounding box.
    """

    op: Literal['scale_hazard']
    layer: str
    """
    The hazard layer.
    """
    factor: float
    """
    Linear factor (> 0; 1.1 grows each polygon's width by 10 %, its area by 21 %).
    """


class Edit8(TypedDict):
    """
    Every polygon of a hazard grown (or, negative, shrunk) by a distance.
    """

    op: Literal['buffer_hazard']
    layer: str
    """
    The hazard layer.
    """
    distance_m: float
    """
    Distance in metres (the working CRS' unit).
    """


class Edit9(TypedDict):
    """
    Population growth: a count field multiplied by a factor, city-wide or in some zones.
    """

    op: Literal['scale_demand']
    layer: str
    """
    The zones or demand layer holding the count.
    """
    factor: float
    """
    Factor (≥ 0; 1.05 = 5 % growth).
    """
    field: NotRequired[str | None]
    """
    Count field (default: the layer's `population` in the project file).
    """
    ids: NotRequired[list[str] | None]
    """
    Only these features (ids of `layer`); all without.
    """


class Edit10(TypedDict):
    """
    Zones left out of every analysis (e.g. a kelurahan another programme already serves).
    """

    op: Literal['exclude_zones']
    layer: str
    """
    The zone layer.
    """
    ids: list[str]
    """
    Ids of the zones to leave out.
    """


class Edit11(TypedDict):
    """
    The money the scenario may spend; the last one wins.
    """

    op: Literal['set_budget']
    amount: float
    """
    Amount, in `currency`.
    """
    currency: NotRequired[str | None]
    """
    Currency (default IDR).
    """


Edit: TypeAlias = (
    Edit1
    | Edit2
    | Edit3
    | Edit4
    | Edit5
    | Edit6
    | Edit7
    | Edit8
    | Edit9
    | Edit10
    | Edit11
)
"""
One change to the baseline. Positions are `lon`/`lat` (EPSG:4326, what a map click
gives) or `x`/`y` in the project's working CRS; exactly one pair.
"""


Edits: TypeAlias = Edit | list[Edit]
"""
Body of `POST /scenarios/{id}/edits`: one edit or a list of them.
"""


class Feature(TypedDict):
    """
    A GeoJSON Feature in EPSG:4326 (RFC 7946).
    """

    geometry: NotRequired[dict[str, Any] | None]
    """
    GeoJSON geometry, or null.
    """
    id: Any
    """
    The feature id (row index or the layer's id field).
    """
    properties: NotRequired[dict[str, Any] | None]
    """
    The feature's fields.
    """
    type: str
    """
    `Feature`.
    """


class FeatureCollection(TypedDict):
    """
    A GeoJSON FeatureCollection in EPSG:4326, with OGC API Features' counts.
    """

    bbox: NotRequired[list[float]]
    """
    `[minlon, minlat, maxlon, maxlat]` of the features.
    """
    features: list[Feature]
    """
    The features.
    """
    numberMatched: NotRequired[int]
    """
    Features that matched before `limit`.
    """
    numberReturned: NotRequired[int]
    """
    Features in this answer.
    """
    type: str
    """
    `FeatureCollection`.
    """


FieldType: TypeAlias = Literal['int', 'float', 'text', 'bool']
"""
The type of an attribute column.
"""


class Filter(TypedDict):
    """
    Keep only features whose field value is one of `values` (compared as text).
    """

    field: str
    """
    Field to test.
    """
    values: list[str]
    """
    Accepted values.
    """


class FromAnalysis(TypedDict):
    """
    A numeric column of another analysis' rows, keyed by the layer's ids.
    """

    analysis: str
    """
    The analysis to run (e.g. `index`, `exposure`).
    """
    params: NotRequired[Any]
    """
    Its params.
    """
    field: str
    """
    The numeric column of its rows.
    """


GeometryKind: TypeAlias = Literal['point', 'line', 'polygon', 'collection']
"""
The dimension class of a geometry (multi and single parts are the same kind).
"""


class GravityParams(TypedDict):
    """
    Gravity weight `(max(cost, min_cost) / scale)^alpha` (PySAL `weights.gravity`).
    """

    scale: NotRequired[float]
    """
    Cost that scales the input (metres for euclidean costs).
    """
    alpha: NotRequired[float]
    """
    Power; negative for a decay (PySAL does not negate it).
    """
    min_cost: NotRequired[float]
    """
    Costs below this count as this (PySAL `min_dist`; needed when a cost can be 0).
    """


class GridParams(TypedDict):
    """
    Candidate sites generated on a grid.
    """

    spacing_m: float
    """
    Grid spacing in metres.
    """
    within: NotRequired[str | None]
    """
    Polygons of buildable land: cell centres inside them become candidates (default: the
    `zones` layer, else the `demand` layer when it holds polygons).
    """


class HazardFilter1(TypedDict):
    """
    Only the hazard polygons whose `field` is one of `values` (e.g. the deep classes).
    """

    layer: str
    """
    The hazard layer.
    """
    field: str
    """
    Its class field.
    """
    values: list[str]
    """
    Classes that close a facility.
    """


HazardFilter: TypeAlias = str | HazardFilter1
"""
Hazard whose area closes the facilities in it.
"""


class Health(TypedDict):
    """
    What `GET /health` answers.
    """

    engine_version: str
    """
    Version of the engine.
    """
    project: str
    """
    Name of the project served.
    """
    status: str
    """
    Always `ok`.
    """


IndexMethod: TypeAlias = Literal['weighted_sum', 'topsis']
"""
How indicators combine into a score.
"""


class Input(TypedDict):
    """
    Another analysis run in the same request, whose row fields indicators can use.
    """

    analysis: NotRequired[str | None]
    """
    Registered analysis name (default: this entry's key).
    """
    params: NotRequired[Any]
    """
    Its params.
    """


class InterpolateParams(TypedDict):
    """
    Params of `interpolate`.
    """

    source: str
    """
    Source polygons carrying the variables (e.g. census blocks, kecamatan).
    """
    target: str
    """
    Target zones the rows are reported on (e.g. `kelurahan`).
    """
    extensive: NotRequired[list[str]]
    """
    Count variables, split by area share: fields of the source, or of a table joined to it.
    """
    intensive: NotRequired[list[str]]
    """
    Rate variables, averaged by area: fields of the source, or of a table joined to it.
    """
    allocate_total: NotRequired[bool]
    """
    Allocate each source's whole total to the targets that cover it (tobler's default).
    """


IslandPolicy: TypeAlias = Literal['keep', 'drop']
"""
What a statistic does with features that have no neighbour.
"""


JobStatus: TypeAlias = Literal['queued', 'running', 'done', 'failed']
"""
Where a job is.
"""


KernelFn: TypeAlias = Literal[
    'triangular', 'uniform', 'quadratic', 'quartic', 'gaussian'
]
"""
Kernel functions of z = d / bandwidth (libpysal `Kernel`'s set and formulas).
"""


Kind: TypeAlias = Literal[
    'count',
    'share',
    'rate',
    'money',
    'distance',
    'time',
    'area',
    'score',
    'rank',
    'category',
    'text',
    'flag',
    'detail',
]
"""
What kind of quantity a column holds; decides its format and its legend.
"""


LayerRole: TypeAlias = Literal[
    'zones',
    'table',
    'facilities',
    'hazard',
    'demand',
    'network',
    'events',
    'raster',
    'context',
]
"""
What a layer is for; decides which geometries it may hold and how analyses use it.
"""


class LayerSpec(TypedDict):
    """
    One `[[layers]]` entry.
    """

    capacity: NotRequired[str | None]
    """
    Facilities: field holding the capacity.
    """
    category: NotRequired[str | None]
    """
    Events: field holding the category.
    """
    crs: NotRequired[str | None]
    """
    CRS of the file when the file does not say (CSV), or to override it.
    """
    id: NotRequired[str | None]
    """
    Unique id field (feature ids are `1..=n` without it).
    """
    join_to: NotRequired[str | None]
    """
    Tables: the layer whose ids this table's `key` matches.
    """
    key: NotRequired[str | None]
    """
    Tables: field matching `join_to`'s ids.
    """
    kind: NotRequired[str | None]
    """
    Facilities: field holding the facility kind.
    """
    layer: NotRequired[str | None]
    """
    Source layer inside a multi-layer file (GeoPackage).
    """
    level: NotRequired[str | None]
    """
    Hazard: field holding the class or level (e.g. return period, depth class).
    """
    name: str
    """
    Unique name in the project.
    """
    parent: NotRequired[str | None]
    """
    Zones: the coarser zone layer these nest in (kelurahan → kecamatan).
    """
    parent_key: NotRequired[str | None]
    """
    Zones: field holding the parent zone's id.
    """
    path: str
    """
    File, relative to the project file.
    """
    population: NotRequired[str | None]
    """
    Zones / demand: field holding the population count.
    """
    role: str
    """
    Role: zones, table, facilities, hazard, demand, network, events, raster.
    """
    source: NotRequired[str | None]
    """
    Where the data comes from, for reports and the leader's brief: the agency and
    publication, e.g. "BPS Kota Manado, Kecamatan Wenang Dalam Angka 2024".
    """
    source_date: NotRequired[str | None]
    """
    When the data was published or describes: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    """
    time: NotRequired[str | None]
    """
    Events: field holding the timestamp.
    """
    wkt: NotRequired[str | None]
    """
    CSV: WKT geometry column.
    """
    x: NotRequired[str | None]
    """
    CSV: x / longitude column.
    """
    y: NotRequired[str | None]
    """
    CSV: y / latitude column.
    """


GridItem: TypeAlias = int


class Meta(TypedDict):
    """
    Provenance of a result.
    """

    elapsed_ms: int
    """
    Wall time of the run.
    """
    engine_version: str
    """
    Engine version that computed it.
    """
    layers: dict[str, str]
    """
    SHA-256 of each layer used.
    """
    row_layer: NotRequired[str]
    """
    The layer whose feature ids the rows carry.
    """


Method: TypeAlias = Literal['nearest', 'coverage', '2sfca', 'e2sfca', 'gravity']
"""
How access is measured (see the module docs for the formula and PySAL equivalent of each).
"""


ModelName: TypeAlias = Literal['lscp', 'mclp', 'pmedian', 'pcenter']
"""
The location model.
"""


class Needs(TypedDict):
    """
    Per-person weekly minimum needs (BNPB Perka 7/2008, as InaSAFE's `BNPB_en.json`).
    """

    rice_kg: NotRequired[float]
    """
    Rice, kg per person per week.
    """
    drinking_water_l: NotRequired[float]
    """
    Drinking water, litres per person per week.
    """
    clean_water_l: NotRequired[float]
    """
    Clean water, litres per person per week.
    """
    family_kits: NotRequired[float]
    """
    Family kits per person (1 per 5 persons).
    """
    toilets: NotRequired[float]
    """
    Toilets per person (1 per 20 persons).
    """


class NewRecommendation(TypedDict):
    """
    Body of `POST /recommendations`.
    """

    analysis: str
    """
    Registered analysis to run.
    """
    budget: NotRequired[float | None]
    """
    The budget it is made under.
    """
    notes: NotRequired[str | None]
    """
    Free notes.
    """
    params: dict[str, Any]
    """
    Its params (as for `POST /analyses/{name}`).
    """
    question: NotRequired[str | None]
    """
    The question it answers.
    """
    scenario: NotRequired[str | None]
    """
    Run on this stored scenario (default: the baseline).
    """
    scenario_version: NotRequired[int | None]
    """
    That scenario's version (default: its latest).
    """
    title: str
    """
    Short title (at most 200 characters).
    """
    top_n: NotRequired[int | None]
    """
    How many of the ranked rows the recommendation is about (default 10).
    """


Normalize: TypeAlias = Literal['minmax', 'zscore', 'rank']
"""
How raw values become comparable.
"""


OutputFormat: TypeAlias = Literal['json', 'geojson', 'csv']
"""
`format` of `POST /analyses/{name}`.
"""


class PopulationSource1(TypedDict):
    """
    A `demand` layer of points or polygons with a count field.
    """

    layer: str
    """
    The demand layer.
    """
    field: str
    """
    Its count field.
    """


PopulationSource: TypeAlias = str | PopulationSource1
"""
Where the people are.
"""


class Problem(TypedDict):
    """
    One problem, ready to be sent.
    """

    detail: str
    """
    This occurrence: names the layer, field, parameter or file concerned.
    """
    status: int
    """
    The HTTP status code.
    """
    title: str
    """
    Short summary of the kind of problem, the same for every instance of it.
    """
    type: str
    """
    `https://tepat.dev/problems/<kind>`.
    """


class ReasonText(TypedDict):
    """
    A sentence with placeholders, in both languages.
    """

    id: str
    """
    Bahasa Indonesia, e.g. `"{value} rumah tangga miskin di zona banjir Q25"`.
    """
    en: str
    """
    English, e.g. `"{value} of poor households are in the Q25 flood zone"`.
    """


class Row(TypedDict):
    """
    One result row: `id` plus the analysis' columns.
    """

    id: str
    """
    Feature id in the row layer.
    """


class Scenario(TypedDict):
    """
    A named, versioned list of edits to the baseline.
    """

    name: str
    """
    Display name.
    """
    version: NotRequired[int]
    """
    Version, raised by every change (the store numbers them; files may leave it at 1).
    """
    description: NotRequired[str | None]
    """
    What the scenario is about, for the people reviewing it.
    """
    edits: NotRequired[list[Edit]]
    """
    The edits, applied in order.
    """


class ScenarioInfo(TypedDict):
    """
    What a scenario is, as compared.
    """

    budget: NotRequired[Budget | None]
    closed: dict[str, list[str]]
    """
    Facilities closed, by layer.
    """
    edited_layers: list[str]
    """
    Layers the edits changed.
    """
    edits: int
    """
    Number of edits.
    """
    fingerprint: str
    """
    SHA-256 of the scenario (`Scenario::fingerprint`): changes with every edit.
    """
    name: str
    """
    Name.
    """
    sentences: list[str]
    """
    The money, in words (English).
    """
    sentences_id: list[str]
    """
    The same, in Bahasa Indonesia.
    """
    spend: float
    """
    Σ cost of the new facilities.
    """
    version: int
    """
    Version.
    """


class ScenarioOutcome(TypedDict):
    """
    One analysis on one scenario, against the baseline.
    """

    meta: Meta
    """
    Provenance of the scenario run (the edited layers' hashes differ from the baseline's).
    """
    only_in_baseline: list[str]
    """
    Row ids the scenario no longer has (an excluded zone, a removed facility).
    """
    only_in_scenario: list[str]
    """
    Row ids only the scenario has (a new facility).
    """
    rows: list[Row]
    """
    Per row (sorted by id): `id`, `name` when there is one, every numeric column's
    scenario value and `<column>_delta` (scenario − baseline), boolean columns as they are.
    """
    scenario: str
    """
    Scenario name.
    """
    sentences: list[str]
    """
    What changed, in words (English).
    """
    sentences_id: list[str]
    """
    The same, in Bahasa Indonesia.
    """
    summary: dict[str, Any]
    """
    The scenario's summary.
    """
    summary_delta: dict[str, Any]
    """
    Scenario − baseline, for every numeric summary entry both have.
    """
    version: int
    """
    Scenario version.
    """


class ScenarioRef1(TypedDict):
    """
    One version of it.
    """

    id: str
    """
    Scenario id.
    """
    version: int
    """
    Its version.
    """


ScenarioRef: TypeAlias = str | ScenarioRef1
"""
A scenario of `POST /compare`: an id, or `{"id", "version"}`.
"""


class Sensitivity(TypedDict):
    """
    Monte-Carlo weight sensitivity.
    """

    runs: NotRequired[int]
    """
    Number of perturbed rankings.
    """
    spread: NotRequired[float]
    """
    Each weight is multiplied by 1 + u, u uniform in [−spread, +spread].
    """
    seed: NotRequired[int]
    """
    Random seed (ChaCha8), so a ranking's interval is reproducible.
    """


Smoothing: TypeAlias = Literal['none', 'eb']
"""
How a rate is turned into the analysed value.
"""


SolveMethod: TypeAlias = Literal['auto', 'exact', 'heuristic']
"""
How to solve.
"""


Statistic: TypeAlias = Literal['moran', 'local_moran', 'gi', 'gi_star']
"""
Which statistic.
"""


class StoredScenario(TypedDict):
    """
    A stored scenario (its latest version unless asked otherwise).
    """

    name: str
    """
    Display name.
    """
    version: NotRequired[int]
    """
    Version, raised by every change (the store numbers them; files may leave it at 1).
    """
    description: NotRequired[str | None]
    """
    What the scenario is about, for the people reviewing it.
    """
    edits: NotRequired[list[Edit]]
    """
    The edits, applied in order.
    """
    created_at: str
    """
    When the scenario was created.
    """
    id: str
    """
    Stable id, used in URLs and `?scenario=`.
    """
    updated_at: str
    """
    When this version was written.
    """


class Text(TypedDict):
    """
    A text in Bahasa Indonesia and English.
    """

    en: str
    """
    English.
    """
    id: str
    """
    Bahasa Indonesia.
    """


Transform: TypeAlias = Literal['R', 'B', 'V']
"""
A transformation of the weights.
"""


Unit: TypeAlias = Literal[
    'jiwa',
    'rumah tangga',
    'm',
    'm²',
    'km²',
    'menit',
    'hari',
    '%',
    'Rp',
    'fasilitas',
    'kejadian',
    '',
]
"""
What a column's numbers count or measure in.
"""


class UploadForm(TypedDict):
    """
    The multipart form of `POST /layers` (documentation only: the handler streams it).
    """

    capacity: NotRequired[str | None]
    """
    Facilities: numeric capacity field.
    """
    category: NotRequired[str | None]
    """
    Events: category field.
    """
    crs: NotRequired[str | None]
    """
    CRS of the file when it does not say (CSV default EPSG:4326), e.g. `EPSG:32651`.
    """
    file: bytes
    """
    The layer file: GeoJSON (`.geojson`, `.json`), GeoPackage (`.gpkg`), a zipped
    Shapefile (`.zip`) or CSV (`.csv`), told apart by the file name's extension.
    """
    id_field: NotRequired[str | None]
    """
    Field holding unique feature ids.
    """
    key: NotRequired[str | None]
    """
    Tables: field holding the joined layer's ids.
    """
    kind: NotRequired[str | None]
    """
    Facilities: field holding the kind.
    """
    layer: NotRequired[str | None]
    """
    GeoPackage layer (or Shapefile in the zip) to read; default the first.
    """
    level: NotRequired[str | None]
    """
    Hazard: level / class field.
    """
    name: str
    """
    Layer name, `^[a-z][a-z0-9_]{0,62}$`.
    """
    population: NotRequired[str | None]
    """
    Zones / demand: numeric population field.
    """
    role: NotRequired[str | None]
    """
    Role: zones, table, facilities, hazard, demand, network, events, context (default).
    """
    source: NotRequired[str | None]
    """
    Where the data comes from (agency, publication), shown in the leader's brief.
    """
    source_date: NotRequired[str | None]
    """
    When the data was published or describes: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    """
    time: NotRequired[str | None]
    """
    Events: timestamp field.
    """
    x: NotRequired[str | None]
    """
    CSV: longitude / x column (default `lon`).
    """
    y: NotRequired[str | None]
    """
    CSV: latitude / y column (default `lat`).
    """


UserRole: TypeAlias = Literal['admin', 'planner', 'leader', 'researcher']
"""
Who may do what (the issue's roles).
"""


Verdict: TypeAlias = Literal['approve', 'reject']
"""
A leader's (or admin's) decision on a recommendation.
"""


class WeightFrom(TypedDict):
    """
    Demand weights taken from another analysis' rows (keyed by the demand layer's ids).
    """

    analysis: str
    """
    The analysis to run (e.g. `exposure`).
    """
    params: NotRequired[Any]
    """
    Its params.
    """
    field: str
    """
    The numeric column of its rows to use as the weight.
    """


class Weights1(TypedDict):
    """
    `[[max_cost, weight], …]`: a cost takes the weight of the smallest `max_cost` it does not
    exceed, 0 beyond the largest (PySAL `weights.step_fn`).
    """

    steps: list[list[float]]


class Weights2(TypedDict):
    """
    Width σ (in cost units) of `exp(−cost² / (2σ²))` (PySAL `weights.gaussian(sigma)`).
    """

    gaussian: float


Weights: TypeAlias = Weights1 | Weights2
"""
Distance decay of `e2sfca`.
"""


WeightsKind: TypeAlias = Literal['queen', 'rook', 'knn', 'distance', 'kernel']
"""
Which neighbour relation to build.
"""


class WeightsSpec(TypedDict):
    """
    Weights params, as analyses take them: `{"type": "queen", "transform": "R"}` etc.
    Options that do not apply to `type` are refused rather than ignored.
    """

    type: NotRequired[WeightsKind]
    """
    `queen` (default), `rook`, `knn`, `distance` or `kernel`.
    """
    k: NotRequired[int | None]
    """
    knn: number of neighbours (default 8). kernel: adaptive bandwidth = distance to the
    k-th nearest neighbour (used when `threshold` is not given; default 8).
    """
    threshold: NotRequired[float | None]
    """
    distance: the band (CRS units, metres in a project; required). kernel: a fixed bandwidth.
    """
    binary: NotRequired[bool | None]
    """
    distance: binary weights (default true) or inverse distance d^alpha.
    """
    alpha: NotRequired[float | None]
    """
    distance with `binary: false`: the power of distance (default −1).
    """
    function: NotRequired[KernelFn | None]
    """
    kernel: the function (default triangular).
    """
    tolerance: NotRequired[float | None]
    """
    queen / rook: snapping tolerance in CRS units (default 0: exact shared vertices /
    edges, as libpysal and GeoDa).
    """
    transform: NotRequired[Transform]
    """
    `R` (row-standardised, default), `B` (binary) or `V` (variance stabilising).
    """
    islands: NotRequired[IslandPolicy]
    """
    `keep` (default: zero lag, reported) or `drop` (left out of the statistic).
    """


class AccessParams(TypedDict):
    """
    Params of `access`.
    """

    demand: str
    """
    Where people are: a `demand` point layer, or zones / polygons (taken at their centroid).
    """
    population: NotRequired[str | None]
    """
    Population (count) field of `demand` (default: the layer's `population` in the project).
    """
    facilities: str
    """
    The facility layer (e.g. `puskesmas`).
    """
    kind: NotRequired[list[str] | None]
    """
    Only facilities of these kinds (values of `kind_field`).
    """
    kind_field: NotRequired[str | None]
    """
    Field holding the facility kind (default: the layer's `kind` in the project).
    """
    capacity: NotRequired[str | None]
    """
    Capacity (supply) field of the facilities (default: the layer's `capacity` in the
    project; without one, every facility has capacity 1).
    """
    method: NotRequired[Method]
    """
    `nearest`, `coverage`, `2sfca`, `e2sfca` or `gravity`.
    """
    radius_m: NotRequired[float | None]
    """
    Catchment, in cost units (metres for euclidean costs); a facility at cost ≤ radius_m is
    in reach. Needed by `coverage` and `2sfca` (and by `e2sfca` without `weights`); optional
    cut-off for the others; sets what counts as covered.
    """
    k: NotRequired[int | None]
    """
    Also report `kth_m`, the cost to the k-th nearest open facility.
    """
    weights: NotRequired[Weights | None]
    """
    Distance decay of `e2sfca`: `{"steps": [[max_cost, weight], …]}` or `{"gaussian": σ}`
    (default: steps at radius_m/3, 2·radius_m/3, radius_m with weights 1, 0.68, 0.22).
    """
    gravity: NotRequired[GravityParams | None]
    """
    Gravity weight of `gravity` (default scale 1000, alpha −1, min_cost 0).
    """
    zones: NotRequired[str | None]
    """
    Zone layer to report on (population-weighted) when `demand` is a point layer.
    """
    costs: NotRequired[CostTable | None]
    """
    Costs from a table `{"layer", "origin", "destination", "cost"}` keyed by demand and
    facility ids, instead of euclidean distances; pairs missing from it are out of reach.
    """
    exclude_in_hazard: NotRequired[HazardFilter | None]
    """
    Hazard layer (or `{"layer", "field", "values"}`): facilities in it (boundary included)
    are closed.
    """


class AggregateParams(TypedDict):
    """
    Params of `aggregate`.
    """

    zones: str
    """
    Zone layer the rows are reported on (e.g. `kelurahan`).
    """
    layer: str
    """
    Layer whose features are counted: points, lines, polygons, or a `table` joined by code.
    """
    sum: NotRequired[list[str]]
    """
    Numeric fields of `layer` to total; each gives `sum_<field>` and `mean_<field>`.
    """
    filter: NotRequired[Filter | None]
    """
    Only features whose `filter.field` is one of `filter.values` (e.g. schools of one level).
    """
    key: NotRequired[str | None]
    """
    For a table layer: the field holding the zone id (default: the layer's `key` in the project).
    """


class AllocateParams(TypedDict):
    """
    Params of `allocate`.
    """

    layer: str
    """
    The interventions: one feature each (e.g. the kelurahan layer, one programme per
    kelurahan), or a table.
    """
    cost: str
    """
    Cost field (rupiah).
    """
    benefit: NotRequired[str | None]
    """
    Benefit field.
    """
    benefit_from: NotRequired[FromAnalysis | None]
    """
    Benefit from another analysis' rows instead of a field.
    """
    budget: float
    """
    Total budget (rupiah).
    """
    group: NotRequired[str | None]
    """
    Field holding each intervention's group (e.g. the kecamatan code).
    """
    group_zones: NotRequired[str | None]
    """
    Zones whose polygon containing an intervention's location is its group.
    """
    min_one_per_group: NotRequired[bool]
    """
    Fund at least one intervention in every group.
    """
    max_group_share: NotRequired[float | None]
    """
    No group may take more than this share of the budget (0–1).
    """
    curve_budgets: NotRequired[list[float] | None]
    """
    Budgets of the benefit curve (default: ¼, ½, ¾, 1, 1¼, 1½ × budget).
    """
    time_limit_s: NotRequired[float]
    """
    Time limit of each solve, seconds.
    """


AnalysisItem: TypeAlias = str | AnalysisRequest
"""
One analysis of a comparison: a bare name (its default params) or `{"name", "params"}`.
"""


class AnalysisResult(TypedDict):
    """
    The result envelope shared by the CLI and HTTP (DESIGN.md §4).
    """

    analysis: str
    """
    Analysis name.
    """
    meta: Meta
    """
    Provenance.
    """
    params: dict[str, Any]
    """
    Params as resolved (defaults filled in).
    """
    rows: list[Row]
    """
    Rows sorted by id.
    """
    summary: dict[str, Any]
    """
    Totals and global statistics.
    """


class Category(TypedDict):
    """
    One value of a category column.
    """

    label: Text
    """
    Its label.
    """
    value: str
    """
    The value as the rows carry it.
    """


class ClustersWeightsSpec(TypedDict):
    """
    Weights params, as analyses take them: `{"type": "queen", "transform": "R"}` etc.
    Options that do not apply to `type` are refused rather than ignored.
    """

    type: NotRequired[WeightsKind]
    """
    `queen` (default), `rook`, `knn`, `distance` or `kernel`.
    """
    k: NotRequired[int | None]
    """
    knn: number of neighbours (default 8). kernel: adaptive bandwidth = distance to the
    k-th nearest neighbour (used when `threshold` is not given; default 8).
    """
    threshold: NotRequired[float | None]
    """
    distance: the band (CRS units, metres in a project; required). kernel: a fixed bandwidth.
    """
    binary: NotRequired[bool | None]
    """
    distance: binary weights (default true) or inverse distance d^alpha.
    """
    alpha: NotRequired[float | None]
    """
    distance with `binary: false`: the power of distance (default −1).
    """
    function: NotRequired[KernelFn | None]
    """
    kernel: the function (default triangular).
    """
    tolerance: NotRequired[float | None]
    """
    queen / rook: snapping tolerance in CRS units (default 0: exact shared vertices /
    edges, as libpysal and GeoDa).
    """
    transform: NotRequired[Transform]
    """
    `R` (row-standardised, default), `B` (binary) or `V` (variance stabilising).
    """
    islands: NotRequired[IslandPolicy]
    """
    `keep` (default: zero lag, reported) or `drop` (left out of the statistic).
    """


class Column(TypedDict):
    """
    One output column of an analysis' rows.
    """

    better: Better
    """
    Which way is good news.
    """
    headline: NotRequired[bool]
    """
    The column the map shows first (one per analysis).
    """
    kind: Kind
    """
    Kind of quantity.
    """
    label: Text
    """
    Label in both languages.
    """
    name: str
    """
    The column's name in the rows. A `{placeholder}` stands for any non-empty text, for
    columns named after a param's values: `sum_{field}` is one column per field of
    `sum`. The label may use the same placeholder.
    """
    unit: Unit
    """
    Unit of its numbers.
    """
    values: NotRequired[list[Category]]
    """
    A category column's values with their labels.
    """


class CompareBody(TypedDict):
    """
    Body of `POST /compare`.
    """

    analyses: NotRequired[list[AnalysisItem] | None]
    """
    The analyses (default: exposure, access, index).
    """
    scenarios: list[ScenarioRef]
    """
    The scenarios, 1 to 5.
    """


class CompareOneBody(TypedDict):
    """
    Body of `POST /scenarios/{id}/compare`.
    """

    analyses: NotRequired[list[AnalysisItem] | None]
    """
    The analyses (default: exposure, access, index).
    """


class ComplaintsWeightsSpec(TypedDict):
    """
    Weights params, as analyses take them: `{"type": "queen", "transform": "R"}` etc.
    Options that do not apply to `type` are refused rather than ignored.
    """

    type: NotRequired[WeightsKind]
    """
    `queen` (default), `rook`, `knn`, `distance` or `kernel`.
    """
    k: NotRequired[int | None]
    """
    knn: number of neighbours (default 8). kernel: adaptive bandwidth = distance to the
    k-th nearest neighbour (used when `threshold` is not given; default 8).
    """
    threshold: NotRequired[float | None]
    """
    distance: the band (CRS units, metres in a project; required). kernel: a fixed bandwidth.
    """
    binary: NotRequired[bool | None]
    """
    distance: binary weights (default true) or inverse distance d^alpha.
    """
    alpha: NotRequired[float | None]
    """
    distance with `binary: false`: the power of distance (default −1).
    """
    function: NotRequired[KernelFn | None]
    """
    kernel: the function (default triangular).
    """
    tolerance: NotRequired[float | None]
    """
    queen / rook: snapping tolerance in CRS units (default 0: exact shared vertices /
    edges, as libpysal and GeoDa).
    """
    transform: NotRequired[Transform]
    """
    `R` (row-standardised, default), `B` (binary) or `V` (variance stabilising).
    """
    islands: NotRequired[IslandPolicy]
    """
    `keep` (default: zero lag, reported) or `drop` (left out of the statistic).
    """


class Decision(TypedDict):
    """
    One decision.
    """

    at: str
    """
    When.
    """
    by: NotRequired[str | None]
    """
    Token (hash prefix).
    """
    comment: NotRequired[str | None]
    """
    Why.
    """
    decision: Verdict
    """
    `approve` or `reject`.
    """
    role: NotRequired[str | None]
    """
    Its role.
    """


class DecisionRequest(TypedDict):
    """
    Body of `POST /recommendations/{id}/decision`.
    """

    comment: NotRequired[str | None]
    """
    Why.
    """
    decision: Verdict
    """
    The decision.
    """


class ExposureParams(TypedDict):
    """
    Params of `exposure`.
    """

    zones: str
    """
    Zone layer results are reported on (e.g. `kelurahan`).
    """
    hazard: str
    """
    Hazard layer (polygons), e.g. `banjir_q25`.
    """
    class_field: NotRequired[str | None]
    """
    Hazard field holding the class or depth; without it the whole hazard is one class.
    """
    classes: NotRequired[list[str] | None]
    """
    Class values ordered from lowest to highest (default: the field's values, sorted).
    With `breaks`, the names of the intervals.
    """
    breaks: NotRequired[list[float] | None]
    """
    For a numeric `class_field` (e.g. depth in m): interval breaks; class i holds values in
    [breaks[i-1], breaks[i]).
    """
    population: NotRequired[PopulationSource | None]
    """
    Zone population field, or `{"layer": …, "field": …}` (default: the zone layer's `population`).
    """
    counts: NotRequired[list[str] | None]
    """
    Other zone count fields to expose by area share (default: those of `households`,
    `poor_households`, `under5`, `elderly` that exist).
    """
    facilities: NotRequired[str | None]
    """
    Facility layer to test against the hazard.
    """
    facility_kinds: NotRequired[list[str] | None]
    """
    Only facilities of these kinds (the layer's `kind` field).
    """
    displacement_rate: NotRequired[dict[str, float]]
    """
    Share of exposed people displaced, per class (default 0.01 for every class: InaSAFE's
    flood "wet" class).
    """
    needs: NotRequired[Needs]
    """
    Weekly needs per displaced person (default: BNPB Perka 7/2008).
    """


class Field(TypedDict):
    """
    One attribute field.
    """

    name: str
    """
    Field name.
    """
    nulls: int
    """
    How many features have no value.
    """
    type: FieldType
    """
    Its type.
    """


class HotspotOptions(TypedDict):
    """
    Options of the hot-spot test on the rate (the `hotspots` analysis, Gi*).
    """

    weights: NotRequired[ComplaintsWeightsSpec]
    """
    Spatial weights (default queen, row-standardised).
    """
    permutations: NotRequired[int]
    """
    Permutations for the pseudo p-values (default 999; 0 = analytic).
    """
    seed: NotRequired[int]
    """
    Seed of the permutations.
    """
    alpha: NotRequired[float]
    """
    Significance level (default 0.05).
    """
    fdr: NotRequired[bool]
    """
    Benjamini–Hochberg false discovery rate instead of `alpha` per zone.
    """


class HotspotsParams(TypedDict):
    """
    Params of `hotspots`.
    """

    layer: str
    """
    Layer of zones or points (e.g. `kelurahan`).
    """
    field: NotRequired[str | None]
    """
    Numeric field to analyse (or give `numerator` and `denominator`).
    """
    numerator: NotRequired[str | None]
    """
    Rate numerator field (e.g. complaints).
    """
    denominator: NotRequired[str | None]
    """
    Rate denominator field (e.g. residents); must be > 0.
    """
    per: NotRequired[float | None]
    """
    Rate multiplier (1000: per 1,000 residents). Default 1.
    """
    smoothing: NotRequired[Smoothing]
    """
    Rates only: `none` (default) or `eb` (empirical-Bayes standardised).
    """
    weights: NotRequired[WeightsSpec]
    """
    Spatial weights (default queen, row-standardised, islands kept).
    """
    statistic: NotRequired[Statistic]
    """
    `local_moran` (default), `moran`, `gi` or `gi_star`.
    """
    permutations: NotRequired[int]
    """
    Random permutations for pseudo p-values (default 999; 0 = analytic p only).
    """
    seed: NotRequired[int]
    """
    Seed of the permutations (same seed, same p-values, on any machine).
    """
    alpha: NotRequired[float]
    """
    Significance level (default 0.05).
    """
    fdr: NotRequired[bool]
    """
    Control the false discovery rate (Benjamini–Hochberg) instead of testing each feature at `alpha`.
    """


Indicator = TypedDict(
    'Indicator',
    {
        'field': str,
        'from': NotRequired[str | None],
        'per': NotRequired[str | None],
        'name': NotRequired[str | None],
        'weight': NotRequired[float | None],
        'direction': NotRequired[Direction],
        'normalize': NotRequired[Normalize],
        'reason': NotRequired[ReasonText | None],
    },
)


class Job(TypedDict):
    """
    An analysis run that outlasted the request (`202`), or was asked to with `Prefer:
    respond-async`.
    """

    analysis: str
    """
    The analysis run.
    """
    error: NotRequired[Problem]
    """
    The problem, once failed.
    """
    events: str
    """
    Server-Sent Events of the job.
    """
    href: str
    """
    `GET` this to follow the job.
    """
    job: str
    """
    Job id.
    """
    progress: float
    """
    0..1.
    """
    result: NotRequired[AnalysisResult]
    """
    The result envelope, once done.
    """
    scenario: NotRequired[str | None]
    """
    The scenario it runs on (null: the baseline).
    """
    status: JobStatus
    """
    Where it is.
    """


class LayerSummary(TypedDict):
    """
    A layer at a glance.
    """

    bbox: NotRequired[list[float] | None]
    """
    `[min lon, min lat, max lon, max lat]` in EPSG:4326; null without geometry.
    """
    crs: str
    """
    CRS the layer is held in (the project's working CRS).
    """
    features: int
    """
    Number of features (0 for rasters).
    """
    fields: list[Field]
    """
    Attribute fields in file order.
    """
    geometry: NotRequired[GeometryKind | None]
    grid: NotRequired[list[GridItem] | None]
    """
    Rasters: `[rows, columns]`.
    """
    name: str
    """
    Name in the project.
    """
    role: LayerRole
    """
    Role in the project.
    """


class LocateParams(TypedDict):
    """
    Params of `locate`.
    """

    model: ModelName
    """
    `lscp`, `mclp`, `pmedian` or `pcenter`.
    """
    demand: str
    """
    Demand: a `demand` point layer or zones (at their centroid).
    """
    weight: NotRequired[str | None]
    """
    Weight field of `demand` (default: the layer's `population`, else 1 per point).
    """
    weight_from: NotRequired[WeightFrom | None]
    """
    Weight from another analysis' rows instead of a field.
    """
    candidates: NotRequired[str | None]
    """
    Candidate site layer (points; polygons at their centroid).
    """
    grid: NotRequired[GridParams | None]
    """
    Generated candidate sites instead of a layer.
    """
    exclude_hazard: NotRequired[HazardFilter | None]
    """
    Hazard layer (or `{"layer", "field", "values"}`): candidates inside it are dropped.
    """
    existing: NotRequired[str | None]
    """
    Facilities that stay open (they do not count in `p` and cost nothing).
    """
    radius_m: NotRequired[float | None]
    """
    Service radius in cost units (metres for euclidean costs): needed by `lscp` and
    `mclp`; for the others it only defines what counts as covered.
    """
    p: NotRequired[int | None]
    """
    Number of new sites to open.
    """
    budget: NotRequired[float | None]
    """
    Budget for the new sites' `site_cost` (rupiah).
    """
    site_cost: NotRequired[str | None]
    """
    Field of the candidates holding the cost of opening each site.
    """
    capacity: NotRequired[str | None]
    """
    Capacity field (of the candidates, and of `existing`): capacitated models.
    """
    costs: NotRequired[CostTable | None]
    """
    Costs from a table `{"layer", "origin", "destination", "cost"}` (origin = demand id,
    destination = site id) instead of euclidean distances.
    """
    zones: NotRequired[str | None]
    """
    Zone layer for before/after rows.
    """
    method: NotRequired[SolveMethod]
    """
    `auto`, `exact` or `heuristic`.
    """
    time_limit_s: NotRequired[float]
    """
    Time limit of the solver, seconds.
    """


class Me(TypedDict):
    """
    `GET /me`: who the caller's token is; every member null without a token.
    """

    actor: NotRequired[str | None]
    """
    Hash prefix naming the token in the audit log.
    """
    name: NotRequired[str | None]
    """
    The token's label (`tepat token create --label`), else its hash prefix.
    """
    role: NotRequired[UserRole | None]


class Recommendation(TypedDict):
    """
    A saved recommendation: an analysis run (on the baseline or a scenario version) kept with
    a snapshot of its result envelope and the content hashes of the layers it read, so the
    decision on it can be traced to its data after layers or scenarios change.
    """

    analysis: str
    """
    The analysis run.
    """
    budget: NotRequired[float | None]
    """
    The budget it was made under.
    """
    comments: list[Comment]
    """
    Comments, oldest first.
    """
    created_at: str
    """
    When it was saved.
    """
    created_by: NotRequired[str | None]
    """
    Token (hash prefix) that saved it.
    """
    created_role: NotRequired[str | None]
    """
    Its role.
    """
    decisions: list[Decision]
    """
    Decisions, oldest first (more than one only when an admin changed one).
    """
    engine_version: str
    """
    Engine version that computed the snapshot.
    """
    id: str
    """
    Stable id (`rec_…`).
    """
    layers: dict[str, str]
    """
    SHA-256 of each layer the analysis read.
    """
    notes: NotRequired[str | None]
    """
    Free notes.
    """
    params: Any
    """
    The params as sent (the snapshot's `params` has them resolved).
    """
    question: NotRequired[str | None]
    """
    The question it answers.
    """
    result: NotRequired[AnalysisResult]
    """
    The result envelope as it was (left out of listings).
    """
    result_sha256: str
    """
    SHA-256 of the stored snapshot, as the audit log records it.
    """
    scenario: NotRequired[str | None]
    """
    The scenario it ran on (null: the baseline).
    """
    scenario_version: NotRequired[int | None]
    """
    That scenario's version.
    """
    status: str
    """
    `proposed`, `approved` or `rejected`.
    """
    title: str
    """
    Short title.
    """
    top_n: int
    """
    How many of the ranked rows the recommendation is about.
    """


class AnalysisComparison(TypedDict):
    """
    One analysis on the baseline and on every scenario.
    """

    analysis: str
    """
    Analysis name.
    """
    baseline: AnalysisResult
    """
    The full baseline result.
    """
    scenarios: list[ScenarioOutcome]
    """
    Per scenario, in request order.
    """


class AnalysisInfo(TypedDict):
    """
    One registered analysis: its descriptor, the JSON Schema of its params and, when a
    project is known, the params it defaults to there.
    """

    columns: list[Column]
    """
    Every column its rows may carry besides `id`: label, unit, kind, which way is better,
    the headline, a category's values. A `{placeholder}` in a name stands for any text.
    """
    default_params: NotRequired[dict[str, Any] | None]
    """
    The params it runs with on this project when given none; absent when it has no
    defaults there (the reason is not an error of the listing).
    """
    description: Text
    """
    One line on what it answers, in Indonesian and English.
    """
    name: str
    """
    Registry name, used in `POST /analyses/{name}` and `tepat run NAME`.
    """
    params_schema: dict[str, Any]
    """
    JSON Schema of the params (also in the OpenAPI document as `<Name>Params`), with the
    `x-tepat-label`, `x-tepat-help`, `x-tepat-layer`, `x-tepat-field` and
    `x-tepat-column` annotations.
    """
    title: Text
    """
    Title in Indonesian and English.
    """


ClustersParams = TypedDict(
    'ClustersParams',
    {
        'method': NotRequired[ClustersMethod],
        'layer': str,
        'fields': NotRequired[list[str]],
        'columns': NotRequired[list[ColumnFrom]],
        'k': NotRequired[int | None],
        'k_min': NotRequired[int | None],
        'k_max': NotRequired[int | None],
        'seed': NotRequired[int | None],
        'n_init': NotRequired[int | None],
        'max_iterations': NotRequired[int | None],
        'floor': NotRequired[float | None],
        'floor_field': NotRequired[str | None],
        'weights': NotRequired[ClustersWeightsSpec | None],
        'eps': NotRequired[float | None],
        'min_points': NotRequired[int | None],
        'category': NotRequired[str | None],
        'from': NotRequired[str | None],
        'to': NotRequired[str | None],
        'category_field': NotRequired[str | None],
        'time_field': NotRequired[str | None],
    },
)


class Comparison(TypedDict):
    """
    The answer of a comparison.
    """

    analyses: list[AnalysisComparison]
    """
    One entry per requested analysis, in request order.
    """
    elapsed_ms: int
    """
    Wall time of the whole comparison.
    """
    scenarios: list[ScenarioInfo]
    """
    The scenarios compared, in request order.
    """


ComplaintsParams = TypedDict(
    'ComplaintsParams',
    {
        'events': str,
        'zones': str,
        'population': NotRequired[str | None],
        'per': NotRequired[float],
        'category': NotRequired[str | None],
        'from': NotRequired[str | None],
        'to': NotRequired[str | None],
        'month': NotRequired[str | None],
        'category_field': NotRequired[str | None],
        'time_field': NotRequired[str | None],
        'resolved_field': NotRequired[str | None],
        'hotspots': NotRequired[HotspotOptions],
    },
)


class IndexParams(TypedDict):
    """
    Params of `index`.
    """

    zones: str
    """
    Zone layer to rank (e.g. `kelurahan`).
    """
    indicators: list[Indicator]
    """
    The indicators of need.
    """
    inputs: NotRequired[dict[str, Input]]
    """
    Analyses run first, by name, for indicators with `from` (e.g.
    `{"flood": {"analysis": "exposure", "params": {...}}}`). Their rows must be the zones'.
    """
    weights: NotRequired[list[float] | None]
    """
    Weights as a list in indicator order (instead of each indicator's `weight`).
    """
    method: NotRequired[IndexMethod]
    """
    `weighted_sum` or `topsis`.
    """
    top_n: NotRequired[int]
    """
    Size of the shortlist reported in the summary (and counted in the sensitivity run).
    """
    sensitivity: NotRequired[Sensitivity | None]
    """
    Monte-Carlo weight sensitivity; gives each row `rank_low`/`rank_high`.
    """


class LayerDetail(LayerSummary):
    """
    A layer with what the project file says about it (`GET /layers/{name}`).
    """

    id_field: NotRequired[str | None]
    """
    Field the feature ids come from (ids are `1..=n` without one).
    """
    spec: NotRequired[LayerSpec | None]


AnalysisParams: TypeAlias = (
    AggregateParams
    | ExposureParams
    | InterpolateParams
    | AccessParams
    | IndexParams
    | LocateParams
    | AllocateParams
    | HotspotsParams
    | ClustersParams
    | ComplaintsParams
)
"""
The params of one registered analysis (which one: the path's `name`); `GET /analyses` gives each analysis' schema too. Omitted members take their defaults; an empty body means all defaults.
"""
