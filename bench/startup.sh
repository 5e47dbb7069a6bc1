#!/usr/bin/env bash
# Gateway start-up time with the embedded store: a fresh JVM from launch to the "listening" line,
# first on a new data folder (initdb + migrations), then restarts on it. Prints one line per run.
# Usage: bench/startup.sh [RESTARTS]   (default 5). Target (issue 7): under 5 s on this machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/sekisho" certs init --dir "$work/pki" >/dev/null
cat >"$work/gateway.yml" <<YML
node-id: bench
tls: { certificate: pki/gateway.pem, key: pki/gateway.key, trust-anchors: [pki/ca.pem], crls: [pki/crl.pem] }
listeners:
  transfer: { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32] }
  admin:    { bind: 127.0.0.1, port: 0, allow: [127.0.0.1/32], admin: true }
YML
start_once() {
  local t0 t1 pid
  t0=$(date +%s%N)
  "$root/sekisho" gateway --config "$work/gateway.yml" >"$work/out" 2>&1 &
  pid=$!
  until grep -q "listening:" "$work/out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/out" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  echo $(( (t1 - t0) / 1000000 ))
}
echo "java: $("$root/sekisho" --version | head -n 1)"
echo "first run (initdb + migrations): $(start_once) ms"
for i in $(seq 1 "$runs"); do
  echo "restart $i: $(start_once) ms"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
