#!/usr/bin/env bash
# bench/relay.sh [--quick]: the relay (issue 14) against nginx's proxy_pass in front of the same upstream,
# and direct to the upstream. Prints figures; asserts nothing (see docs/benchmarks.md).
#
#   upstream   nginx, TLS, a small static page and a 1 GiB file, client certificate required (the
#              gateway's CA) on the port the proxies use; a second port of the same server without client
#              certificates for wrk's direct baseline (wrk cannot present one; with keep-alive only the
#              handshakes differ)
#   nginx      TLS 1.3 reverse proxy (the gateway's certificate), proxy_pass https://upstream with the gateway's
#              client certificate and the upstream CA pinned, keep-alive pool, Cache-Control: no-store added
#   Sekisho    the gateway with a relay listener and route (terminal-mode tls), audit store on PostgreSQL
#
# wrk (Debian) at 32 connections for LOAD_SECONDS each (after a warm-up), then a 1 GiB download with curl
# through each proxy. Targets (issue 14): relay req/s >= 80% of nginx's, added p99 <= 2 ms over direct, every
# request audited (RELAY_REQUEST events counted in the store), zero errors; 1 GiB through the relay >= 80% of
# nginx's throughput.
#
#   --quick            5 s load runs, a 256 MiB download
#   SEKISHO_HOME=DIR   the Sekisho checkout to build and run (default: this script's ../)
#   BENCH_DIR=DIR      work folder (default: a new mktemp -d); BENCH_KEEP=1 keeps it (logs, configs)
#   BENCH_JAVA_HOME    JDK for Sekisho (default: Temurin 25 when present, else the launcher's choice)
#   GATEWAY_JAVA_OPTS  JVM options for the gateway (default: -Xmx256m, as ./sekisho gateway runs it)
#   LOAD_SECONDS, LOAD_WARMUP, CONNECTIONS, BIG_MIB  override the sizes
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust; a database is created and dropped), psql,
# curl, nginx and wrk (installed with apt-get when missing).
set -euo pipefail

QUICK=0
for a in "$@"; do
  case $a in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "relay.sh: unknown argument $a (try --help)" >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
SEKISHO_HOME=$(cd "${SEKISHO_HOME:-$HERE/..}" && pwd)
if [ "$QUICK" = 1 ]; then
  LOAD_SECONDS=${LOAD_SECONDS:-5}; LOAD_WARMUP=${LOAD_WARMUP:-2}; BIG_MIB=${BIG_MIB:-256}
else
  LOAD_SECONDS=${LOAD_SECONDS:-15}; LOAD_WARMUP=${LOAD_WARMUP:-5}; BIG_MIB=${BIG_MIB:-1024}
fi
CONNECTIONS=${CONNECTIONS:-32}
ROUTE=bench-relay
REF=BENCH-RELAY-1
CITY="Kurume City"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Tools
need_pkgs=()
command -v curl >/dev/null || need_pkgs+=(curl)
command -v wrk >/dev/null || need_pkgs+=(wrk)
command -v psql >/dev/null || need_pkgs+=(postgresql-client)
command -v ss >/dev/null || need_pkgs+=(iproute2)
[ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing ${need_pkgs[*]} with apt-get"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
PG=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)
"${PG[@]}" -d postgres -tAc 'SELECT 1' >/dev/null || die "no PostgreSQL on 127.0.0.1:5432 (user postgres, trust)"

# ---------------------------------------------------------------------------------------------
# Work folder, processes, clean-up
WORK=${BENCH_DIR:-$(mktemp -d /tmp/sekisho-relay.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
PIDS=()
DB=sekisho_bench_relay_$$
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  "${PG[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
  if [ "${BENCH_KEEP:-}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    ss -Htln "sport = :$p" | grep -q . && continue
    case " ${USED_PORTS:-} " in *" $p "*) continue ;; esac
    USED_PORTS="${USED_PORTS:-} $p"; echo "$p"; return
  done
}
wait_port() { # PORT PID NAME LOG
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 30 "$4" >&2; die "$3 exited (log $4)"; }
    sleep 0.1
  done
  die "$3 did not listen on $1 within 60 s"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-" }'; }

# ---------------------------------------------------------------------------------------------
# Sekisho: JDK, build, a private copy of the jar (as bench/handoff.sh)
if [ -n "${BENCH_JAVA_HOME:-}" ]; then export JAVA_HOME=$BENCH_JAVA_HOME
elif [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
log "building Sekisho in $SEKISHO_HOME if needed"
"$SEKISHO_HOME/sekisho" --version >"$WORK/build.out" 2>&1 || { cat "$WORK/build.out" >&2; die "the sekisho launcher failed"; }
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAVA=${JAVA:-$(command -v java)}
mkdir -p "$WORK/app"
flock "$SEKISHO_HOME/.sekisho-build.lock" cp -r "$SEKISHO_HOME/client/target/sekisho.jar" "$SEKISHO_HOME/client/target/lib" "$WORK/app/"
JAR=$WORK/app/sekisho.jar
SEK_REV=$(git -C "$SEKISHO_HOME" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -z "$(git -C "$SEKISHO_HOME" status --porcelain --untracked-files=no 2>/dev/null)" ] || SEK_REV="$SEK_REV+local changes"
sek() { "$JAVA" -jar "$JAR" "$@"; }

# ---------------------------------------------------------------------------------------------
# PKIs: the city's (gateway server certificate, the gateway's client certificate towards upstreams, people)
# and the contractor datacenter's (the upstream's server certificate)
PKI=$WORK/pki
UPKI=$WORK/upstream-pki
{
  sek certs init --dir "$PKI" --org "$CITY"
  for n in secretariat secretariat2 operator gateway-client; do sek certs issue --dir "$PKI" --kind client --name "$n"; done
  sek certs init --dir "$UPKI" --org "Contractor DC"
  sek certs issue --dir "$UPKI" --kind server --name upstream --dns localhost --ip 127.0.0.1
} >"$WORK/certs.out" 2>&1 || { cat "$WORK/certs.out" >&2; die "sekisho certs"; }

# ---------------------------------------------------------------------------------------------
# The upstream: nginx with a small page and the big file
U=$WORK/upstream
mkdir -p "$U/root/big" "$U/tmp" "$U/logs"
UPORT=$(free_port); DPORT=$(free_port)
printf '<!doctype html><html lang="ja"><meta charset="utf-8"><title>給与</title><h1>久留米市 給与システム</h1><p>%s</p></html>\n' \
  "$(head -c 300 /dev/zero | tr '\0' 'x')" >"$U/root/index.html"
SMALL_BYTES=$(stat -c %s "$U/root/index.html")
log "writing the $BIG_MIB MiB file"
head -c $((BIG_MIB * 1048576)) /dev/urandom >"$U/root/big/big.bin"
BIG_BYTES=$(stat -c %s "$U/root/big/big.bin")
USER_LINE=; [ "$(id -u)" = 0 ] && USER_LINE="user root;"
nginx_common() { # NAME
  cat <<EOF
$USER_LINE
worker_processes auto;
pid $WORK/$1/nginx.pid;
error_log $WORK/$1/logs/error.log warn;
events { worker_connections 4096; }
EOF
}
nginx_temp() { # NAME
  local t=$WORK/$1/tmp
  echo "  client_body_temp_path $t/body; proxy_temp_path $t/proxy; fastcgi_temp_path $t/fastcgi; uwsgi_temp_path $t/uwsgi; scgi_temp_path $t/scgi;"
}
{
  nginx_common upstream
  cat <<EOF
http {
  access_log off;
$(nginx_temp upstream)
  types { text/html html; application/octet-stream bin; }
  sendfile on;
  keepalive_requests 1000000;
  ssl_certificate $UPKI/upstream.pem;
  ssl_certificate_key $UPKI/upstream.key;
  ssl_protocols TLSv1.3;
  root $U/root;
  server { listen 127.0.0.1:$UPORT ssl; ssl_client_certificate $PKI/ca.pem; ssl_verify_client on; }
  server { listen 127.0.0.1:$DPORT ssl; }
}
EOF
} >"$U/nginx.conf"
/usr/sbin/nginx -p "$U" -c "$U/nginx.conf" -g 'daemon off;' -e "$U/logs/error.log" >"$U/logs/stdout.log" 2>&1 &
PIDS+=("$!"); wait_port "$UPORT" "$!" "upstream nginx" "$U/logs/error.log"

# ---------------------------------------------------------------------------------------------
# nginx as the reverse proxy, with the gateway's settings: TLS 1.3 and its certificate towards terminals,
# the gateway's client certificate and the pinned upstream CA towards the upstream, keep-alive, no-store.
N=$WORK/proxy
mkdir -p "$N/tmp" "$N/logs"
NPORT=$(free_port)
{
  nginx_common proxy
  cat <<EOF
http {
  access_log off;
$(nginx_temp proxy)
  upstream payroll { server 127.0.0.1:$UPORT; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:$NPORT ssl;
    keepalive_requests 1000000;
    ssl_certificate $PKI/gateway.pem;
    ssl_certificate_key $PKI/gateway.key;
    ssl_protocols TLSv1.3;
    location / {
      proxy_pass https://payroll;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_ssl_certificate $PKI/gateway-client.pem;
      proxy_ssl_certificate_key $PKI/gateway-client.key;
      proxy_ssl_trusted_certificate $UPKI/ca.pem;
      proxy_ssl_verify on;
      proxy_ssl_name localhost; # nginx matches DNS names only, not IP SANs
      proxy_ssl_session_reuse on;
      proxy_ssl_protocols TLSv1.3;
      proxy_max_temp_file_size 0;
      add_header Cache-Control no-store always;
    }
  }
}
EOF
} >"$N/nginx.conf"
/usr/sbin/nginx -p "$N" -c "$N/nginx.conf" -g 'daemon off;' -e "$N/logs/error.log" >"$N/logs/stdout.log" 2>&1 &
PIDS+=("$!"); wait_port "$NPORT" "$!" "proxy nginx" "$N/logs/error.log"
curl -sS --fail -o /dev/null --cacert "$PKI/ca.pem" "https://127.0.0.1:$NPORT/" || die "nginx proxy does not answer (see $N/logs/error.log)"

# ---------------------------------------------------------------------------------------------
# The gateway: a relay listener and route to the same upstream port, the store on PostgreSQL
GW=$WORK/gateway
mkdir -p "$GW"
"${PG[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
APORT=$(free_port); RPORT=$(free_port); TPORT=$(free_port)
cat >"$GW/gateway.yml" <<EOF
node-id: bench-relay
data-dir: data
tls:
  certificate: $PKI/gateway.pem
  key: $PKI/gateway.key
  trust-anchors: [$PKI/ca.pem]
  crls: [$PKI/crl.pem]
listeners:
  transfer: { bind: 127.0.0.1, port: $TPORT, allow: [127.0.0.1/32] }
  admin:    { bind: 127.0.0.1, port: $APORT, allow: [127.0.0.1/32], admin: true }
  payroll-web: { kind: relay, bind: 127.0.0.1, port: $RPORT, allow: [] }
relay:
  client-certificate: $PKI/gateway-client.pem
  client-key: $PKI/gateway-client.key
principals:
  - { subject: "CN=secretariat,O=$CITY", roles: [secretariat] }
  - { subject: "CN=secretariat2,O=$CITY", roles: [secretariat] }
  - { subject: "CN=operator,O=$CITY", roles: [operator] }
approvals:
  two-person-rule: true
store:
  url: jdbc:postgresql://127.0.0.1:5432/$DB
  user: postgres
EOF
cat >"$GW/routes.yml" <<EOF
routes:
  - id: $ROUTE
    kind: relay
    listener: payroll-web
    approval: $REF
    terminal-mode: tls
    terminals:
      - allow: [127.0.0.1/32]
    upstream:
      url: https://127.0.0.1:$UPORT
      ca: $UPKI/ca.pem
    methods: [GET, HEAD]
    paths: [/]
EOF
HAS_RELAY=0
RELAY_WHY=
log "starting the gateway (relay listener 127.0.0.1:$RPORT)"
# shellcheck disable=SC2086
(cd "$GW" && exec "$JAVA" ${GATEWAY_JAVA_OPTS:--Xmx256m} -jar "$JAR" gateway --config "$GW/gateway.yml") >"$GW/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=("$GW_PID")
for _ in $(seq 600); do grep -q listening "$GW/gateway.log" && break; kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
if ! grep -q listening "$GW/gateway.log"; then
  RELAY_WHY="the gateway did not start with a relay listener: $(grep -v '^\s*$' "$GW/gateway.log" | tail -n 1 | cut -c1-200)"
else
  ADMIN=https://127.0.0.1:$APORT
  today=$(TZ=Asia/Tokyo date +%F)
  adm() { sek "$@" --gateway "$ADMIN" >>"$GW/admin.out" 2>&1; }
  if adm approvals create --ref "$REF" --title "relay benchmark" --legal-basis "条例第10条第1項第2号" \
       --department 総務部 --contractor "Contractor DC" --items name,salary --max-records 1000000 \
       --valid-from "$(TZ=Asia/Tokyo date -d "$today - 1 day" +%F)" \
       --valid-until "$(TZ=Asia/Tokyo date -d "$today + 1 year" +%F)" --identity "$PKI/secretariat.p12" \
     && adm approvals decide --ref "$REF" --decision approve --reason benchmark --identity "$PKI/secretariat.p12" \
     && adm approvals decide --ref "$REF" --confirm --reason benchmark --identity "$PKI/secretariat2.p12"; then
    if adm routes apply "$GW/routes.yml" --identity "$PKI/operator.p12"; then
      for _ in $(seq 50); do
        curl -sS --fail -o /dev/null --cacert "$PKI/ca.pem" "https://127.0.0.1:$RPORT/" 2>>"$GW/probe.out" && { HAS_RELAY=1; break; }
        sleep 0.2
      done
      [ "$HAS_RELAY" = 1 ] || RELAY_WHY="the relay did not answer: $(tail -n 1 "$GW/probe.out")"
    else
      RELAY_WHY="routes apply refused the relay route: $(grep -v '^\s*$' "$GW/admin.out" | tail -n 1 | cut -c1-200)"
    fi
  else
    RELAY_WHY="approvals: $(tail -n 1 "$GW/admin.out")"
  fi
fi
[ "$HAS_RELAY" = 1 ] || log "Sekisho relay rows skipped: $RELAY_WHY"
relay_events() { "${PG[@]}" -d "$DB" -tAc "SELECT count(*) FROM audit_event WHERE event_type = 'RELAY_REQUEST' AND route_id = '$ROUTE'"; }
settled_events() { # the count once the audit writer has caught up (unchanged for a second)
  local a b
  a=$(relay_events)
  for _ in $(seq 30); do sleep 1; b=$(relay_events); [ "$a" = "$b" ] && break; a=$b; done
  echo "$b"
}

# ---------------------------------------------------------------------------------------------
# Load: wrk --latency; req/s, p50, p99 (ms), requests, errors (socket errors + non-2xx/3xx)
declare -A RPS P50 P99 REQS ERRS
to_ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us$/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v) } else if (v ~ /s$/) { sub(/s$/, "", v); v *= 1000 } ; printf "%.2f", v }'; }
load() { # KEY URL
  local key=$1 url=$2 out=$WORK/wrk-$1.txt
  log "wrk $key: $url (warm-up ${LOAD_WARMUP} s, then ${LOAD_SECONDS} s at $CONNECTIONS connections)"
  wrk -t2 -c"$CONNECTIONS" -d"${LOAD_WARMUP}s" "$url" >/dev/null 2>&1 || true
  [ "$key" = relay ] && EV0=$(settled_events) # the warm-up's events are all in before the count starts
  wrk -t2 -c"$CONNECTIONS" -d"${LOAD_SECONDS}s" --timeout 10s --latency "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk $key"; }
  RPS[$key]=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
  P50[$key]=$(awk '$1 == "50%" { print $2 }' "$out" | to_ms)
  P99[$key]=$(awk '$1 == "99%" { print $2 }' "$out" | to_ms)
  REQS[$key]=$(awk '/requests in/ { print $1 }' "$out")
  local sock non2xx
  sock=$(awk -F'[ ,]+' '/Socket errors:/ { print $4 + $6 + $8 + $10 }' "$out")
  non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  ERRS[$key]=$(( ${sock:-0} + ${non2xx:-0} ))
}
load direct "https://127.0.0.1:$DPORT/index.html"
load nginx "https://127.0.0.1:$NPORT/index.html"
if [ "$HAS_RELAY" = 1 ]; then
  load relay "https://127.0.0.1:$RPORT/index.html"
  # events are written behind the answers: count them once the writer has caught up
  EV1=$(settled_events)
  AUDITED=$((EV1 - EV0))
fi

# ---------------------------------------------------------------------------------------------
# The big download, through each proxy (curl to /dev/null; MB/s = 10^6 bytes/s)
declare -A MBS
download() { # KEY URL
  local key=$1 out=$WORK/curl-$1.txt
  log "download $key: $BIG_MIB MiB"
  curl -sS --fail -o /dev/null --cacert "$PKI/ca.pem" -w '%{size_download} %{speed_download}\n' "$2" >"$out" 2>&1 \
    || { cat "$out" >&2; die "curl $key"; }
  read -r got speed <"$out"
  [ "$got" = "$BIG_BYTES" ] || die "$key: $got bytes, not $BIG_BYTES"
  MBS[$key]=$(awk -v s="$speed" 'BEGIN { printf "%.0f", s / 1e6 }')
}
download nginx "https://127.0.0.1:$NPORT/big/big.bin"
[ "$HAS_RELAY" = 1 ] && download relay "https://127.0.0.1:$RPORT/big/big.bin"
GW_RSS=$(awk '$1 == "VmHWM:" { printf "%.0f", $2 / 1024 }' "/proc/$GW_PID/status" 2>/dev/null || echo -)

# ---------------------------------------------------------------------------------------------
# Report
echo
echo "== bench/relay.sh $(date -u +%FT%TZ), Sekisho $SEK_REV, $("$JAVA" -version 2>&1 | head -n 1), nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///'), $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2), $(nproc) cores"
echo "small GET: $SMALL_BYTES bytes, wrk -t2 -c$CONNECTIONS -d${LOAD_SECONDS}s, TLS 1.3 everywhere; the gateway ${GATEWAY_JAVA_OPTS:--Xmx256m}"
printf '| %-34s | %9s | %7s | %7s | %9s | %6s |\n' "" "req/s" "p50 ms" "p99 ms" "requests" "errors"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "-----------" "---------" "---------" "-----------" "--------"
row() { printf '| %-34s | %9s | %7s | %7s | %9s | %6s |\n' "$1" "${RPS[$2]}" "${P50[$2]}" "${P99[$2]}" "${REQS[$2]}" "${ERRS[$2]}"; }
row "direct to the upstream (no cert)" direct
row "nginx proxy_pass" nginx
[ "$HAS_RELAY" = 1 ] && row "Sekisho relay" relay
echo
if [ "$HAS_RELAY" = 1 ]; then
  R_RPS=$(ratio "${RPS[relay]}" "${RPS[nginx]}")
  ADDED=$(awk -v a="${P99[relay]}" -v b="${P99[direct]}" 'BEGIN { printf "%.2f", a - b }')
  NGINX_ADDED=$(awk -v a="${P99[nginx]}" -v b="${P99[direct]}" 'BEGIN { printf "%.2f", a - b }')
  R_MBS=$(ratio "${MBS[relay]}" "${MBS[nginx]}")
  verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "NOT met"; fi; } # $1: an awk condition
  echo "req/s relay / nginx: $R_RPS (target >= 0.80: $(verdict "$R_RPS >= 0.80"))"
  echo "p99 added over direct: relay $ADDED ms, nginx $NGINX_ADDED ms (target relay <= 2 ms: $(verdict "$ADDED <= 2"))"
  echo "errors: relay ${ERRS[relay]}, nginx ${ERRS[nginx]}, direct ${ERRS[direct]} (target 0: $(verdict "${ERRS[relay]} == 0"))"
  echo "audited: $AUDITED RELAY_REQUEST events for ${REQS[relay]} requests wrk completed (up to $CONNECTIONS more were in flight when wrk stopped; target: every request: $(verdict "$AUDITED >= ${REQS[relay]} && $AUDITED <= ${REQS[relay]} + $CONNECTIONS"))"
  echo "$BIG_MIB MiB download: nginx ${MBS[nginx]} MB/s, relay ${MBS[relay]} MB/s, ratio $R_MBS (target >= 0.80: $(verdict "$R_MBS >= 0.80"))"
  echo "gateway peak RSS (VmHWM): $GW_RSS MiB"
else
  echo "$BIG_MIB MiB download: nginx ${MBS[nginx]} MB/s"
  echo "Sekisho relay: not measured ($RELAY_WHY)"
fi
