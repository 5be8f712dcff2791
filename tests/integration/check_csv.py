#!/usr/bin/env python3
"""Reads a Stratus CSV report back with Python's csv module and checks it against the SQLite store.

usage: check_csv.py DB CSV KIND STATION|all FROM_MS TO_MS
Exit 0 when every check passes; otherwise prints what differs and exits 1.
"""
import csv
import datetime as dt
import math
import sqlite3
import sys

VARS = ["temperature", "dewpoint", "humidity", "wind_speed", "wind_gust", "wind_direction", "pressure",
        "precipitation", "visibility"]
UNITS = {"temperature": "°C", "dewpoint": "°C", "humidity": "%", "wind_speed": "m/s", "wind_gust": "m/s",
         "wind_direction": "deg", "pressure": "hPa", "precipitation": "mm", "visibility": "km"}


def ms(iso):
    assert iso.endswith("Z"), iso
    return int(dt.datetime.fromisoformat(iso[:-1]).replace(tzinfo=dt.timezone.utc).timestamp() * 1000)


def num(text):
    return None if text == "" else float(text)


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)


def main():
    db_path, csv_path, kind, station, lo, hi = sys.argv[1:7]
    lo, hi = int(lo), int(hi)
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    with open(csv_path, newline="", encoding="utf-8") as f:
        raw = f.read()
    assert raw.endswith("\r\n"), "RFC 4180 records end with CRLF"
    rows = list(csv.reader(raw.splitlines(keepends=True)))
    header, body = rows[0], rows[1:]
    where = "WHERE {col} >= ? AND {col} < ?" + ("" if station == "all" else " AND station = ?")
    args = [lo, hi] + ([] if station == "all" else [station])
    errors = []

    if kind == "readings":
        assert header[:2] == ["time_utc", "station"], header
        assert header[2:] == [f"{v} [{UNITS[v]}]" for v in VARS], header
        want = db.execute(f"SELECT ts, station, {', '.join(VARS)} FROM readings {where.format(col='ts')} "
                          "ORDER BY ts, station", args).fetchall()
        if len(want) != len(body):
            errors.append(f"{len(body)} rows, store has {len(want)}")
        for got, exp in zip(body, want):
            if ms(got[0]) != exp[0] or got[1] != exp[1]:
                errors.append(f"key {got[:2]} != {exp[:2]}")
            for i, v in enumerate(VARS):
                if not same(num(got[2 + i]), exp[2 + i]):
                    errors.append(f"{got[1]} {got[0]} {v}: {got[2 + i]!r} != {exp[2 + i]!r}")
    elif kind == "daily-summary":
        # Recomputed here from the raw rows, independently of the SQL the exporter uses.
        rs = db.execute(f"SELECT station, ts, temperature, precipitation, wind_speed FROM readings "
                        f"{where.format(col='ts')} ORDER BY ts", args).fetchall()
        days = {}
        for st, ts, t, p, w in rs:
            d = days.setdefault((ts // 86400000, st), {"n": 0, "t": [], "w": [], "hours": {}})
            d["n"] += 1
            if t is not None:
                d["t"].append(t)
            if w is not None:
                d["w"].append(w)
            d["hours"][ts // 3600000] = p  # rows are in time order: the hour's last report wins
        want = []
        for (day, st) in sorted(days, key=lambda k: (k[0], k[1])):
            d = days[(day, st)]
            rain = [p for p in d["hours"].values() if p is not None]
            anomalies = db.execute("SELECT count(*) FROM anomalies WHERE station = ? AND ts >= ? AND ts < ?",
                                   (st, day * 86400000, (day + 1) * 86400000)).fetchone()[0]
            want.append([dt.datetime.fromtimestamp(day * 86400, dt.timezone.utc).strftime("%Y-%m-%d"), st, d["n"],
                         min(d["t"]) if d["t"] else None, max(d["t"]) if d["t"] else None,
                         sum(d["t"]) / len(d["t"]) if d["t"] else None, sum(rain) if rain else None,
                         sum(d["w"]) / len(d["w"]) if d["w"] else None, anomalies])
        assert header == ["date_utc", "station", "readings", "temperature_min [°C]", "temperature_max [°C]",
                          "temperature_mean [°C]", "precipitation_total [mm]", "wind_speed_mean [m/s]",
                          "anomalies"], header
        if len(want) != len(body):
            errors.append(f"{len(body)} days, expected {len(want)}")
        for got, exp in zip(body, want):
            if got[:2] != exp[:2] or int(got[2]) != exp[2] or int(got[8]) != exp[8]:
                errors.append(f"{got} != {exp}")
            for i in range(3, 8):
                if not same(num(got[i]), exp[i]):
                    errors.append(f"{got[:2]} column {header[i]}: {got[i]!r} != {exp[i]!r}")
    else:
        table, col = {"features": ("features", "end_ms"), "predictions": ("predictions", "issued_ms"),
                      "anomalies": ("anomalies", "ts")}[kind]
        n = db.execute(f"SELECT count(*) FROM {table} {where.format(col=col)}", args).fetchone()[0]
        if n != len(body):
            errors.append(f"{len(body)} rows, store has {n}")
        unit = header.index("unit")
        var = header.index("variable")
        for r in body:
            if r[unit] != UNITS[r[var]]:
                errors.append(f"unit {r[unit]} for {r[var]}")
            if len(r) != len(header):
                errors.append(f"row has {len(r)} fields, header {len(header)}")
        if kind == "features" and body:
            st, end = body[-1][2], ms(body[-1][1])
            mean = db.execute("SELECT mean FROM features WHERE station = ? AND end_ms = ? AND variable = ?",
                              (st, end, body[-1][3])).fetchone()[0]
            if not same(num(body[-1][header.index("mean")]), mean):
                errors.append(f"mean {body[-1]} != {mean}")
    if errors:
        print(f"{csv_path}: {len(errors)} problems", *errors[:20], sep="\n  ")
        return 1
    print(f"{csv_path}: {len(body)} rows match the store")
    return 0


if __name__ == "__main__":
    sys.exit(main())
