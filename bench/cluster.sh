#!/usr/bin/env bash
# bench/cluster.sh [--quick]: one gateway node, then two, behind HAProxy (issue 15). Prints figures; asserts
# nothing (see docs/scaling.md).
#
#   PostgreSQL  one database made for the run on 127.0.0.1:5432 (user postgres, trust), dropped at the end
#   HAProxy     the release's dist/src/etc/haproxy.cfg with loopback addresses put in: TCP, PROXY v2 from
#               127.0.0.3, health checks on each node's health port
#   nodes       gw1, then gw1 + gw2: own data-dir, the same policy seal key, one shared spool folder
#               (spool.dir; a gateway without that key runs the two nodes on their own spools, which
#               breaks uploads whose connections land on both: the failures are counted and printed)
#
# Each phase runs SENDERS concurrent `sekisho send` processes of a SIZE_MIB MiB random file each through
# HAProxy and prints: throughput (MiB/s of input, transfers/s), failures, and audit events per second of
# each node (the events each node_id wrote during the phase, counted in the store). Phases alternate,
# after one unmeasured warm-up phase through both nodes (each JVM compiles its hot paths once, which
# otherwise lands on whichever phase runs first), ROUNDS times in ABBA order (one two, two one, ...;
# both nodes run throughout; for "one" HAProxy lists gw1 only), so a machine's drifting load falls on
# both alike. Each phase also prints where the CPU went: each node, the senders, and the rest
# (PostgreSQL, HAProxy, the machine). Two nodes on two cores must not be slower than one: the medians
# and their ratio two/one are printed.
#
#   --quick            4 senders of 4 MiB, one round
#   SEKISHO_HOME=DIR   the checkout whose jars run (built by ./sekisho only when client/target/sekisho.jar is missing)
#   BENCH_DIR=DIR      work folder (default: a new mktemp -d); BENCH_KEEP=1 keeps it (logs, configs)
#   BENCH_JAVA_HOME    JDK for Sekisho (default: Temurin 25 when present, else the launcher's choice)
#   GATEWAY_JAVA_OPTS  JVM options for each node (default: -Xmx256m, as ./sekisho gateway runs it)
#   SENDERS, SIZE_MIB, ROUNDS  override the load (default 16, 20 and 4)
# Needs psql, haproxy, ss and curl.
set -euo pipefail

QUICK=0
for a in "$@"; do
  case $a in
    --quick) QUICK=1 ;;
    -h|--help) sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cluster.sh: unknown argument $a (try --help)" >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
SEKISHO_HOME=$(cd "${SEKISHO_HOME:-$HERE/..}" && pwd)
if [ "$QUICK" = 1 ]; then SENDERS=${SENDERS:-4}; SIZE_MIB=${SIZE_MIB:-4}; ROUNDS=${ROUNDS:-1}
else SENDERS=${SENDERS:-16}; SIZE_MIB=${SIZE_MIB:-20}; ROUNDS=${ROUNDS:-4}; fi
ROUTE=bench-cluster
REF=BENCH-CLUSTER-1
CITY="Kurume City"
CONTRACTOR="Contractor K.K."
LB_SOURCE=127.0.0.3 # HAProxy's address towards the nodes: the one they trust for PROXY v2

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
now() { date +%s.%N; }

for t in psql haproxy ss curl; do command -v "$t" >/dev/null || die "$t is missing (Debian: postgresql-client, haproxy, iproute2, curl)"; done
PG=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres)
"${PG[@]}" -d postgres -tAc 'SELECT 1' >/dev/null || die "no PostgreSQL on 127.0.0.1:5432 (user postgres, trust)"

# ---------------------------------------------------------------------------------------------
# Work folder, processes, clean-up
WORK=${BENCH_DIR:-$(mktemp -d /tmp/sekisho-cluster.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
PIDS=()
DB=sekisho_bench_cluster_$$
stop_pid() { # PID: TERM, up to 20 s, then KILL
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  "${PG[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
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

# ---------------------------------------------------------------------------------------------
# Sekisho: JDK, the jars (built only when missing), a private copy
if [ -n "${BENCH_JAVA_HOME:-}" ]; then export JAVA_HOME=$BENCH_JAVA_HOME
elif [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
if [ ! -f "$SEKISHO_HOME/client/target/sekisho.jar" ]; then
  log "building Sekisho in $SEKISHO_HOME"
  "$SEKISHO_HOME/sekisho" --version >"$WORK/build.out" 2>&1 || { cat "$WORK/build.out" >&2; die "the sekisho launcher failed"; }
fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAVA=${JAVA:-$(command -v java)}
mkdir -p "$WORK/app"
flock "$SEKISHO_HOME/.sekisho-build.lock" cp -r "$SEKISHO_HOME/client/target/sekisho.jar" "$SEKISHO_HOME/client/target/lib" "$WORK/app/"
JAR=$WORK/app/sekisho.jar
SEK_REV=$(git -C "$SEKISHO_HOME" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -z "$(git -C "$SEKISHO_HOME" status --porcelain --untracked-files=no 2>/dev/null)" ] || SEK_REV="$SEK_REV+local changes"
# The senders start as a release's `sekisho send` does: with the class-data-sharing archive its launcher
# trains (dist/src/lib/sekisho-java.sh), made here once before any phase so that every phase has it
# (without it each of the 16 JVMs spends most of its CPU reading and linking classes). SEKISHO_CDS=0: none.
# shellcheck source=../dist/src/lib/sekisho-java.sh
. "$SEKISHO_HOME/dist/src/lib/sekisho-java.sh"
launch=(-jar "$JAR")
CDS_OPTS=
if [ "${SEKISHO_CDS:-1}" != 0 ]; then
  cds_opts "$JAVA" "$WORK/cds" "$JAR" >/dev/null
  for _ in $(seq 1200); do compgen -G "$WORK/cds/sekisho-*.jsa" >/dev/null && break; sleep 0.1; done
  CDS_OPTS=$(cds_opts "$JAVA" "$WORK/cds" "$JAR")
  [ -n "$CDS_OPTS" ] || log "no class-data-sharing archive after 120 s: senders start without it"
fi
sek() { "$JAVA" -jar "$JAR" "$@"; }
# shellcheck disable=SC2086
sek_send() { "$JAVA" $CDS_OPTS -jar "$JAR" send "$@"; }

# ---------------------------------------------------------------------------------------------
# PKI, database, input files
PKI=$WORK/pki
{
  sek certs init --dir "$PKI" --org "$CITY"
  for n in city-sender secretariat secretariat2 operator; do sek certs issue --dir "$PKI" --kind client --name "$n"; done
  sek certs issue --dir "$PKI" --kind client --name contractor --org "$CONTRACTOR"
  sek certs issue --dir "$PKI" --kind recipient --name contractor-enc --org "$CONTRACTOR"
} >"$WORK/certs.out" 2>&1 || { cat "$WORK/certs.out" >&2; die "sekisho certs"; }
"${PG[@]}" -d postgres -c "CREATE DATABASE $DB" >/dev/null
SPOOL=$WORK/spool
mkdir -p "$SPOOL" "$WORK/files"
log "writing $SENDERS random files of $SIZE_MIB MiB"
for i in $(seq "$SENDERS"); do head -c $((SIZE_MIB * 1048576)) /dev/urandom >"$WORK/files/in-$i.bin"; done

# ---------------------------------------------------------------------------------------------
# Nodes: gateway.yml each, the shared spool when the gateway takes spool.dir
SHARED_SPOOL=1
declare -A TPORT APORT HPORT NODE_PID
node_config() { # NODE
  local n=$1 d=$WORK/$1
  mkdir -p "$d"
  local trusted="proxy-protocol: { trusted: [$LB_SOURCE/32] }"
  cat >"$d/gateway.yml" <<EOF
node-id: $n
data-dir: data
tls:
  certificate: $PKI/gateway.pem
  key: $PKI/gateway.key
  trust-anchors: [$PKI/ca.pem]
  crls: [$PKI/crl.pem]
listeners:
  transfer: { bind: 127.0.0.1, port: ${TPORT[$n]}, allow: [], $trusted }
  admin:    { bind: 127.0.0.1, port: ${APORT[$n]}, allow: [127.0.0.1/32], admin: true, $trusted }
principals:
  - { subject: "CN=city-sender,O=$CITY", roles: [sender] }
  - { subject: "CN=contractor,O=$CONTRACTOR", roles: [receiver] }
  - { subject: "CN=secretariat,O=$CITY", roles: [secretariat] }
  - { subject: "CN=secretariat2,O=$CITY", roles: [secretariat] }
  - { subject: "CN=operator,O=$CITY", roles: [operator] }
approvals:
  seal-key: $WORK/policy-seal.key
store:
  url: jdbc:postgresql://127.0.0.1:5432/$DB
  user: postgres
health:
  listen: 127.0.0.1:${HPORT[$n]}
  allow: [$LB_SOURCE/32]
EOF
  if [ "$SHARED_SPOOL" = 1 ]; then printf 'spool:\n  dir: %s\n' "$SPOOL" >>"$d/gateway.yml"; fi
}
start_node() { # NODE; 0 when it listens, 1 when it ended at start-up
  local n=$1 d=$WORK/$1
  # shellcheck disable=SC2086
  (cd "$d" && exec "$JAVA" ${GATEWAY_JAVA_OPTS:--Xmx256m} -jar "$JAR" gateway --config "$d/gateway.yml") >"$d/gateway.log" 2>&1 &
  NODE_PID[$n]=$!; PIDS+=("$!")
  for _ in $(seq 900); do
    grep -q ' listening: ' "$d/gateway.log" && return 0
    kill -0 "${NODE_PID[$n]}" 2>/dev/null || return 1
    sleep 0.1
  done
  die "$n did not start within 90 s (log $d/gateway.log)"
}
for n in gw1 gw2; do TPORT[$n]=$(free_port); APORT[$n]=$(free_port); HPORT[$n]=$(free_port); node_config "$n"; done
log "starting gw1"
if ! start_node gw1; then
  if grep -q 'spool' "$WORK/gw1/gateway.log"; then
    log "this gateway takes no spool.dir: each node gets its own spool ($(grep -v '^\s*$' "$WORK/gw1/gateway.log" | tail -n 1 | cut -c1-160))"
    SHARED_SPOOL=0
    for n in gw1 gw2; do node_config "$n"; done
    start_node gw1 || die "gw1 ended at start-up: $(tail -n 5 "$WORK/gw1/gateway.log")"
  else
    die "gw1 ended at start-up: $(tail -n 5 "$WORK/gw1/gateway.log")"
  fi
fi

# The approval and route, through gw1's admin listener
ADMIN=https://127.0.0.1:${APORT[gw1]}
cat >"$WORK/routes.yml" <<EOF
routes:
  - id: $ROUTE
    listener: transfer
    approval: $REF
    senders:   [{ subject: "CN=city-sender,O=$CITY", allow: [127.0.0.1/32] }]
    receivers: [{ subject: "CN=contractor,O=$CONTRACTOR", allow: [127.0.0.1/32] }]
    recipients: [$PKI/contractor-enc.pem]
    max-payload: 4GiB
    retention: 7d
EOF
today=$(TZ=Asia/Tokyo date +%F)
adm() { sek "$@" --gateway "$ADMIN" >>"$WORK/admin.out" 2>&1 || { tail -n 5 "$WORK/admin.out" >&2; die "sekisho $1 $2"; }; }
adm approvals create --ref "$REF" --title "cluster benchmark" --legal-basis "条例第10条第1項第2号" \
  --department 総務部 --contractor "$CONTRACTOR" --items name --max-records 1000000 \
  --valid-from "$(TZ=Asia/Tokyo date -d "$today - 1 day" +%F)" --valid-until "$(TZ=Asia/Tokyo date -d "$today + 1 year" +%F)" \
  --identity "$PKI/secretariat.p12"
adm approvals decide --ref "$REF" --decision approve --reason benchmark --identity "$PKI/secretariat.p12"
adm approvals decide --ref "$REF" --confirm --reason benchmark --identity "$PKI/secretariat2.p12"
adm routes apply "$WORK/routes.yml" --identity "$PKI/operator.p12"

# ---------------------------------------------------------------------------------------------
# HAProxy from the shipped file: NODES... are the servers kept
LB_PORT=$(free_port); LB_ADMIN=$(free_port)
LB_PID=
start_lb() { # NODES...
  local d=$WORK/haproxy keep=" $* "
  mkdir -p "$d"
  sed -e "s#stats socket /run/haproxy/admin.sock#stats socket $d/admin.sock#" \
      -e "s#bind 0.0.0.0:8443#bind 127.0.0.1:$LB_PORT#" -e "s#bind 0.0.0.0:9443#bind 127.0.0.1:$LB_ADMIN#" \
      -e "s#10.0.0.11:8443 port 9444#127.0.0.1:${TPORT[gw1]} port ${HPORT[gw1]}#" \
      -e "s#10.0.0.12:8443 port 9444#127.0.0.1:${TPORT[gw2]} port ${HPORT[gw2]}#" \
      -e "s#10.0.0.11:9443 port 9444#127.0.0.1:${APORT[gw1]} port ${HPORT[gw1]}#" \
      -e "s#10.0.0.12:9443 port 9444#127.0.0.1:${APORT[gw2]} port ${HPORT[gw2]}#" \
      -e "s#\(default-server .*\)#\1 source $LB_SOURCE#" \
      "$SEKISHO_HOME/dist/src/etc/haproxy.cfg" >"$d/haproxy.cfg"
  for n in gw1 gw2; do case $keep in *" $n "*) ;; *) sed -i "/server $n /d" "$d/haproxy.cfg" ;; esac; done
  [ -n "$LB_PID" ] && stop_pid "$LB_PID"
  haproxy -db -f "$d/haproxy.cfg" >>"$d/haproxy.log" 2>&1 &
  LB_PID=$!; PIDS+=("$!")
  for _ in $(seq 200); do # the nodes answer HAProxy's health checks (from its address) and it listens
    local up=0 n
    for n in "$@"; do curl -sf --interface "$LB_SOURCE" -o /dev/null "http://127.0.0.1:${HPORT[$n]}/health" && up=$((up + 1)); done
    [ "$up" = $# ] && ss -Htln "sport = :$LB_PORT" | grep -q . && return 0
    sleep 0.1
  done
  die "HAProxy or the nodes $* not ready (log $d/haproxy.log)"
}

# ---------------------------------------------------------------------------------------------
# One phase: SENDERS concurrent sends through HAProxy
events_per_node() { "${PG[@]}" -d "$DB" -tAF' ' -c "SELECT node_id, count(*) FROM audit_event GROUP BY node_id ORDER BY 1"; }
settled_events() { # the counts once the audit writers have caught up (unchanged for a second)
  local a b
  a=$(events_per_node)
  for _ in $(seq 30); do sleep 1; b=$(events_per_node); [ "$a" = "$b" ] && break; a=$b; done
  echo "$b"
}
# CPU seconds: of one process (its threads), of the whole machine (busy time over all cores), and of this
# shell's reaped children (the senders, from bash's `times`)
CLK=$(getconf CLK_TCK)
cpu_of() { awk -v c="$CLK" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / c }' "/proc/$1/stat" 2>/dev/null || echo 0; }
cpu_machine() { awk -v c="$CLK" '/^cpu / { printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / c; exit }' /proc/stat; }
cpu_children() { # into CHILDREN: `times` must run in this shell (in $(...) it would count the subshell's)
  times >"$WORK/.times"
  CHILDREN=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.2f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$WORK/.times")
}
declare -A SECS MIBS TPS FAILS EVS CPU
phase() { # KEY
  local key=$1 d=$WORK/run-$1 ev0 ev1 t0 t1 pids=() fails=0 c0 c1
  mkdir -p "$d"
  ev0=$(settled_events)
  log "$key: $SENDERS senders of $SIZE_MIB MiB through HAProxy"
  cpu_children
  c0="$(cpu_of "${NODE_PID[gw1]}") $(cpu_of "${NODE_PID[gw2]}") $CHILDREN $(cpu_machine)"
  t0=$(now)
  for i in $(seq "$SENDERS"); do
    sek_send --gateway "https://127.0.0.1:$LB_PORT" --route "$ROUTE" --identity "$PKI/city-sender.p12" \
      --file "$WORK/files/in-$i.bin" --records 1 --restart >"$d/send-$i.log" 2>&1 &
    pids+=("$!")
  done
  for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
  t1=$(now)
  cpu_children
  c1="$(cpu_of "${NODE_PID[gw1]}") $(cpu_of "${NODE_PID[gw2]}") $CHILDREN $(cpu_machine)"
  CPU[$key]=$(echo "$c0 $c1" | awk '{ g1 = $5 - $1; g2 = $6 - $2; s = $7 - $3; m = $8 - $4
    printf "%.1f / %.1f / %.1f / %.1f", g1, g2, s, m - g1 - g2 - s }')
  ev1=$(settled_events)
  SECS[$key]=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  MIBS[$key]=$(awk -v s="${SECS[$key]}" -v n="$SENDERS" -v m="$SIZE_MIB" -v f="$fails" 'BEGIN { printf "%.1f", (n - f) * m / s }')
  TPS[$key]=$(awk -v s="${SECS[$key]}" -v n="$SENDERS" -v f="$fails" 'BEGIN { printf "%.2f", (n - f) / s }')
  FAILS[$key]=$fails
  [ "$fails" = 0 ] || log "$key: $fails sends failed, e.g. $(grep -h 'sekisho send' "$d"/send-*.log | head -n 1)"
  EVS[$key]=$(join -a 2 -e 0 -o 2.1,1.2,2.2 <(echo "$ev0") <(echo "$ev1") \
    | awk -v s="${SECS[$key]}" '{ printf "%s%s %.0f/s", (NR > 1 ? ", " : ""), $1, ($3 - $2) / s }')
}

log "starting gw2"
start_node gw2 || die "gw2 ended at start-up: $(tail -n 5 "$WORK/gw2/gateway.log")"
start_lb gw1 gw2
phase warm-up
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="one two"; else order="two one"; fi
  for k in $order; do
    if [ "$k" = one ]; then start_lb gw1; else start_lb gw1 gw2; fi
    phase "$k-$r"
  done
done
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# ---------------------------------------------------------------------------------------------
# Report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-" }'; }
echo
echo "== bench/cluster.sh $(date -u +%FT%TZ), Sekisho $SEK_REV, $("$JAVA" -version 2>&1 | head -n 1), $(haproxy -v | head -n 1 | cut -d' ' -f1-3), $(nproc) cores"
echo "$SENDERS concurrent sekisho send of $SIZE_MIB MiB each (class-data sharing: $([ -n "$CDS_OPTS" ] && echo on || echo off)) through HAProxy (TCP, PROXY v2), store PostgreSQL on 127.0.0.1, spool $([ "$SHARED_SPOOL" = 1 ] && echo "shared ($SPOOL)" || echo "per node (this gateway has no spool.dir)"); each node ${GATEWAY_JAVA_OPTS:--Xmx256m}"
echo "CPU s: CPU seconds used during the phase by gw1 / gw2 / the senders / the rest (PostgreSQL, HAProxy, the machine)"
printf '| %-9s | %8s | %7s | %11s | %8s | %-24s | %-28s |\n' "nodes" "seconds" "MiB/s" "transfers/s" "failures" "CPU s gw1/gw2/send/rest" "audit events/s per node"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "-----------" "----------" "---------" "-------------" "----------" "--------------------------" "------------------------------"
row() { printf '| %-9s | %8s | %7s | %11s | %8s | %-24s | %-28s |\n' "$1" "${SECS[$2]}" "${MIBS[$2]}" "${TPS[$2]}" "${FAILS[$2]}" "${CPU[$2]}" "${EVS[$2]}"; }
row "warm-up" warm-up
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="one two"; else order="two one"; fi
  for k in $order; do row "$k ($r)" "$k-$r"; done
done
echo
M1=$(for r in $(seq "$ROUNDS"); do echo "${MIBS[one-$r]}"; done | median)
M2=$(for r in $(seq "$ROUNDS"); do echo "${MIBS[two-$r]}"; done | median)
T1=$(for r in $(seq "$ROUNDS"); do echo "${TPS[one-$r]}"; done | median)
T2=$(for r in $(seq "$ROUNDS"); do echo "${TPS[two-$r]}"; done | median)
echo "medians over $ROUNDS rounds (the warm-up not counted): one node $M1 MiB/s ($T1 transfers/s), two nodes $M2 MiB/s ($T2 transfers/s)"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the machine count against both alike)"
echo "two nodes / one node, median MiB/s: $(ratio "$M2" "$M1") (target >= 1.00 on two cores; failures count against it)"
