"""Golden file for `interpolate` on the demo city: tobler's `area_interpolate`, kecamatan → kelurahan.

    tepat demo --out /tmp/demo
    python engine/tests/golden/make_demo_interpolate.py /tmp/demo > engine/tests/golden/demo_interpolate.csv

The source is the kecamatan layer, the target the kelurahan, so every kecamatan's total is
split over its kelurahan by area share (the very thing the demo's own kelurahan populations
do *not* follow, which makes this a real test). `population` is interpolated as extensive;
`households` is also run as intensive to check the area-weighted mean formula (on the same
inputs, whatever the field means). Both sides read the same GeoJSON files, projected to
EPSG:32651 (PROJ here, proj4rs in tepat).
"""
import sys

import geopandas as gpd
from tobler.area_weighted import area_interpolate

demo = sys.argv[1]
kec = gpd.read_file(f"{demo}/kecamatan.geojson").to_crs(32651)
kel = gpd.read_file(f"{demo}/kelurahan.geojson").to_crs(32651)
kec["households_rate"] = kec["households"].astype(float)

out = area_interpolate(
    source_df=kec,
    target_df=kel,
    extensive_variables=["population"],
    intensive_variables=["households_rate"],
    allocate_total=True,
)
out["kode"] = kel["kode"].values
out = out.rename(columns={"households_rate": "households"})
out[["kode", "population", "households"]].sort_values("kode").to_csv(sys.stdout, index=False, float_format="%.9f")
