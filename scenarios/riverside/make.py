"""Writes Riverside, a made-up city of four districts on the Scioto in
Columbus, Ohio: its districts as GeoJSON (longitude and latitude, EPSG:4326),
the same as a Shapefile in UTM zone 17N (EPSG:32617) and as a GeoPackage,
its land-use parcels as GeoJSON, and its census table. Needs geopandas.

    python3 make.py
"""

import json

import geopandas as gpd
from shapely.geometry import Polygon, box

LON0, LAT0 = -83.02, 39.95  # the south-west corner of the city
KM_LON = 1 / (111.32 * 0.76604)  # degrees of longitude per km at 40 N
KM_LAT = 1 / 110.99


def lonlat(ring):
    return [(round(LON0 + x * KM_LON, 7), round(LAT0 + y * KM_LAT, 7)) for x, y in ring]


# Four tracts (km from the south-west corner); the south-east one has a lake.
TRACTS = [
    (101, "Northwest", [(0, 1.5), (1.5, 1.5), (1.5, 3), (0.3, 3), (0, 2.5)], None),
    (102, "Northeast", [(1.5, 1.5), (3, 1.5), (3, 2.6), (2.4, 3), (1.5, 3)], None),
    (201, "Southwest", [(0.2, 0), (1.5, 0), (1.5, 1.5), (0, 1.5), (0, 0.4)], None),
    (202, "Southeast", [(1.5, 0), (2.8, 0), (3, 0.3), (3, 1.5), (1.5, 1.5)],
     [(2.0, 0.5), (2.5, 0.5), (2.5, 1.0), (2.0, 1.0)]),
]
DEPRIVATION = {101: 0.2, 102: 0.35, 201: 0.55, 202: 0.8}

districts = gpd.GeoDataFrame(
    {
        "tract": [t[0] for t in TRACTS],
        "name": [t[1] for t in TRACTS],
        "depriv": [DEPRIVATION[t[0]] for t in TRACTS],
    },
    geometry=[Polygon(lonlat(o), [lonlat(h)] if h else []) for _, _, o, h in TRACTS],
    crs="EPSG:4326",
)
districts.to_file("districts.geojson", driver="GeoJSON")
utm = districts.to_crs("EPSG:32617")
utm.to_file("districts.shp")
utm.to_file("districts.gpkg", layer="districts", driver="GPKG")

with open("census.csv", "w") as f:
    f.write("tract,population,median_income\n")
    for tract, pop, income in [(101, 5200, 71000), (102, 4100, 58000), (201, 6100, 39000), (202, 3900, 27000)]:
        f.write(f"{tract},{pop},{income}\n")

# Land use: blocks of 250 m with 50 m streets between them.
parcels, classes = [], []
for i in range(10):
    for j in range(10):
        x, y = 0.05 + i * 0.3, 0.05 + j * 0.3
        if 4 <= i <= 5 and 4 <= j <= 5:
            kind = "commercial"
        elif i == 8 and j <= 3:
            kind = "industrial"
        elif i == 1 and j == 7:
            kind = "park"
        else:
            kind = "residential"
        parcels.append(Polygon(lonlat(box(x, y, x + 0.25, y + 0.25).exterior.coords)))
        classes.append(kind)
gpd.GeoDataFrame({"class": classes}, geometry=parcels, crs="EPSG:4326").to_file(
    "land_use.geojson", driver="GeoJSON"
)
print(json.dumps({"districts": len(districts), "parcels": len(parcels)}))
