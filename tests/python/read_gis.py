"""Opens `crimesim export`'s files of a Riverside run as a GIS user would
and checks that they land where the tracts are.

    python3 read_gis.py RUN_DIR RIVERSIDE_DIR

GeoPandas reads events.parquet (GeoParquet); pyogrio the tracts' GeoJSON;
rasterio the GeoTIFF and ESRI ASCII grids.
"""

import json
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyarrow.feather as feather
import pyogrio
import rasterio

run, riverside = Path(sys.argv[1]), Path(sys.argv[2])
gis = run / "gis"
georef = json.loads(feather.read_table(run / "cells.arrow").schema.metadata[b"georef"])
tracts = pyogrio.read_dataframe(riverside / "districts.geojson").to_crs("EPSG:32617")
tracts = tracts.sort_values("tract").reset_index(drop=True)  # district k is the k-th tract id
cell = georef["cell_size"]

# Events: GeoParquet in UTM 17N, each point the centre of its cell, inside the tracts.
events = gpd.read_parquet(gis / "events.parquet")
assert events.crs.to_epsg() == 32617, events.crs
assert len(events) > 100, len(events)
assert np.allclose(events.geometry.x, events["easting"]) and np.allclose(events.geometry.y, events["northing"])
x = georef["x_origin"] + (events["x"] + 0.5) * cell
y = georef["y_origin"] + (georef["height"] - events["y"] - 0.5) * cell
assert np.allclose(events.geometry.x, x) and np.allclose(events.geometry.y, y)
city = tracts.geometry.union_all()
# A cell mostly inside the city has its centre within half a diagonal of it.
assert events.geometry.within(city.buffer(cell * 0.71)).all()
inside = events.geometry.within(city).mean()
assert inside > 0.97, inside
# The crime's district is the tract that holds its point (but for cells
# split between tracts).
cells = feather.read_table(run / "cells.arrow").to_pandas()
district = cells["district"].to_numpy()[events["y"] * georef["width"] + events["x"]]
holder = gpd.sjoin(events[["geometry"]], tracts[["tract", "geometry"]], predicate="within")
agree = (district[holder.index] == tracts.index[tracts["tract"].searchsorted(holder["tract"])]).mean()
assert agree > 0.97, agree

# Grids: the GeoTIFF and the ESRI ASCII grid place each tract's cells under it.
for name in ["cells-district.tif", "cells-district.asc"]:
    with rasterio.open(gis / name) as r:
        assert r.crs.to_epsg() == 32617, (name, r.crs)
        assert r.nodata == -9999, r.nodata
        assert (r.width, r.height) == (georef["width"], georef["height"])
        assert np.isclose(r.transform.a, cell) and np.isclose(r.transform.e, -cell)
        assert np.isclose(r.transform.c, georef["x_origin"])
        assert np.isclose(r.transform.f, georef["y_origin"] + georef["height"] * cell)
        points = [(p.x, p.y) for p in tracts.geometry.representative_point()]
        sampled = [v[0] for v in r.sample(points)]
        assert sampled == list(range(len(tracts))), (name, sampled)
with rasterio.open(gis / "cells-land_use.tif") as r:
    lake = tracts.geometry[3].interiors[0].centroid
    assert next(r.sample([(lake.x, lake.y)]))[0] == -9999, "the lake is outside the city"
print(f"{len(events)} events and {len(tracts)} tracts in place")
