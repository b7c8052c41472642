#!/usr/bin/env bash
# Load benchmark of the HTTP API (make bench-load; a benchmark, not a test): the release
# server on a free loopback port with the demo city and a temporary data dir, then
#  (a) wrk, 64 connections: POST /api/v1/analyses/access with fixed params, served from the cache
#      (the x-tepat-cache header is checked to say `hit` first);
#  (b) wrk, 64 connections: a kelurahan vector tile (from the tile cache after the first);
#  (c) a loop of scenario edit + compare (exposure, access, index): median and p99 latency.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk (make bench-load does)"; exit 1; }
DURATION=${DURATION:-10s}
LOOPS=${LOOPS:-30}

cargo build --release -p tepat
BIN=target/release/tepat
TMP=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT/api/v1"
TOKEN=$("$BIN" token create --role planner --data-dir "$TMP/data" | tail -n 1)
"$BIN" serve --addr "127.0.0.1:$PORT" --data-dir "$TMP/data" >"$TMP/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
# wrk's --latency table, and the request rate and errors.
summary() { grep -E "Latency |50%|90%|99%|Requests/sec|Non-2xx|Socket errors"; }
# wrk sends a POST with a JSON body through a Lua script.
cat >"$TMP/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"demand": "kelurahan", "facilities": "puskesmas"}'
wrk.headers["content-type"] = "application/json"
LUA
for _ in $(seq 1 240); do curl -fsS "$BASE/health" >/dev/null 2>&1 && break; sleep 0.5; done
echo "machine: $(nproc) cores; other processes may be loading it"

# (a) a cached analysis result.
PARAMS='{"demand": "kelurahan", "facilities": "puskesmas"}'
curl -fsS -o /dev/null -X POST "$BASE/analyses/access" -H 'content-type: application/json' -d "$PARAMS"
CACHE=$(curl -fsS -D - -o /dev/null -X POST "$BASE/analyses/access" -H 'content-type: application/json' \
  -d "$PARAMS" | tr -d '\r' | awk -F': ' 'tolower($1)=="x-tepat-cache"{print $2}')
[ "$CACHE" = hit ] || { echo "x-tepat-cache is '$CACHE' on the second run, expected hit"; exit 1; }
echo "== (a) POST /analyses/access, cached (x-tepat-cache: $CACHE), 64 connections, $DURATION"
wrk -t2 -c64 -d"$DURATION" --latency -s "$TMP/post.lua" "$BASE/analyses/access" | summary

# (b) a vector tile at z12 over the middle of the city (TileJSON's center), served from the
# tile cache after the first request.
TILE=$(curl -fsS "$BASE/tiles/kelurahan.json" | python3 -c '
import json, math, sys
lon, lat, _ = json.load(sys.stdin)["center"]
z = 12
n = 2 ** z
x = int((lon + 180) / 360 * n)
y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
print(f"{z}/{x}/{y}")')
URL="$BASE/tiles/kelurahan/$TILE.mvt"
BYTES=$(curl -fsS "$URL" | wc -c)
[ "$BYTES" -gt 0 ] || { echo "tile $TILE is empty"; exit 1; }
echo "== (b) GET /tiles/kelurahan/$TILE.mvt ($BYTES bytes), 64 connections, $DURATION"
wrk -t2 -c64 -d"$DURATION" --latency "$URL" | summary

# (c) scenario edit + compare, sequential.
SC=$(curl -fsS -X POST "$BASE/scenarios" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d '{"name": "load bench"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
python3 - "$BASE" "$SC" "$TOKEN" "$LOOPS" <<'PY'
import json, statistics, sys, time, urllib.request
base, sc, token, loops = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        return json.load(r)
layers = json.load(urllib.request.urlopen(base + "/layers"))
times = []
for i in range(loops):
    t = time.perf_counter()
    post(f"/scenarios/{sc}/edits", {"op": "scale_demand", "layer": next(
        l["name"] for l in layers if l["role"] == "zones"), "factor": 1.0 + i / 1000})
    post(f"/scenarios/{sc}/compare", {"analyses": ["exposure", "access", "index"]})
    times.append((time.perf_counter() - t) * 1000)
times.sort()
p99 = times[min(len(times) - 1, int(round(0.99 * (len(times) - 1))))]
print(f"== (c) scenario edit + compare (exposure, access, index), {loops} runs: "
      f"median {statistics.median(times):.1f} ms, p99 {p99:.1f} ms, max {times[-1]:.1f} ms")
PY
