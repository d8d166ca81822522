"""Fetches the Columbus, Ohio neighbourhood data (Anselin 1988) as libpysal
ships them, into data/: the 49 neighbourhoods as a Shapefile and
crime.csv (POLYID, CRIME: residential burglaries and vehicle thefts per
1,000 households in 1980; INC: household income in $1,000).

Only the wheel is downloaded (pip download --no-deps): nothing is
installed. The data are never committed here (data/ is ignored by git).
"""

import argparse
import glob
import pathlib
import struct
import subprocess
import sys
import tempfile
import zipfile

HERE = pathlib.Path(__file__).resolve().parent
FILES = ["columbus.shp", "columbus.shx", "columbus.dbf"]


def download(folder, data):
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
         "-d", folder, "libpysal==4.14.1"],
        check=True,
    )
    (wheel,) = glob.glob(f"{folder}/libpysal-*.whl")
    with zipfile.ZipFile(wheel) as z:
        for name in FILES:
            (data / name).write_bytes(z.read(f"libpysal/examples/columbus/{name}"))


def dbf_rows(path):
    """The records of a dBase III file, as dicts of text."""
    data = path.read_bytes()
    count, header_len, record_len = struct.unpack("<IHH", data[4:12])
    fields, at = [], 32
    while data[at] != 0x0D:
        name = data[at:at + 11].split(b"\0")[0].decode()
        fields.append((name, data[at + 16]))
        at += 32
    rows = []
    for r in range(count):
        record = data[header_len + r * record_len + 1:header_len + (r + 1) * record_len]
        row, p = {}, 0
        for name, length in fields:
            row[name] = record[p:p + length].decode().strip()
            p += length
        rows.append(row)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=HERE / "data", type=pathlib.Path,
                    help="where to write the files (default: data/ beside this script)")
    data = ap.parse_args().data
    data.mkdir(parents=True, exist_ok=True)
    if not all((data / f).exists() for f in FILES):
        with tempfile.TemporaryDirectory() as tmp:
            download(tmp, data)
    rows = dbf_rows(data / "columbus.dbf")
    lines = ["POLYID,CRIME,INC"] + [f"{r['POLYID']},{r['CRIME']},{r['INC']}" for r in rows]
    (data / "crime.csv").write_text("\n".join(lines) + "\n")
    print(f"{data}: {len(rows)} neighbourhoods")


if __name__ == "__main__":
    main()
