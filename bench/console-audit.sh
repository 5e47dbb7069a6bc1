#!/usr/bin/env bash
# The console's audit page on a 1,000,000-event log: server time of the newest page (GET /console/audit)
# and of a search by principal with the DN written differently from how it is stored. Not a test: it
# prints figures for docs/benchmarks.md. Targets (issue 13): newest page < 300 ms, principal < 1 s.
#
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), psql and curl. Creates its own database,
# fills it with INSERT ... SELECT generate_series (the filler's chain hashes are bogus: nothing here
# verifies them), starts a gateway on it (external store), asks each page RUNS times over mutual TLS
# with a new connection each time, and drops the database at the end.
# Usage: bench/console-audit.sh [EVENTS] [RUNS]   (default 1000000 and 20)
#   BENCH_KEEP_DB=1  keep the database (a second run with the same EVENTS skips the fill)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
events=${1:-1000000}
runs=${2:-20}
db=sekisho_console_bench
pg=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)
work=$(mktemp -d /tmp/sekisho-console-bench.XXXXXX)
gw_pid=""

cleanup() {
  if [ -n "$gw_pid" ]; then kill -TERM "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true; fi
  if [ "${BENCH_KEEP_DB:-}" != 1 ]; then "${pg[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

start_gateway() {
  "$root/sekisho" gateway --config "$work/gateway.yml" >"$work/gateway.out" 2>&1 &
  gw_pid=$!
  until grep -q "listening:" "$work/gateway.out" 2>/dev/null; do
    kill -0 "$gw_pid" 2>/dev/null || { cat "$work/gateway.out" >&2; exit 1; }
    sleep 0.1
  done
}

stop_gateway() {
  kill -TERM "$gw_pid"; wait "$gw_pid" 2>/dev/null || true; gw_pid=""
}

existing=$("${pg[@]}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")
if [ "$existing" = 1 ] && [ "${BENCH_KEEP_DB:-}" != 1 ]; then
  "${pg[@]}" -d postgres -c "DROP DATABASE $db"
  existing=""
fi
[ "$existing" = 1 ] || "${pg[@]}" -d postgres -c "CREATE DATABASE $db"

"$root/sekisho" certs init --dir "$work/pki" >/dev/null
"$root/sekisho" certs issue --dir "$work/pki" --kind client --name auditor >/dev/null
subject=$(openssl x509 -in "$work/pki/auditor.pem" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
cat >"$work/gateway.yml" <<YML
node-id: console-bench
data-dir: data
tls: { certificate: pki/gateway.pem, key: pki/gateway.key, trust-anchors: [pki/ca.pem], crls: [pki/crl.pem] }
listeners:
  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }
  admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
principals:
  - { subject: "$subject", roles: [auditor] }
store:
  url: jdbc:postgresql://127.0.0.1:5432/$db
  user: postgres
YML

# the first start migrates the schema; the fill goes in behind the gateway's back, then it starts again
start_gateway
stop_gateway
have=$("${pg[@]}" -d "$db" -tAc "SELECT count(*) FROM audit_event WHERE node_id LIKE 'filler-%'")
if [ "$have" -lt "$events" ]; then
  echo "filling $db with $events events ..." >&2
  t0=$(date +%s)
  "${pg[@]}" -d "$db" <<SQL
SELECT count(audit_ensure_partition(now() - make_interval(days => d))) AS partitions FROM generate_series(0, 61) d \\gset
-- 2 nodes, 60 days, 200 people; CN=tanaka,O=Kurume City,C=JP is 1 % of the events; 5 % are denials
INSERT INTO audit_event (node_id, seq, time, event_type, outcome, reason, principal_subject, principal_serial,
    principal_sha256, source_ip, source_port, listener_port, route_id, approval_ref, transfer_id, byte_count,
    payload_sha256, request_id, detail, prev_hash, hash)
SELECT 'filler-' || (i % 2),
       i / 2 + 1,
       now() - interval '60 days' + (i * (interval '60 days' / $events)),
       (ARRAY['REQUEST_ALLOWED','TRANSFER_STARTED','TRANSFER_STORED','TRANSFER_DELIVERED','REQUEST_DENIED'])[1 + i % 5],
       CASE WHEN i % 20 = 0 THEN 'DENY' ELSE 'ALLOW' END,
       CASE WHEN i % 20 = 0 THEN 'APPROVAL_SUSPENDED' END,
       CASE WHEN i % 100 = 7 THEN 'CN=tanaka,O=Kurume City,C=JP'
            ELSE 'CN=user-' || (i % 200) || ',OU=Dept ' || (i % 7) || ',O=Kurume City,C=JP' END,
       to_hex(1000 + i % 200),
       md5('cert' || (i % 200)) || md5('cert2' || (i % 200)),
       '10.1.' || (i % 250) || '.' || (i % 200 + 1),
       40000 + i % 20000,
       8443,
       'route-' || (i % 30),
       (i % 30) || '福第' || (100 + i % 30) || '号',
       md5('transfer' || (i / 4)),
       1000 + i % 100000,
       NULL,
       md5('request' || i),
       '{"bench":true,"n":' || i || '}',
       md5('prev' || i) || md5('prev2' || i),
       md5('hash' || i) || md5('hash2' || i)
FROM generate_series(0, $events - 1) i;
ANALYZE audit_event;
SQL
  echo "filled in $(( $(date +%s) - t0 )) s" >&2
fi
start_gateway
port=$(sed -nE 's/.*admin[^0-9]*127\.0\.0\.1:([0-9]+).*/\1/p' "$work/gateway.out" | head -n 1)
[ -n "$port" ] || { echo "no admin port in:" >&2; cat "$work/gateway.out" >&2; exit 1; }

# one page, timed by the server (Server-Timing: db;dur=…, render;dur=…) and by curl: first byte after TLS
measure() {
  local label=$1 path=$2 i out
  : >"$work/times"
  for i in $(seq 0 "$runs"); do
    out=$(curl -sS -o "$work/page.html" -D "$work/headers" --cacert "$work/pki/ca.pem" \
        --cert "$work/pki/auditor.pem" --key "$work/pki/auditor.key" \
        -w '%{http_code} %{time_appconnect} %{time_starttransfer}' "https://127.0.0.1:$port$path")
    set -- $out
    [ "$1" = 200 ] || { echo "$label: HTTP $1" >&2; head -c 2000 "$work/page.html" >&2; exit 1; }
    [ "$i" = 0 ] && continue # the first one warms the JIT and the caches up
    timing=$(tr -d '\r' <"$work/headers" | sed -nE 's/^[Ss]erver-[Tt]iming: db;dur=([0-9.]+), render;dur=([0-9.]+).*/\1 \2/p')
    echo "$(awk -v a="$2" -v b="$3" 'BEGIN { printf "%.1f", (b - a) * 1000 }') $timing" >>"$work/times"
  done
  rows=$(grep -c '<tr class="event' "$work/page.html" || true)
  total=$(sed -nE 's/.*id="total">([^<]*)<.*/\1/p' "$work/page.html" | head -n 1)
  python3 - "$label" "$rows" "$total" "$work/times" <<'PY'
import statistics, sys
label, rows, total, path = sys.argv[1:5]
cols = list(zip(*[map(float, l.split()) for l in open(path) if l.strip()]))
def med(c): return statistics.median(c)
def p95(c): s = sorted(c); return s[max(0, int(len(s) * 0.95 + 0.5) - 1)]
fb, db, render = cols
print(f"{label:<44} {rows:>3} rows  first byte median {med(fb):6.1f} ms  p95 {p95(fb):6.1f} ms"
      f"  | server db median {med(db):6.1f} ms  p95 {p95(db):6.1f} ms, render median {med(render):4.1f} ms  | {total}")
PY
}

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

echo "events: $("${pg[@]}" -d "$db" -tAc 'SELECT count(*) FROM audit_event'), runs: $runs, java: $("$root/sekisho" --version | head -n 1)"
measure "newest page (GET /console/audit)" "/console/audit"
more=$(sed -nE 's/.*id="more"[^>]*href="([^"]*)".*/\1/p' "$work/page.html" | head -n 1 | sed 's/&amp;/\&/g')
measure "next page (#more: the keyset cursor)" "$more"
measure "principal 'cn=tanaka, o=kurume city, c=jp'" "/console/audit?principal=$(enc 'cn=tanaka, o=kurume city, c=jp')"
measure "principal '/C=JP/O=Kurume City/CN=tanaka'" "/console/audit?principal=$(enc '/C=JP/O=Kurume City/CN=tanaka')"
measure "denials, last 7 days" "/console/audit?outcome=DENY&since=7d"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
