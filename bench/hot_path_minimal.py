"""The minimal endpoints `bench/hot_path.py` measures penhas against: Flask + the bare DB driver, nothing else.

Same gunicorn, same token check (PyJWT, then one query joining the session to its account), the SQL penhas itself
sent (captured by hot_path.py from one in-process request and passed in HOT_PATH_PLAN), the same JSON. Started by
hot_path.py as `gunicorn bench.hot_path_minimal:app`; not part of the service.
"""
import json
import math
import os
import sqlite3
import threading

import jwt
from flask import Flask, abort, jsonify, request

PLAN = json.loads(open(os.environ["HOT_PATH_PLAN"]).read())
EARTH_RADIUS_M = PLAN["earth_radius_m"]
app = Flask(__name__)
app.json.ensure_ascii = False
app.json.sort_keys = False
# One connection per thread, as penhas has: on gunicorn's threaded worker a shared one would serialise the twin's
# queries (psycopg2) or refuse them (sqlite3 checks the thread).
_local = threading.local()


def conn():
    connection = getattr(_local, "conn", None)
    if connection is None:
        if PLAN["engine"] == "postgresql":
            import psycopg2

            connection = psycopg2.connect(**PLAN["libpq"])
            connection.autocommit = True
        else:
            connection = sqlite3.connect(PLAN["sqlite_path"], isolation_level=None)
        _local.conn = connection
    return connection


def run(sql, params):
    cur = conn().cursor()
    cur.execute(sql, params)
    return cur


def user_row():
    token = request.headers.get("X-Api-Key", "")
    try:
        claims = jwt.decode(token, PLAN["secret"], algorithms=["HS256"])
    except jwt.PyJWTError:
        abort(400)
    row = run(PLAN["auth_sql"], (claims["ses"],)).fetchone()
    if row is None:
        abort(403)
    return row


@app.get("/health")
def health():
    return {"status": "ok"}


@app.get("/me/unread-notif-count")
def unread():
    return {"count": user_row()[-1]}


def fmt_coord(v):
    return None if v is None else repr(round(float(v), 6))


def fmt_distance(abrangencia, km):
    if abrangencia == "Nacional":
        return "Nacional - 0 "
    if km is None:
        return None
    return f"Regional - {int(km)}" if abrangencia == "Regional" else str(int(km))


def distance_km(lat1, lng1, lat2, lng2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lng2 - lng1)
    y = math.hypot(math.cos(p2) * math.sin(dl),
                   math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl))
    x = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return EARTH_RADIUS_M * math.atan2(y, x) / 1000.0


def _bounding_box(lat, lng, radius_m):
    # The SQLite search's box (the same arithmetic as penhas' centers.bounding_box).
    angle = radius_m / EARTH_RADIUS_M * 1.000001 + 1e-9
    dlat = math.degrees(angle)
    dlng = math.degrees(math.asin(min(1.0, math.sin(angle) / math.cos(math.radians(lat)))))
    return {"lat_min": lat - dlat, "lat_max": lat + dlat, "lng_min": lng - dlng, "lng_max": lng + dlng}


def _bind(params, roles, lat, lng):
    # The captured statements' parameters with the captured point (and its box) swapped for this request's.
    values = {"lat": lat, "lng": lng}
    if any(r and r.endswith(("_min", "_max")) for r in roles):
        values.update(_bounding_box(lat, lng, PLAN["limit_km"] * 1000.0))
    return tuple(p if r is None else values[r] for p, r in zip(params, roles))


_categories = None


def categories():
    global _categories
    if _categories is None:
        _categories = {i: {"id": i, "nome": label, "cor": color} for i, label, color in
                       run(PLAN["cats_sql"], ()).fetchall()}
    return _categories


@app.get("/me/pontos-de-apoio")
def search():
    user = user_row()
    lat, lng = float(request.args["latitude"]), float(request.args["longitude"])
    results = []
    for sql, params, roles in PLAN["search_sql"]:
        cur = run(sql, _bind(params, roles, lat, lng))
        cols = [d[0] for d in cur.description]
        results.append([dict(zip(cols, r)) for r in cur.fetchall()])
    near, coverage = results[PLAN["near_index"]], results[PLAN["coverage_index"]]
    limit_km = PLAN["limit_km"]
    found = {}
    for h in near:
        if h["longitude"] is None:
            continue
        if h.get("distance_km") is None:
            h["distance_km"] = distance_km(lat, lng, h["latitude"], h["longitude"])
        if h["distance_km"] <= limit_km:
            found[h["id"]] = h
    for h in coverage:
        if h.get("distance_km") is None and h["latitude"] is not None:
            h["distance_km"] = distance_km(lat, lng, h["latitude"], h["longitude"])
        found.setdefault(h["id"], h)

    def key(h):
        if h["abrangencia"] == "Nacional":
            return (0, -0.0001, h["id"])
        return (0, round(h["distance_km"], 6), h["id"]) if h["distance_km"] is not None else (1, 0.0, h["id"])

    ordered = sorted(found.values(), key=key)
    rows_wanted = PLAN["rows"]
    page, has_more = ordered[:rows_wanted], len(ordered) > rows_wanted
    ratings = {}
    if page:
        ids = [h["id"] for h in page]
        sql = PLAN["ratings_sql"]
        uid = user[PLAN["user_id_index"]]
        if PLAN["engine"] == "postgresql":
            params = (uid, ids)
        else:
            sql, params = sql.format(",".join("?" * len(ids))), (uid, *ids)
        ratings = dict(run(sql, params).fetchall())
    catmap = categories()
    rows = []
    for h in page:
        nacional = h["abrangencia"] == "Nacional"
        hl, hg = (lat, lng) if nacional else (h["latitude"], h["longitude"])
        avg, count = h["avaliacao"], h["qtde_avaliacao"]
        km = h["distance_km"]
        rows.append({
            "id": h["id"], "nome": h["nome"], "latitude": fmt_coord(hl), "longitude": fmt_coord(hg),
            "avaliacao": "n/a" if not count else f"{avg:.1f}".replace(".", ","),
            "uf": h["uf"], "categoria": catmap[h["categoria"]],
            "distancia": fmt_distance(h["abrangencia"], km),
            "cliente_avaliacao": ratings.get(h["id"]),
        })
    return jsonify({"rows": rows, "has_more": int(has_more), "next_page": PLAN["next_page"] if has_more else None,
                    "avaliacao_maxima": "5", "latitude": fmt_coord(lat), "longitude": fmt_coord(lng)})
