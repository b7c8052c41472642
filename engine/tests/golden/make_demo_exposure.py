"""Golden file for `exposure` on the demo city: kelurahan × banjir_q25 overlay areas by GeoPandas.

    tepat demo --out /tmp/demo
    python engine/tests/golden/make_demo_exposure.py /tmp/demo > engine/tests/golden/demo_exposure_q25.csv

Both sides read the same GeoJSON files and project them to EPSG:32651 (GeoPandas with PROJ,
tepat with proj4rs). Per kelurahan: its area, the area of its intersection with each depth
class of the Q25 flood zone (`gpd.overlay(how="intersection")`), and the exposed population
under tepat's documented rule (population × hazard area / zone area: people spread evenly
over the kelurahan). The depth classes of one return period are disjoint bands, so no
"highest class wins" resolution is needed on this side.
"""
import sys

import geopandas as gpd
import pandas as pd

demo = sys.argv[1]
kel = gpd.read_file(f"{demo}/kelurahan.geojson").to_crs(32651)
q25 = gpd.read_file(f"{demo}/banjir_q25.geojson").to_crs(32651)
classes = ["rendah", "sedang", "tinggi"]

ov = gpd.overlay(kel[["kode", "population", "geometry"]], q25[["depth_class", "geometry"]], how="intersection", keep_geom_type=True)
ov["a"] = ov.geometry.area
by_class = ov.pivot_table(index="kode", columns="depth_class", values="a", aggfunc="sum").reindex(columns=classes).fillna(0.0)

out = pd.DataFrame({"kode": kel["kode"], "area_m2": kel.geometry.area, "population": kel["population"]}).set_index("kode")
for c in classes:
    out[f"hazard_area_m2_{c}"] = by_class[c].reindex(out.index).fillna(0.0)
out["hazard_area_m2"] = out[[f"hazard_area_m2_{c}" for c in classes]].sum(axis=1)
out["exposed_population"] = out["population"] * out["hazard_area_m2"] / out["area_m2"]
out = out.drop(columns=["population"]).sort_index()
out.to_csv(sys.stdout, float_format="%.9f")
