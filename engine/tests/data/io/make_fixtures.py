"""Writes the binary fixtures in this folder with GeoPandas, pyogrio, pyarrow and rasterio,
so the engine's readers are tested against files made by the tools our users have.

Run from this folder:  /tmp/venvtest/bin/python make_fixtures.py
(needs geopandas, pyarrow, pyogrio, rasterio; the tests themselves never need Python).

The same small Manado data goes into every format; engine/tests/io_formats.rs checks it.
Coordinates are UTM 51N (EPSG:32651) metres unless noted.
"""

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import MultiPolygon, Point, Polygon

X0, Y0 = 700000.0, 160000.0


def square(x, y, size):
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


# Tikala Ares: a 1 km square with a 200 m hole; Sário: two squares; Ranotana Weru: one
# square; Titiwungen Selatan: no geometry (null).
geoms = [
    Polygon(square(X0, Y0, 1000), [square(X0 + 400, Y0 + 400, 200)[::-1]]),
    MultiPolygon([Polygon(square(X0 + 1000, Y0, 500)), Polygon(square(X0 + 2000, Y0, 300))]),
    Polygon(square(X0, Y0 + 1000, 800)),
    None,
]
kelurahan = gpd.GeoDataFrame(
    {
        "kode": ["7171010001", "7171010002", "7171010003", "0712000004"],
        "nama": ["Kelurahan Tikala Ares", "Sário", "Ranotana Weru", "Titiwungen Selatan"],
        "penduduk": pd.array([5231, 3120, None, 870], dtype="Int64"),
        "luas_ha": [96.0, 34.0, 64.0, 12.5],
        "pesisir": [False, True, False, True],
    },
    geometry=geoms,
    crs="EPSG:32651",
)

# GeoParquet (GeoPandas writes the `geo` metadata with a PROJJSON crs).
kelurahan.to_parquet("kelurahan.parquet", index=False)

# The same in lon/lat with the `crs` key removed from the metadata: readers must assume
# OGC:CRS84 (GeoParquet 1.0 §crs).
ll = kelurahan.to_crs("EPSG:4326")
ll.to_parquet("kelurahan_nocrs.parquet", index=False)
table = pq.read_table("kelurahan_nocrs.parquet")
geo = json.loads(table.schema.metadata[b"geo"])
for col in geo["columns"].values():
    col.pop("crs", None)
meta = dict(table.schema.metadata)
meta[b"geo"] = json.dumps(geo).encode()
pq.write_table(table.replace_schema_metadata(meta), "kelurahan_nocrs.parquet")

# A plain Parquet file (no `geo` metadata): must be refused with a clear message.
pq.write_table(
    pa.table({"kode": ["7171010001"], "wkb": [Point(1, 2).wkb]}), "plain.parquet"
)

# Shapefile (with .prj and .cpg). Shapefiles have no nulls for numbers, so penduduk is filled.
shp = kelurahan.copy()
shp["penduduk"] = shp["penduduk"].fillna(0).astype("int64")
shp.to_file("kelurahan.shp", engine="pyogrio", encoding="UTF-8")

# GeoPackage with two layers: kelurahan (polygons) and puskesmas (points, lon/lat).
kelurahan.to_file(
    "kota.gpkg", layer="kelurahan", engine="pyogrio", dataset_options={"VERSION": "1.2"}
)
puskesmas = gpd.GeoDataFrame(
    {
        "nama": ["Puskesmas Tikala Baru", "Puskesmas Sário"],
        "tempat_tidur": [10, 0],
        "rawat_inap": [True, False],
    },
    geometry=[Point(124.8421, 1.4748), Point(124.8302, 1.4651)],
    crs="EPSG:4326",
)
puskesmas.to_file("kota.gpkg", layer="puskesmas", engine="pyogrio")

# GeoTIFF: 3 rows x 4 columns of flood depth (m), 100 m cells, nodata -9999.
depth = np.array(
    [[0.0, 0.5, 1.25, -9999.0], [0.25, 0.75, 2.0, 3.5], [-9999.0, 0.0, 0.1, 0.2]],
    dtype="float32",
)
with rasterio.open(
    "banjir.tif",
    "w",
    driver="GTiff",
    height=3,
    width=4,
    count=1,
    dtype="float32",
    crs="EPSG:32651",
    transform=from_origin(X0, Y0 + 300, 100, 100),
    nodata=-9999.0,
) as dst:
    dst.write(depth, 1)
