#!/usr/bin/env bash
# bench/handoff.sh [--quick]: the whole hand-off through Sekisho against the usual way (gpg + sftp),
# the raw TLS upload floor (curl PUT into nginx with client certificates), the gateway's memory, and
# the request overhead (allowed and denied small requests at a concurrency of 64). See docs/benchmarks.md.
#
# Everything runs on loopback ports from a temporary folder, each service with its own configuration
# there, and is stopped at the end. Missing Debian packages are installed with apt-get.
#
#   --quick            small sizes (20,000-row CSV, 64 MiB random file, 5 s load runs) for a fast check
#   SEKISHO_HOME=DIR   the Sekisho checkout to build and run (default: this script's ../)
#   BENCH_DIR=DIR      work folder (default: a new mktemp -d; needs ~10x the random file size free)
#   BENCH_KEEP=1       keep the work folder (logs, configs) at the end; BENCH_REPORT=FILE  also write the report there
#   BENCH_JAVA_HOME    JDK for the Sekisho client and gateway (default: Temurin 25 when present, else the launcher's choice)
#   GATEWAY_JAVA_OPTS  JVM options for the gateway only (default: -Xmx256m, as ./sekisho gateway runs it)
#   RANDOM_MIB, CSV_ROWS, LOAD_SECONDS, LOAD_WARMUP, UPLOAD_ROUNDS  override the sizes
#   CLI_RUNS (9), SMALL_RUNS (5)  runs behind the CLI start and the 1,000-row hand-off medians
#   AGENT_RUNS (5), AGENT_RUNS_FULL (3), AGENT_RUNS_BIG (3; 1 with --wan), AGENT_POLL (1s)  the agent drop-to-inbox medians
#                      for 1,000 rows, CSV_ROWS rows and the random file (see the agent block)
#   --sizes LIST       which hand-offs to run, comma-separated: 1k (the 1,000-row CSV), csv (CSV_ROWS rows),
#                      1g (the RANDOM_MIB random file); default all three. Without 1g there are no upload rounds.
#   HANDOFF_RUNS       hand-offs behind each csv and 1g figure, reported as medians (default 1; 3 with --wan)
#   --wan RATE         the hand-offs on a shaped link (e.g. 100mbit, 1gbit): everything runs inside a network
#                      namespace made for the run, whose loopback limits the gateway's transfer port, sshd's and
#                      nginx's to RATE with htb (the admin listener and the rest stay local). Needs root, ip and
#                      tc with htb and u32. Reports each size against the link's floor; skips the upload rounds
#                      and the request-overhead runs. WAN_CHECK_MIB (64): the shaping check's upload size.
set -euo pipefail

QUICK=0
WAN_RATE=
WAN_NETNS= # set inside the namespace (internal flag --wan-inside NAME)
SIZES=1k,csv,1g
ARGS=("$@")
while [ $# -gt 0 ]; do
  case $1 in
    --quick) QUICK=1 ;;
    --wan) [ $# -ge 2 ] || { echo "handoff.sh: --wan needs a rate, e.g. --wan 100mbit" >&2; exit 2; }; WAN_RATE=$2; shift ;;
    --wan=*) WAN_RATE=${1#--wan=} ;;
    --wan-inside) WAN_NETNS=$2; shift ;;
    --sizes) [ $# -ge 2 ] || { echo "handoff.sh: --sizes needs a list, e.g. --sizes 1k,csv" >&2; exit 2; }; SIZES=$2; shift ;;
    --sizes=*) SIZES=${1#--sizes=} ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "handoff.sh: unknown argument $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done
DO_K1=0; DO_CSV=0; DO_RND=0
IFS=, read -ra _sizes <<<"$SIZES"
for z in "${_sizes[@]}"; do
  case $z in
    1k|1000) DO_K1=1 ;;
    csv|305k) DO_CSV=1 ;;
    1g|rnd|random) DO_RND=1 ;;
    *) echo "handoff.sh: --sizes takes 1k, csv and 1g (comma-separated), not '$z'" >&2; exit 2 ;;
  esac
done

HERE=$(cd "$(dirname "$0")" && pwd)
SEKISHO_HOME=$(cd "${SEKISHO_HOME:-$HERE/..}" && pwd)
if [ "$QUICK" = 1 ]; then
  CSV_ROWS=${CSV_ROWS:-20000}; RANDOM_MIB=${RANDOM_MIB:-64}; LOAD_WARMUP=${LOAD_WARMUP:-2}; LOAD_SECONDS=${LOAD_SECONDS:-5}
  UPLOAD_ROUNDS=${UPLOAD_ROUNDS:-2}
else
  CSV_ROWS=${CSV_ROWS:-305115}; RANDOM_MIB=${RANDOM_MIB:-1024}; LOAD_WARMUP=${LOAD_WARMUP:-5}; LOAD_SECONDS=${LOAD_SECONDS:-15}
  UPLOAD_ROUNDS=${UPLOAD_ROUNDS:-3}
fi
CONCURRENCY=64
ROUTE=bench-route
REF=BENCH-1
CITY="Kurume City"
CONTRACTOR="Contractor K.K."

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# Tools
need_pkgs=()
command -v gpg >/dev/null || need_pkgs+=(gnupg)
command -v curl >/dev/null || need_pkgs+=(curl)
command -v sftp >/dev/null || need_pkgs+=(openssh-client)
[ -x /usr/sbin/sshd ] || need_pkgs+=(openssh-server)
[ -x /usr/sbin/nginx ] || need_pkgs+=(nginx)
command -v ss >/dev/null || need_pkgs+=(iproute2)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing ${need_pkgs[*]} with apt-get"
  $SUDO apt-get update -qq
  # policy-rc.d or not: we never use the packaged services, only the binaries.
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

# ---------------------------------------------------------------------------------------------
# --wan RATE: a shaped link. The script runs again inside a network namespace of its own (its loopback
# is private, so nobody else's traffic is shaped), whose lo gets an htb root: the ports that cross the
# link in a real hand-off (the gateway's transfer listener, sshd, nginx's floor) go through a class at
# RATE, everything else (admin listener, embedded store, the unshaped nginx port) through a fast default.
# This kernel has htb and u32 but no netem or tbf: bandwidth only, no added delay.
WAN_BPS= # the rate in bits per second
wan_parse_rate() { # RATE -> bits per second, or fails
  awk -v r="$1" 'BEGIN { if (match(r, /^[0-9]+(\.[0-9]+)?(kbit|mbit|gbit)$/) == 0) exit 1
    n = r + 0; u = substr(r, length(r) - 3); m = (u == "kbit") ? 1e3 : (u == "mbit") ? 1e6 : 1e9
    b = n * m; if (b < 1e6 || b > 1e10) exit 1; printf "%.0f", b }'
}
wan_fail() { echo "handoff.sh --wan: $*" >&2; exit 2; }
# In the calling shell: make the namespace, run this script inside it, remove the namespace at exit.
wan_enter() {
  [ -n "$WAN_RATE" ] || return 0
  WAN_BPS=$(wan_parse_rate "$WAN_RATE") || wan_fail "'$WAN_RATE' is not a rate from 1mbit to 10gbit (e.g. 100mbit or 1gbit)"
  [ -z "$WAN_NETNS" ] || return 0 # inside already
  [ "$(id -u)" = 0 ] || wan_fail "needs root to create a network namespace and shape its loopback; run it as root (sudo $0 ${ARGS[*]})"
  command -v ip >/dev/null && command -v tc >/dev/null || wan_fail "needs ip and tc (Debian: apt-get install iproute2)"
  # Build outside: the namespace has no network for Maven.
  log "building Sekisho in $SEKISHO_HOME if needed (before entering the namespace)"
  "$SEKISHO_HOME/sekisho" --version >/dev/null 2>&1 || wan_fail "the sekisho launcher failed; run $SEKISHO_HOME/sekisho --version to see why"
  WAN_NETNS=sekisho-bench-$$
  ip netns add "$WAN_NETNS" 2>/dev/null || wan_fail "ip netns add $WAN_NETNS failed (no network namespaces here?): $(ip netns add "$WAN_NETNS" 2>&1)"
  trap wan_cleanup EXIT
  trap 'exit 130' INT TERM # until the run starts; then wan_cleanup ends it (below)
  ip netns exec "$WAN_NETNS" ip link set lo up || wan_fail "cannot bring up lo in $WAN_NETNS"
  # htb and u32 present? Try them before the run spends minutes on set-up.
  ip netns exec "$WAN_NETNS" tc qdisc add dev lo root handle 1: htb default 20 2>/dev/null &&
    ip netns exec "$WAN_NETNS" tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dport 9 0xffff flowid 1:10 2>/dev/null ||
    wan_fail "this kernel cannot shape with tc htb and u32 (modules sch_htb, cls_u32); load them (modprobe sch_htb cls_u32) or run without --wan"
  ip netns exec "$WAN_NETNS" tc qdisc del dev lo root
  log "running inside network namespace $WAN_NETNS, link $WAN_RATE"
  # In the background, so that a signal here is handled at once: wan_cleanup then ends everything in the
  # namespace (the inner run's trap deletes its work folder), rather than waiting for the run to finish.
  local rc=0
  ip netns exec "$WAN_NETNS" "$0" "${ARGS[@]}" --wan-inside "$WAN_NETNS" &
  trap 'exit 130' INT TERM
  wait $! || rc=$?
  exit "$rc"
}
wan_cleanup() { # in the calling shell: end what is left in the namespace (processes this run started), remove it
  local rc=$?
  local p pids
  pids=$(ip netns pids "$WAN_NETNS" 2>/dev/null || true)
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 100); do [ -z "$(ip netns pids "$WAN_NETNS" 2>/dev/null)" ] && break; sleep 0.1; done
  for p in $(ip netns pids "$WAN_NETNS" 2>/dev/null || true); do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$WAN_NETNS" 2>/dev/null && log "removed network namespace $WAN_NETNS" || log "could not remove network namespace $WAN_NETNS (ip netns del $WAN_NETNS)"
  exit "$rc"
}
# Inside: the htb tree on lo. Loopback's MTU is 65536, so each class gets a quantum and bursts of a few
# whole 64 KiB packets (r2q's default would give 100mbit a quantum of 1250 bytes, below one packet).
WAN_PORTS=()
wan_shape() { # PORT...: these ports (either direction) at the link's rate
  WAN_PORTS=("$@")
  local q=(quantum 65536 burst 256k cburst 256k) p
  tc qdisc replace dev lo root handle 1: htb default 20 r2q 1000 || wan_fail "tc qdisc add dev lo root htb failed"
  tc class add dev lo parent 1: classid 1:10 htb rate "$WAN_RATE" ceil "$WAN_RATE" "${q[@]}"
  tc class add dev lo parent 1: classid 1:20 htb rate 20gbit ceil 20gbit "${q[@]}"
  for p in "$@"; do
    tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dport "$p" 0xffff flowid 1:10
    tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip sport "$p" 0xffff flowid 1:10
  done
  log "link: ports ${*} shaped to $WAN_RATE on lo in $WAN_NETNS; the rest unshaped"
}
wan_sent() { # CLASS -> bytes sent through it so far
  tc -s class show dev lo classid "$1" | awk '/Sent/ { print $2; exit }'
}
# The shaping check: WAN_CHECK_MIB through nginx on its shaped port and on its unshaped one, with the
# class counters. Fails the run when the shaped port is not held to the rate (or the counters stand still).
wan_check() { # SHAPED_PORT FAST_PORT
  local mib=${WAN_CHECK_MIB:-64} f=$WORK/files/wan-check.bin port name s0 s1 t0 t
  head -c $((mib * 1048576)) /dev/urandom >"$f"
  for port in "$1" "$2"; do
    name=shaped; [ "$port" = "$2" ] && name=unshaped
    s0=$(wan_sent 1:10); t0=$(now)
    curl -sS --fail -o /dev/null -H 'Expect:' --cacert "$PKI/ca.pem" --cert "$PKI/city-sender.pem" \
      --key "$PKI/city-sender.key" -T "$f" "https://127.0.0.1:$port/up/wan-check.bin" || die "the shaping check's upload to port $port failed"
    t=$(elapsed "$t0" "$(now)"); s1=$(wan_sent 1:10)
    R[wan_check_$name]=$(mbps "$((mib * 1048576))" "$t")
    R[wan_check_${name}_class]=$((s1 - s0))
    rm -f "$N/root/up/wan-check.bin"
  done
  rm -f "$f"
  R[wan_rate_mbs]=$(awk -v b="$WAN_BPS" 'BEGIN { printf "%.1f", b / 8e6 }')
  R[wan_check]="$mib MiB curl PUT through nginx: shaped port ${R[wan_check_shaped]} MB/s (class 1:10 counted ${R[wan_check_shaped_class]} bytes), unshaped port ${R[wan_check_unshaped]} MB/s (class 1:10 counted ${R[wan_check_unshaped_class]} bytes); link $WAN_RATE = ${R[wan_rate_mbs]} MB/s"
  log "${R[wan_check]}"
  awk -v got="${R[wan_check_shaped]}" -v want="${R[wan_rate_mbs]}" 'BEGIN { exit !(got <= want * 1.05 && got >= want * 0.5) }' ||
    die "the shaped port ran at ${R[wan_check_shaped]} MB/s, not near the link's ${R[wan_rate_mbs]} MB/s: the shaping does not hold (tc -s class show dev lo)"
  [ "${R[wan_check_shaped_class]}" -ge $((mib * 1048576)) ] || die "class 1:10 counted ${R[wan_check_shaped_class]} bytes for a $mib MiB upload: the u32 filters do not match"
  [ "${R[wan_check_unshaped_class]}" -lt $((mib * 1048576 / 2)) ] || die "the unshaped port went through the shaped class"
}
wan_floor() { # BYTES -> seconds BYTES take at the link's rate
  awk -v b="$1" -v r="$WAN_BPS" 'BEGIN { if (b > 0) printf "%.2f", b * 8 / r; else print "-" }'
}
# The --wan report: each size against the link's floor, the time its bytes take at RATE. A hand-off
# crosses the link twice (send up, receive down), so Sekisho's floor is 2 x envelope / rate and the
# usual way's 2 x .gpg / rate.
wan_report() {
  local k label runs rel speed sfloor gfloor
  echo "Link: --wan $WAN_RATE (${R[wan_rate_mbs]} MB/s), ports ${WAN_PORTS[*]} (gateway transfer, sshd, nginx) shaped with htb on lo in network namespace $WAN_NETNS; no added delay"
  echo "Shaping check: ${R[wan_check]}"
  echo
  echo "Hand-off on the link (medians, seconds; floor = bytes on the link / rate, both directions; CPU = user + system seconds"
  echo "of the client commands, servers not included; load = 1-minute load average at the start -> end of the series)"
  printf '| %-22s | %4s | %9s | %7s | %13s | %8s | %9s | %9s | %9s | %7s | %13s | %8s | %9s | %9s | %-13s |\n' "" runs "gpg+sftp" "CPU" \
    ".gpg bytes" "floor" "sek send" "sek recv" "Sekisho" "CPU" "envelope" "floor" "Sek/floor" "usual/Sek" "load"
  printf '|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|\n' "------------------------" "------" "-----------" "---------" \
    "---------------" "----------" "-----------" "-----------" "-----------" "---------" "---------------" "----------" "-----------" \
    "-----------" "---------------"
  for k in k1 csv rnd; do
    case $k in
      k1) [ "$DO_K1" = 1 ] || continue; label="1,000 rows"; runs=$SMALL_RUNS ;;
      csv) [ "$DO_CSV" = 1 ] || continue; label="$CSV_ROWS rows"; runs=$HANDOFF_RUNS ;;
      rnd) [ "$DO_RND" = 1 ] || continue; label="random $(mib "$RND_BYTES")"; runs=$HANDOFF_RUNS ;;
    esac
    gfloor=$(wan_floor "$((2 * ${R[gpg_size_$k]:-0}))"); sfloor=$(wan_floor "$((2 * ${R[env_size_$k]:-0}))")
    rel=$(ratio "${T[sek_total_$k]:-0}" "$sfloor"); speed=$(ratio "${T[usual_total_$k]:-0}" "${T[sek_total_$k]:-0}")
    R[wan_rel_$k]=$rel; R[wan_speed_$k]=$speed
    printf '| %-22s | %4s | %9s | %7s | %13s | %8s | %9s | %9s | %9s | %7s | %13s | %8s | %9s | %9s | %-13s |\n' "$label" "$runs" \
      "${T[usual_total_$k]:--}" "${T[cpu_usual_total_$k]:--}" "${R[gpg_size_$k]:--}" "$gfloor" "${T[sek_send_$k]:--}" \
      "${T[sek_recv_$k]:--}" "${T[sek_total_$k]:--}" "${T[cpu_sek_total_$k]:--}" "${R[env_size_$k]:--}" "$sfloor" "$rel" "$speed" \
      "${R[load_$k]:--}"
  done
  echo "Targets (issue 18, at 100 Mbit/s; this run is at $WAN_RATE):"
  [ "$DO_CSV" = 1 ] && echo "  $CSV_ROWS rows >= 1.5x faster than gpg+sftp: usual/Sekisho = ${R[wan_speed_csv]} -> $(check "${R[wan_speed_csv]}" ">=" 1.5) (send + receive --once)"
  if [ "$DO_CSV" = 1 ] && [ -n "${T[agent_csv]:-}" ]; then
    speed=$(ratio "${T[usual_total_csv]:-0}" "${T[agent_csv]}")
    echo "  $CSV_ROWS rows >= 1.5x faster than gpg+sftp: usual/agent = $speed -> $(check "$speed" ">=" 1.5) (the agent, drop to inbox: ${T[agent_csv]} s)"
  fi
  [ "$DO_RND" = 1 ] && echo "  $(mib "$RND_BYTES") within 10% of the link's time: Sekisho/floor = ${R[wan_rel_rnd]} -> $(check "${R[wan_rel_rnd]}" "<" 1.1)"
  if [ "$DO_RND" = 1 ] && [ -n "${T[agent_rnd]:-}" ]; then
    local arel; arel=$(ratio "${T[agent_rnd]}" "$(wan_floor "$((2 * ${R[env_size_rnd]:-0}))")")
    echo "  $(mib "$RND_BYTES") through the agent (drop to inbox ${T[agent_rnd]} s): agent/floor = $arel -> $(check "$arel" "<" 1.1)"
  fi
  local f last
  for k in k1 csv rnd; do # where the time went, in the last run of each size
    last=$HANDOFF_RUNS; [ "$k" = k1 ] && last=$SMALL_RUNS
    for f in send recv; do
      [ -s "$WORK/sek-$f-${k}_$last.log" ] || continue
      grep -A8 '^所要時間' "$WORK/sek-$f-${k}_$last.log" | sed "s/^/  $k $f --timings: /"
    done
  done
  echo
}
wan_enter

# ---------------------------------------------------------------------------------------------
# Work folder, processes, clean-up
WORK=${BENCH_DIR:-$(mktemp -d /tmp/sekisho-handoff.XXXXXX)}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
PIDS=()
GNUPG_HOMES=()
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  for h in "${GNUPG_HOMES[@]}"; do GNUPGHOME=$h gpgconf --kill all 2>/dev/null || true; done
  if [ "${BENCH_KEEP:-}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { # a TCP port nobody listens on, on loopback
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    ss -Htln "sport = :$p" | grep -q . && continue
    case " ${USED_PORTS:-} " in *" $p "*) continue ;; esac
    USED_PORTS="${USED_PORTS:-} $p"; echo "$p"; return
  done
}
wait_port() { # PORT PID NAME: until something accepts on 127.0.0.1:PORT
  for _ in $(seq 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || die "$3 exited; see its log in $WORK"
    sleep 0.1
  done
  die "$3 did not listen on $1 within 60 s"
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
# timed NAME LOG CMD...: runs CMD (output to LOG), stores seconds in T[NAME]; fails the run when CMD fails
declare -A T=() R=()
# With SOFT=1 a failure is recorded in FAILED[NAME] and returns 1 instead of ending the run.
declare -A FAILED=()
# The CPU seconds (user + system) of CMD and its children go to T[cpu_NAME]: on a shared machine they
# move less than the elapsed time (a server's CPU, sshd's or the gateway's, is not in them).
timed() {
  local name=$1 out=$2; shift 2
  local t0 t1 TIMEFORMAT='%U %S'
  t0=$(now)
  if ! { time "$@" >"$out" 2>&1; } 2>"$out.cpu"; then
    tail -n 20 "$out" >&2
    [ "${SOFT:-}" = 1 ] || die "$name: $* (log $out)"
    FAILED[$name]=$(grep -v '^\s*$' "$out" | tail -n 1 | cut -c1-300)
    log "$name FAILED: ${FAILED[$name]}"
    return 1
  fi
  t1=$(now)
  T[$name]=$(elapsed "$t0" "$t1")
  T[cpu_$name]=$(awk '{ printf "%.2f", $1 + $2 }' "$out.cpu")
  log "$name: ${T[$name]} s (CPU ${T[cpu_$name]} s)"
}
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.1f", b / s / 1e6; else printf "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else printf "-" }'; }
sum() { awk 'BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]; printf "%.2f", s }' "$@"; }
same_file() { cmp -s "$1" "$2" || die "$2 differs from $1"; }

# ---------------------------------------------------------------------------------------------
# Sekisho: JDK, build, launcher
if [ -n "${BENCH_JAVA_HOME:-}" ]; then export JAVA_HOME=$BENCH_JAVA_HOME
elif [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
log "building Sekisho in $SEKISHO_HOME if needed"
"$SEKISHO_HOME/sekisho" --version >"$WORK/build.out" 2>&1 || { cat "$WORK/build.out" >&2; die "the sekisho launcher failed"; }
# The timed commands run the jar directly: the launcher's JDK search and source freshness check are not timed.
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/java}
JAVA=${JAVA:-$(command -v java)}
# A private copy of the jar and its lib/, taken under the launcher's build lock: a rebuild of the checkout
# during the run (another launcher, mvn) must not swap classes under running commands.
mkdir -p "$WORK/app"
flock "$SEKISHO_HOME/.sekisho-build.lock" cp -r "$SEKISHO_HOME/client/target/sekisho.jar" "$SEKISHO_HOME/client/target/lib" "$WORK/app/"
JAR=$WORK/app/sekisho.jar
SEK_REV=$(git -C "$SEKISHO_HOME" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -z "$(git -C "$SEKISHO_HOME" status --porcelain --untracked-files=no 2>/dev/null)" ] || SEK_REV="$SEK_REV+local changes"
JDK_DESC=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -nE 's/^ *java\.(runtime\.version|vendor) = //p' | paste -sd' ' -)
# The class-data-sharing archive, as the launcher maps it (issue 18), trained here for the private copy
# (a checkout from before it has no dist/src/lib/sekisho-java.sh: then the commands run without one).
CDS_OPTS=
if [ -f "$SEKISHO_HOME/dist/src/lib/sekisho-java.sh" ]; then
  # shellcheck source=../dist/src/lib/sekisho-java.sh
  . "$SEKISHO_HOME/dist/src/lib/sekisho-java.sh"
  launch=(-jar "$JAR")
  cds_opts "$JAVA" "$WORK/app/cds" "$JAR" >/dev/null
  log "training the class-data-sharing archive"
  for _ in $(seq 600); do ls "$WORK/app/cds"/sekisho-*.jsa >/dev/null 2>&1 && break; sleep 0.1; done
  CDS_OPTS=$(cds_opts "$JAVA" "$WORK/app/cds" "$JAR")
  [ -n "$CDS_OPTS" ] || log "no class-data-sharing archive after 60 s: the commands run without one"
  # send, receive, seal, open and agent map an AOT cache of their own on Java 25+, as the launchers do
  XFER_OPTS=$(CDS_KIND=transfer cds_opts "$JAVA" "$WORK/app/cds" "$JAR")
  if [ -z "$XFER_OPTS" ]; then
    log "training the AOT cache of the transfer commands"
    for _ in $(seq 900); do
      XFER_OPTS=$(CDS_KIND=transfer cds_opts "$JAVA" "$WORK/app/cds" "$JAR"); [ -n "$XFER_OPTS" ] && break; sleep 0.1
    done
  fi
fi
XFER_OPTS=${XFER_OPTS:-$CDS_OPTS}
# shellcheck disable=SC2086
sek() {
  # the JIT tiers the launchers choose for these arguments (a checkout from before has no jit_options)
  local jit=; declare -F jit_options >/dev/null && { jit_options "$@"; jit=$JIT_OPTIONS; }
  case $1 in
    send|receive|seal|open|agent) "$JAVA" $XFER_OPTS $jit -jar "$JAR" "$@" ;;
    *) "$JAVA" $CDS_OPTS $jit -jar "$JAR" "$@" ;;
  esac
}
COMMANDS=$(sek --help 2>&1 | sed -nE 's/^  ([a-z]+) .*/\1/p')
has_cmd() { grep -qx "$1" <<<"$COMMANDS"; }
HAS_TRANSFER=0; has_cmd send && has_cmd receive && HAS_TRANSFER=1
HAS_SEAL=0; has_cmd seal && HAS_SEAL=1
HAS_TIMINGS=0; [ "$HAS_TRANSFER" = 1 ] && sek send --help 2>&1 | grep -q -- '--timings' && HAS_TIMINGS=1
[ "$HAS_TRANSFER" = 1 ] || log "this Sekisho has no send/receive yet: the Sekisho hand-off rows are skipped"
# What a CLI command costs before it does anything (JVM start, picocli): part of every send and receive.
# Median of CLI_RUNS, through the jar (as the timed commands run) and through the checkout's launcher.
CLI_RUNS=${CLI_RUNS:-9}
median_of() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
time_runs() { # CMD...: prints the median seconds of CLI_RUNS runs
  local i t0
  for i in $(seq "$CLI_RUNS"); do t0=$(now); "$@" >/dev/null 2>&1; awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f\n", b - a }'; done | median_of
}
# The checkout's launcher keeps an archive of its own (client/target/cds), which its first command after a
# build trains in the background (~10 s of CPU): let that finish, so that it is not timed beside it.
"$SEKISHO_HOME/sekisho" --version >/dev/null 2>&1 || true
sleep 0.5
for _ in $(seq 600); do pgrep -f -- 'sekisho[.]cds[.]training=true' >/dev/null || break; sleep 0.1; done
T[cli_start]=$(time_runs sek --version)
T[cli_start_launcher]=$(time_runs "$SEKISHO_HOME/sekisho" --version)
T[cli_help]=$(time_runs sek send --help)
T[cli_overview]=$(time_runs "$SEKISHO_HOME/sekisho" --help)

# ---------------------------------------------------------------------------------------------
# Test files
mkdir -p "$WORK/files" "$WORK/out"
CSV=$WORK/files/residents.csv
RND=$WORK/files/random.bin
log "test files (--sizes $SIZES): $([ "$DO_CSV" = 1 ] && echo "$CSV_ROWS-row dummy CSV")$([ "$DO_RND" = 1 ] && echo " $RANDOM_MIB MiB random")"
CSV_BYTES=0; RND_BYTES=0
if [ "$DO_CSV" = 1 ]; then
  sek dummy residents --count "$CSV_ROWS" --out "$CSV" >"$WORK/dummy.out" 2>&1 || { cat "$WORK/dummy.out" >&2; die "sekisho dummy"; }
  CSV_BYTES=$(stat -c %s "$CSV")
fi
if [ "$DO_RND" = 1 ]; then
  head -c $((RANDOM_MIB * 1048576)) /dev/urandom >"$RND"
  RND_BYTES=$(stat -c %s "$RND")
fi

# ---------------------------------------------------------------------------------------------
# PKI (sekisho certs), used by the gateway, nginx and curl alike
PKI=$WORK/pki
sek certs init --dir "$PKI" --org "$CITY" >"$WORK/certs.out" 2>&1 || { cat "$WORK/certs.out" >&2; die "certs init"; }
for n in city-sender secretariat secretariat2 operator; do
  sek certs issue --dir "$PKI" --kind client --name "$n" >>"$WORK/certs.out" 2>&1 || die "certs issue $n"
done
sek certs issue --dir "$PKI" --kind client --name contractor --org "$CONTRACTOR" >>"$WORK/certs.out" 2>&1 || die "certs issue contractor"
sek certs issue --dir "$PKI" --kind recipient --name contractor-enc --org "$CONTRACTOR" >>"$WORK/certs.out" 2>&1 || die "certs issue contractor-enc"

# ---------------------------------------------------------------------------------------------
# The gateway (embedded store), approval and route, as `sekisho demo` does
GW=$WORK/gateway
mkdir -p "$GW"
TPORT=$(free_port); APORT=$(free_port)
cat >"$GW/gateway.yml" <<EOF
node-id: bench-gw
data-dir: data
tls:
  certificate: $PKI/gateway.pem
  key: $PKI/gateway.key
  trust-anchors: [$PKI/ca.pem]
  crls: [$PKI/crl.pem]
listeners:
  transfer: { bind: 127.0.0.1, port: $TPORT, allow: [127.0.0.1/32] }
  admin:    { bind: 127.0.0.1, port: $APORT, allow: [127.0.0.1/32], admin: true }
principals:
  - { subject: "CN=city-sender,O=$CITY", roles: [sender] }
  - { subject: "CN=contractor,O=$CONTRACTOR", roles: [receiver] }
  - { subject: "CN=secretariat,O=$CITY", roles: [secretariat] }
  - { subject: "CN=secretariat2,O=$CITY", roles: [secretariat] }
  - { subject: "CN=operator,O=$CITY", roles: [operator] }
approvals:
  two-person-rule: true
EOF
cat >"$GW/routes.yml" <<EOF
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
log "starting the gateway on 127.0.0.1:$TPORT (transfer) and :$APORT (admin)"
# shellcheck disable=SC2086
(cd "$GW" && exec "$JAVA" ${GATEWAY_JAVA_OPTS:--Xmx256m} -jar "$JAR" gateway --config "$GW/gateway.yml") >"$GW/gateway.log" 2>&1 &
GW_PID=$!; PIDS+=("$GW_PID")
GW_T0=$(now)
wait_port "$APORT" "$GW_PID" gateway
wait_port "$TPORT" "$GW_PID" gateway
for _ in $(seq 100); do grep -q listening "$GW/gateway.log" && break; sleep 0.2; done
GW_START=$(elapsed "$GW_T0" "$(now)")
ADMIN=https://127.0.0.1:$APORT
TRANSFER=https://127.0.0.1:$TPORT
today=$(TZ=Asia/Tokyo date +%F)
adm() { sek "$@" --gateway "$ADMIN" >>"$GW/admin.out" 2>&1 || { tail -n 20 "$GW/admin.out" >&2; die "sekisho $1 $2"; }; }
adm approvals create --ref "$REF" --title "benchmark hand-off" --legal-basis "条例第10条第1項第2号" \
  --department 総務部 --contractor "$CONTRACTOR" \
  --items name,birth_date,sex,address,postal_code,phone,household_head,resident_code,household_code,bank_name,bank_branch,account_type,account_number,account_holder \
  --max-records 1000000 --valid-from "$(TZ=Asia/Tokyo date -d "$today - 1 day" +%F)" \
  --valid-until "$(TZ=Asia/Tokyo date -d "$today + 1 year" +%F)" --identity "$PKI/secretariat.p12"
adm approvals decide --ref "$REF" --decision approve --reason benchmark --identity "$PKI/secretariat.p12"
adm approvals decide --ref "$REF" --confirm --reason benchmark --identity "$PKI/secretariat2.p12"
adm routes apply "$GW/routes.yml" --identity "$PKI/operator.p12"
log "gateway up in ${GW_START} s (pid $GW_PID), route $ROUTE active"

# Does this gateway take tus uploads yet? (OPTIONS answers 204 with Tus-Resumable)
HAS_TUS=0
curl -sS -o /dev/null -D "$GW/options.hdr" -X OPTIONS --cacert "$PKI/ca.pem" --cert "$PKI/city-sender.pem" \
  --key "$PKI/city-sender.key" "$TRANSFER/api/v1/routes/$ROUTE/uploads" 2>/dev/null || true
grep -qi '^Tus-Resumable:' "$GW/options.hdr" 2>/dev/null && HAS_TUS=1
[ "$HAS_TUS" = 1 ] || log "this gateway does not take tus uploads yet: the gateway upload rows are skipped"

vm() { awk -v k="$1:" '$1 == k { printf "%.0f", $2 / 1024 }' "/proc/$GW_PID/status"; } # MiB
GW_RSS_IDLE=$(vm VmRSS)

# ---------------------------------------------------------------------------------------------
# Sekisho hand-off: send (check, sign+encrypt, tus upload, receipt), then receive --once
# (download, check hash, decrypt+verify, ack, purge). Separate JVMs, as two sites would run them.
sekisho_handoff() { # KEY FILE RECORDS
  local key=$1 f=$2 records=$3 inbox=$WORK/out/sekisho-$1
  mkdir -p "$inbox"
  local extra=() timings=(); case $key in rnd*) extra=(--records "$records") ;; esac
  [ "$HAS_TIMINGS" = 1 ] && timings=(--timings) # a few lines on stderr, into the log: where the time went
  SOFT=1 timed "sek_send_$key" "$WORK/sek-send-$key.log" sek send --gateway "$TRANSFER" --route "$ROUTE" --file "$f" \
    --identity "$PKI/city-sender.p12" "${extra[@]}" "${timings[@]}" || return 0
  R[env_size_$key]=$(sed -nE 's/^size: *([0-9]+) bytes.*/\1/p' "$WORK/sek-send-$key.log") # the envelope, as stored
  SOFT=1 timed "sek_recv_$key" "$WORK/sek-recv-$key.log" sek receive --gateway "$TRANSFER" --route "$ROUTE" --out "$inbox" \
    --identity "$PKI/contractor.p12" --key "$PKI/contractor-enc.key" --cert "$PKI/contractor-enc.pem" \
    --trust "$PKI/ca.pem" --once "${timings[@]}" || return 0
  local got=$inbox/$(basename "$f") # receive writes the file under the sender's file name
  [ -f "$got" ] || die "sekisho receive did not write $got (found: $(find "$inbox" -type f | head -n 3 | paste -sd' ' -))"
  same_file "$f" "$got"
  rm -f "$got"
  T[sek_total_$key]=$(sum "${T[sek_send_$key]}" "${T[sek_recv_$key]}")
  T[cpu_sek_total_$key]=$(sum "${T[cpu_sek_send_$key]}" "${T[cpu_sek_recv_$key]}")
}

# ---------------------------------------------------------------------------------------------
# The usual way: gpg --encrypt --sign (fresh keys, batch, no passphrase), sftp up and down (local sshd,
# key auth), gpg --decrypt (checking the signature).
G=$WORK/gpg
mkdir -p "$G/sender" "$G/receiver"
chmod 700 "$G/sender" "$G/receiver"
GNUPG_HOMES+=("$G/sender" "$G/receiver")
gq() { local h=$1; shift; gpg --homedir "$h" --batch --yes --no-tty --pinentry-mode loopback --passphrase '' "$@"; }
log "gpg: generating throw-away keys (gpg defaults: RSA-3072 and an RSA-3072 encryption subkey)"
gq "$G/sender" --quick-gen-key "city-sender <sender@bench.invalid>" default default never 2>"$G/keygen.log"
gq "$G/receiver" --quick-gen-key "contractor <receiver@bench.invalid>" default default never 2>>"$G/keygen.log"
gq "$G/receiver" --export receiver@bench.invalid | gq "$G/sender" --import 2>>"$G/keygen.log"
gq "$G/sender" --export sender@bench.invalid | gq "$G/receiver" --import 2>>"$G/keygen.log"

S=$WORK/ssh
mkdir -p "$S/remote"
chmod 700 "$S"
SSH_PORT=$(free_port)
ssh-keygen -q -t ed25519 -N '' -f "$S/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -f "$S/user_ed25519"
cp "$S/user_ed25519.pub" "$S/authorized_keys"
cat >"$S/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $S/host_ed25519
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $(id -un)
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
EOF
mkdir -p /run/sshd 2>/dev/null || true
log "starting sshd on 127.0.0.1:$SSH_PORT"
/usr/sbin/sshd -D -e -f "$S/sshd_config" >"$S/sshd.log" 2>&1 &
SSHD_PID=$!; PIDS+=("$SSHD_PID")
wait_port "$SSH_PORT" "$SSHD_PID" sshd
SFTP=(sftp -q -b - -P "$SSH_PORT" -i "$S/user_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
      -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="$S/known_hosts" "$(id -un)@127.0.0.1")
echo "ls $S/remote" | "${SFTP[@]}" >/dev/null 2>"$S/first.log" || { cat "$S/first.log" "$S/sshd.log" >&2; die "sftp login"; }

gpg_sftp_handoff() { # KEY FILE
  local key=$1 f=$2 d=$WORK/out/usual-$1
  mkdir -p "$d"
  timed "gpg_enc_$key" "$d/enc.log" gq "$G/sender" --trust-model always --local-user sender@bench.invalid \
    --recipient receiver@bench.invalid --encrypt --sign --output "$d/$key.gpg" "$f"
  timed "sftp_up_$key" "$d/up.log" "${SFTP[@]}" <<<"put $d/$key.gpg $S/remote/$key.gpg"
  timed "sftp_down_$key" "$d/down.log" "${SFTP[@]}" <<<"get $S/remote/$key.gpg $d/$key.got.gpg"
  timed "gpg_dec_$key" "$d/dec.log" gq "$G/receiver" --trust-model always --status-file "$d/dec.status" \
    --output "$d/$key.out" --decrypt "$d/$key.got.gpg"
  grep -q '^\[GNUPG:\] VALIDSIG' "$d/dec.status" || die "gpg did not verify the signature ($d/dec.status)"
  same_file "$f" "$d/$key.out"
  T[usual_total_$key]=$(sum "${T[gpg_enc_$key]}" "${T[sftp_up_$key]}" "${T[sftp_down_$key]}" "${T[gpg_dec_$key]}")
  T[cpu_usual_total_$key]=$(sum "${T[cpu_gpg_enc_$key]}" "${T[cpu_sftp_up_$key]}" "${T[cpu_sftp_down_$key]}" "${T[cpu_gpg_dec_$key]}")
  R[gpg_size_$key]=$(stat -c %s "$d/$key.gpg")
  rm -f "$d/$key.gpg" "$d/$key.got.gpg" "$d/$key.out" "$S/remote/$key.gpg"
}

# ---------------------------------------------------------------------------------------------
# The raw floor: curl PUT over mutual TLS into nginx (dav PUT, written to disk), same bytes as the upload.
N=$WORK/nginx
mkdir -p "$N/root/up" "$N/tmp" "$N/logs"
NGINX_PORT=$(free_port)
NGINX_FAST_PORT= NGINX_LISTEN2= # under --wan, a second port outside the shaped class: the shaping check's reference
[ -n "$WAN_RATE" ] && NGINX_FAST_PORT=$(free_port) && NGINX_LISTEN2="listen 127.0.0.1:$NGINX_FAST_PORT ssl;"
cat >"$N/nginx.conf" <<EOF
daemon off;
master_process on;
user $(id -un);
worker_processes auto;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path $N/tmp/body;
  proxy_temp_path $N/tmp/proxy;
  fastcgi_temp_path $N/tmp/fastcgi;
  uwsgi_temp_path $N/tmp/uwsgi;
  scgi_temp_path $N/tmp/scgi;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    $NGINX_LISTEN2
    ssl_certificate $PKI/gateway.pem;
    ssl_certificate_key $PKI/gateway.key;
    ssl_client_certificate $PKI/ca.pem;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    location /up/ {
      root $N/root;
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 0;
      client_body_buffer_size 1m;
    }
  }
}
EOF
log "starting nginx on 127.0.0.1:$NGINX_PORT (ssl_verify_client on)"
/usr/sbin/nginx -p "$N" -c "$N/nginx.conf" -e "$N/logs/error.log" >"$N/logs/stdout.log" 2>&1 &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
wait_port "$NGINX_PORT" "$NGINX_PID" nginx
NGINX_VERSION=$(/usr/sbin/nginx -v 2>&1 | sed 's/.*nginx\///')
[ -n "$NGINX_FAST_PORT" ] && wait_port "$NGINX_FAST_PORT" "$NGINX_PID" nginx

curl_put() { # NAME FILE
  local name=$1 f=$2
  timed "$name" "$N/logs/$name.log" curl -sS --fail -o /dev/null -H 'Expect:' --cacert "$PKI/ca.pem" \
    --cert "$PKI/city-sender.pem" --key "$PKI/city-sender.key" -T "$f" "https://127.0.0.1:$NGINX_PORT/up/$name.bin"
  # nginx does not fsync; the gateway fsyncs its spool file before it answers a PATCH. The durable floor adds
  # an fsync of the file nginx wrote (coreutils `sync FILE`), timed separately.
  local t0; t0=$(now); sync "$N/root/up/$name.bin"; T[${name}_fsync]=$(elapsed "$t0" "$(now)")
  same_file "$f" "$N/root/up/$name.bin"
  rm -f "$N/root/up/$name.bin"
}
# nginx writes into the page cache. On a VM that hands freed memory back to its host (virtio balloon,
# free page reporting), filling pages the host has taken back costs several times the system time of
# reusing pages freed a moment ago: measured here, a 1 GiB write took 0.3 s to 3 s of sys time. Before
# the second PUT of each round a file of the same size is written and deleted (untimed), so that nginx
# finds hot pages: its best case. (The gateway writes its spool with O_DIRECT and does not care.)
warm_page_cache() { # BYTES
  dd if=/dev/zero of="$N/root/up/warm.bin" bs=1M count=$(( ($1 + 1048575) / 1048576 )) status=none
  rm -f "$N/root/up/warm.bin"; sync
}

# A direct tus upload with curl into the gateway: POST (create) then one PATCH streaming the whole envelope,
# the same client and TLS stack as the nginx PUT. The gateway checks the envelope before answering the PATCH.
b64() { printf '%s' "$1" | base64 -w0; }
tus_upload() { # FILE SHA256 RECORDS HEADERS_PREFIX
  local f=$1 size; size=$(stat -c %s "$1")
  local c=(curl -sS --fail-with-body -H 'Expect:' --cacert "$PKI/ca.pem" --cert "$PKI/city-sender.pem" --key "$PKI/city-sender.key")
  "${c[@]}" -o /dev/null -D "$4.post" -X POST -H 'Tus-Resumable: 1.0.0' -H "Upload-Length: $size" \
    -H "Upload-Metadata: filename $(b64 "$(basename "$f")"),sha256 $(b64 "$2"),records $(b64 "$3")" \
    "$TRANSFER/api/v1/routes/$ROUTE/uploads" || return 1
  local loc; loc=$(sed -nE 's/^[Ll]ocation: *([^[:space:]]+).*/\1/p' "$4.post")
  [ -n "$loc" ] || { echo "no Location in the tus creation answer"; return 1; }
  case $loc in http*) ;; *) loc=$TRANSFER$loc ;; esac
  "${c[@]}" -D "$4.patch" -X PATCH -T "$f" -H 'Tus-Resumable: 1.0.0' -H 'Upload-Offset: 0' \
    -H 'Content-Type: application/offset+octet-stream' "$loc" || return 1
  grep -qi '^Sekisho-Transfer-Id:' "$4.patch" || { echo "the PATCH answer has no Sekisho-Transfer-Id (not STORED)"; return 1; }
}

# ---------------------------------------------------------------------------------------------
# The everyday file (issue 18): 1,000 rows, SMALL_RUNS hand-offs each way; medians. The fixed cost of a
# command (start-up, keys, TLS, the gateway's durable answers) is most of it.
SMALL_RUNS=${SMALL_RUNS:-5}
CSV1K=$WORK/files/residents-1000.csv
if [ -n "$WAN_RATE" ]; then # the link, shaped now that every port is known; checked before anything is timed
  wan_shape "$TPORT" "$SSH_PORT" "$NGINX_PORT"
  wan_check "$NGINX_PORT" "$NGINX_FAST_PORT"
fi
loadavg() { cut -d' ' -f1 /proc/loadavg; } # the 1-minute load average, beside each series
# series_median KEY RUNS: the median over runs KEY_1..KEY_RUNS of every step, into T[STEP_KEY]
series_median() {
  local k i
  for k in gpg_enc sftp_up sftp_down gpg_dec usual_total sek_send sek_recv sek_total cpu_usual_total cpu_sek_send cpu_sek_recv cpu_sek_total; do
    T[${k}_$1]=$(for i in $(seq "$2"); do [ -n "${T[${k}_$1_$i]:-}" ] && echo "${T[${k}_$1_$i]}"; done | median_of)
    [ "${T[${k}_$1]}" = - ] && unset "T[${k}_$1]"
  done
  for k in gpg_size env_size; do R[${k}_$1]=${R[${k}_$1_$2]:-${R[${k}_$1_1]:-}}; done
}
if [ "$DO_K1" = 1 ]; then
sek dummy residents --count 1000 --out "$CSV1K" >"$WORK/dummy1k.out" 2>&1 || { cat "$WORK/dummy1k.out" >&2; die "sekisho dummy 1000"; }
R[load_k1]=$(loadavg)
for i in $(seq "$SMALL_RUNS"); do
  gpg_sftp_handoff "k1_$i" "$CSV1K"
  [ "$HAS_TRANSFER" = 1 ] && sekisho_handoff "k1_$i" "$CSV1K" 1
done
series_median k1 "$SMALL_RUNS"
R[load_k1]="${R[load_k1]} -> $(loadavg)"
# one send with --timings: where its time goes
if [ "$HAS_TIMINGS" = 1 ]; then
  sek send --gateway "$TRANSFER" --route "$ROUTE" --file "$CSV1K" --identity "$PKI/city-sender.p12" --timings \
    >"$WORK/timings-send.out" 2>"$WORK/timings-send.err" || true
  sek receive --gateway "$TRANSFER" --route "$ROUTE" --out "$WORK/out/timings" --identity "$PKI/contractor.p12" \
    --key "$PKI/contractor-enc.key" --cert "$PKI/contractor-enc.pem" --trust "$PKI/ca.pem" --once --timings \
    >"$WORK/timings-recv.out" 2>"$WORK/timings-recv.err" || true
fi
fi

# ---------------------------------------------------------------------------------------------
# >>> agent (issue 18, item 4): drop-to-inbox through `sekisho agent`, one sending and one receiving
# agent running (separate JVMs, as two sites run them). A file written beside the outbox is renamed
# in; the time runs until the receiving agent has written it into its inbox. Median of AGENT_RUNS
# (5) for the 1,000-row CSV, in full mode of AGENT_RUNS_FULL (3) for the $CSV_ROWS-row CSV, and of
# AGENT_RUNS_BIG (3, or 1 on a shaped link) for the random file (each after one warm-up drop of the same file).
# AGENT_POLL (1s, the agent's default): the outbox scan that backs up the folder watch, and the inbox pause
# only where the gateway does not hold listings (it does: the receiving agent long-polls the inbox).
AGENT_RUNS=${AGENT_RUNS:-5}; AGENT_RUNS_FULL=${AGENT_RUNS_FULL:-3}; AGENT_RUNS_BIG=${AGENT_RUNS_BIG:-$([ -n "$WAN_RATE" ] && echo 1 || echo 3)}; AGENT_POLL=${AGENT_POLL:-1s}
agent_bench() {
  has_cmd agent || { log "this Sekisho has no agent yet: the agent rows are skipped"; return 0; }
  local A=$WORK/agent
  mkdir -p "$A/outbox" "$A/outbox-bin" "$A/inbox" "$A/stage"
  # outbox-bin takes files other than CSV, as a batch system hands them over: the file, then FILE.done
  # holding the record count
  cat >"$A/send.yml" <<EOF
gateway: $TRANSFER
identity: $PKI/city-sender.p12
poll: $AGENT_POLL
outboxes:
  - { route: $ROUTE, folder: $A/outbox }
  - { route: $ROUTE, folder: $A/outbox-bin, complete: done-marker, records-from: done-marker }
EOF
  cat >"$A/recv.yml" <<EOF
gateway: $TRANSFER
identity: $PKI/contractor.p12
key: $PKI/contractor-enc.key
cert: $PKI/contractor-enc.pem
trust: $PKI/ca.pem
poll: $AGENT_POLL
inboxes:
  - { route: $ROUTE, folder: $A/inbox }
EOF
  # exec: $! is the JVM itself, so that the kill below stops it (a receiving agent left running would
  # take the transfers of the send/receive rows that follow)
  # shellcheck disable=SC2086
  (exec "$JAVA" $XFER_OPTS -jar "$JAR" agent --config "$A/send.yml") >"$A/send.log" 2>&1 &
  local sp=$!; PIDS+=("$sp")
  # shellcheck disable=SC2086
  (exec "$JAVA" $XFER_OPTS -jar "$JAR" agent --config "$A/recv.yml") >"$A/recv.log" 2>&1 &
  local rp=$!; PIDS+=("$rp")
  for _ in $(seq 300); do grep -q 'agent started' "$A/send.log" && grep -q 'agent started' "$A/recv.log" && break
    kill -0 "$sp" 2>/dev/null && kill -0 "$rp" 2>/dev/null || { tail "$A"/*.log >&2; die "an agent exited"; }; sleep 0.1; done
  agent_drop() { # KEY FILE RUNS: median drop-to-inbox seconds into T[agent_KEY]
    local key=$1 f=$2 runs=$3 i name t0 got box
    for i in $(seq 0 "$runs"); do # run 0 warms both agents up (class loading, TLS session, JIT); not counted
      name=$key-$i.${f##*.} # the file's own extension: the agent treats a .csv as a CSV
      case $name in *.csv) box=$A/outbox ;; *) box=$A/outbox-bin ;; esac
      cp "$f" "$A/stage/$name"; sync
      if [ "$box" = "$A/outbox" ]; then
        t0=$(now)
        mv "$A/stage/$name" "$box/$name" # same file system: the rename is the drop
      else
        mv "$A/stage/$name" "$box/$name"
        t0=$(now)
        echo 1 >"$box/$name.done" # the marker is the drop, with the record count
      fi
      got=$A/inbox/$name
      for _ in $(seq 60000); do [ -f "$got" ] && break; kill -0 "$sp" 2>/dev/null || die "the sending agent exited"; sleep 0.005; done
      [ -f "$got" ] || die "agent: $name did not reach the inbox; see $A"
      local dt; dt=$(elapsed "$t0" "$(now)")
      same_file "$f" "$got"
      [ -f "$box/sent/$name.receipt.json" ] || sleep 0.2
      [ -f "$box/sent/$name.receipt.json" ] || die "agent: no receipt for $name in $box/sent/"
      rm -f "$got" "$box/sent/$name" "$box/sent/$name".*
      [ "$i" = 0 ] || echo "$dt"
    done | median_of >"$A/median-$key"
    T[agent_$key]=$(cat "$A/median-$key")
    log "agent drop-to-inbox, $key: median ${T[agent_$key]} s"
  }
  if [ "$DO_K1" = 1 ]; then agent_drop k1 "$CSV1K" "$AGENT_RUNS"; fi
  if [ "$DO_CSV" = 1 ] && [ "$QUICK" != 1 ]; then agent_drop csv "$CSV" "$AGENT_RUNS_FULL"; fi
  if [ "$DO_RND" = 1 ]; then agent_drop rnd "$RND" "$AGENT_RUNS_BIG"; fi
  kill "$sp" "$rp" 2>/dev/null || true
  wait "$sp" "$rp" 2>/dev/null || true
  if kill -0 "$rp" 2>/dev/null || kill -0 "$sp" 2>/dev/null; then die "an agent did not stop on SIGTERM"; fi
}
[ "$HAS_TRANSFER" = 1 ] && agent_bench
# <<< agent
# ---------------------------------------------------------------------------------------------
# Run: the usual way and Sekisho on each file, then the upload comparison, then the request overhead.
HANDOFF_RUNS=${HANDOFF_RUNS:-$([ -n "$WAN_RATE" ] && echo 3 || echo 1)}
for key in csv rnd; do
  f=$CSV; [ "$key" = rnd ] && f=$RND
  [ "$key" = csv ] && [ "$DO_CSV" = 0 ] && continue
  [ "$key" = rnd ] && [ "$DO_RND" = 0 ] && continue
  R[load_$key]=$(loadavg)
  for i in $(seq "$HANDOFF_RUNS"); do
    log "== $key, run $i of $HANDOFF_RUNS: the usual way (gpg + sftp)"
    gpg_sftp_handoff "${key}_$i" "$f"
    if [ "$HAS_TRANSFER" = 1 ]; then
      log "== $key, run $i of $HANDOFF_RUNS: Sekisho (send, receive --once)"
      sekisho_handoff "${key}_$i" "$f" 1
    fi
  done
  series_median "$key" "$HANDOFF_RUNS"
  R[load_$key]="${R[load_$key]} -> $(loadavg)"
  [ "$key" = csv ] && GW_HWM_CSV=$(vm VmHWM)
done
GW_HWM_HANDOFF=$(vm VmHWM)

# Upload phase: the same envelope bytes through nginx (curl PUT) and through the gateway (curl tus, send --encrypted).
# It needs the random file; under --wan it is skipped (it compares the gateway's CPU with nginx's, not the link).
DO_UPLOADS=0; [ "$DO_RND" = 1 ] && [ -z "$WAN_RATE" ] && DO_UPLOADS=1
ENV=$WORK/files/random.bin.cms
ENV_BYTES=0
if [ "$DO_UPLOADS" = 1 ]; then
if [ "$HAS_SEAL" = 1 ]; then
  timed seal_rnd "$WORK/seal.log" sek seal --in "$RND" --out "$ENV" --to "$PKI/contractor-enc.pem" --identity "$PKI/city-sender.p12"
  if has_cmd open; then # the local halves of send and receive, for reference
    SOFT=1 timed open_rnd "$WORK/open.log" sek open --in "$ENV" --out "$WORK/files/opened.bin" --key "$PKI/contractor-enc.key" \
      --cert "$PKI/contractor-enc.pem" --trust "$PKI/ca.pem" && same_file "$RND" "$WORK/files/opened.bin"
    rm -f "$WORK/files/opened.bin"
  fi
elif [ "$HAS_TUS" = 1 ]; then
  log "no sekisho seal: the envelope for the upload comparison is made with openssl cms (AES-256-GCM, RSA-OAEP)"
  openssl cms -encrypt -binary -stream -aes-256-gcm -outform DER -in "$RND" -out "$ENV" -recip "$PKI/contractor-enc.pem" \
    -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256 -keyopt rsa_mgf1_md:sha256 || die "openssl cms -encrypt"
else
  ENV=$RND
  log "no envelope tooling and no tus on the gateway: the nginx floor alone, on the random file"
fi
ENV_BYTES=$(stat -c %s "$ENV")
[ "$HAS_TUS" = 1 ] && ENV_SHA=$(sha256sum "$ENV" | cut -d' ' -f1)
# The receiver acknowledges what an upload stored (untimed): the gateway purges its spool copy, as
# curl_put deletes nginx's file, so no round writes into a page cache fuller than the others'. (On a
# VM that hands freed memory back to its host, letting 1 GiB uploads pile up in the spool doubled the
# gateway's write time from the second round on.)
ack_stored() { # TRANSFER_ID
  [ -n "$1" ] || return 0
  curl -sS -o /dev/null --fail --cacert "$PKI/ca.pem" --cert "$PKI/contractor.pem" --key "$PKI/contractor.key" \
    -H 'Content-Type: application/json' -d "{\"sha256\":\"$ENV_SHA\"}" \
    "$TRANSFER/api/v1/routes/$ROUTE/transfers/$1/ack" || log "could not acknowledge transfer $1 (it stays in the spool)"
}
# Interleaved rounds, each upload after a `sync` so that no one pays for another's dirty pages.
log "== uploads of the same $ENV_BYTES bytes, $UPLOAD_ROUNDS rounds: curl PUT into nginx, curl tus and sekisho send --encrypted into the gateway"
for i in $(seq "$UPLOAD_ROUNDS"); do
  sync; curl_put "curl_put$i" "$ENV"
  warm_page_cache "$ENV_BYTES"; curl_put "curl_putw$i" "$ENV"
  if [ "$HAS_TUS" = 1 ]; then
    sync; SOFT=1 timed "tus_upload$i" "$WORK/tus-upload$i.log" tus_upload "$ENV" "$ENV_SHA" 1 "$WORK/tus-upload$i" || true
    ack_stored "$(sed -nE 's/^[Ss]ekisho-[Tt]ransfer-[Ii]d: *([^[:space:]]+).*/\1/p' "$WORK/tus-upload$i.patch" 2>/dev/null)"
  fi
  if [ "$HAS_TRANSFER" = 1 ] && [ "$HAS_SEAL" = 1 ]; then
    sync; SOFT=1 timed "sek_upload$i" "$WORK/sek-upload$i.log" sek send --gateway "$TRANSFER" --route "$ROUTE" \
      --encrypted "$ENV" --records 1 --identity "$PKI/city-sender.p12" || true
    ack_stored "$(sed -nE 's/^transfer: *([^[:space:]]+).*/\1/p' "$WORK/sek-upload$i.log")"
  fi
done
fi
GW_HWM=$(vm VmHWM)

# Request overhead: GET terms as the sender (allowed, 200) and as the receiver asking ?as=sender (403 NOT_A_SENDER).
[ -z "$WAN_RATE" ] && log "== request overhead: $CONCURRENCY concurrent clients, ${LOAD_WARMUP} s warm-up + ${LOAD_SECONDS} s each"
load() { # NAME IDENTITY QUERY STATUS
  local out
  out=$("$JAVA" "$HERE/LoadClient.java" "$TRANSFER/api/v1/routes/$ROUTE/terms$3" "$PKI/$2.p12" "$PKI/ca.pem" "$4" \
        "$CONCURRENCY" "$LOAD_WARMUP" "$LOAD_SECONDS" 2>"$WORK/load-$1.err") || true
  log "load $1: $out"
  [ -n "$out" ] || { cat "$WORK/load-$1.err" >&2; die "load $1"; }
  [ -s "$WORK/load-$1.err" ] && { log "load $1:"; cat "$WORK/load-$1.err" >&2; }
  R[${1}_ok_rps]=$(sed -nE 's/.*ok_rps=([0-9.]+).*/\1/p' <<<"$out")
  R[${1}_ok_p99]=$(sed -nE 's/.*ok_p99_ms=([0-9.]+).*/\1/p' <<<"$out")
  R[${1}_statuses]=$(sed -nE 's/.*statuses=([^ ]*).*/\1/p' <<<"$out")
  R[${1}_unexpected]=$(sed -nE 's/.*unexpected=([0-9]+).*/\1/p' <<<"$out")
  R[${1}_rps]=$(sed -nE 's/.* rps=([0-9.]+).*/\1/p' <<<"$out")
  R[${1}_p50]=$(sed -nE 's/.* p50_ms=([0-9.]+).*/\1/p' <<<"$out")
  R[${1}_p99]=$(sed -nE 's/.* p99_ms=([0-9.]+).*/\1/p' <<<"$out")
}
DO_LOAD=0; [ -z "$WAN_RATE" ] && DO_LOAD=1 # under --wan: skipped (small requests, not bandwidth)
if [ "$DO_LOAD" = 1 ]; then
  load allowed city-sender "" 200
  load denied contractor "?as=sender" 403
fi
GW_RSS_END=$(vm VmRSS); GW_HWM_END=$(vm VmHWM)

# ---------------------------------------------------------------------------------------------
# Report
check() { # VALUE OP LIMIT -> "met" / "MISSED" / "-"
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN { if (v == "" || v == "-") { print "-"; exit }
    ok = (op == ">=") ? (v + 0 >= l + 0) : (v + 0 < l + 0); print ok ? "met" : "MISSED" }'
}
mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
{
echo
echo "Sekisho hand-off benchmark, $(date -u +%Y-%m-%dT%H:%MZ) on $(hostname): $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, load average before the report $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Sekisho $SEK_REV from $SEKISHO_HOME; JDK $JDK_DESC; gateway JVM options: ${GATEWAY_JAVA_OPTS:--Xmx256m}"
echo "gpg $(gpg --version | sed -n '1s/.* //p'), $(ssh -V 2>&1 | cut -d, -f1), nginx $NGINX_VERSION, curl $(curl -V | sed -n '1s/curl \([^ ]*\).*/\1/p')"
echo "files: residents CSV $CSV_ROWS rows = $(mib "$CSV_BYTES"); random $(mib "$RND_BYTES"); MB/s = 10^6 bytes of the plaintext file per second"
echo
[ -n "$WAN_RATE" ] && wan_report
if [ "$DO_CSV$DO_RND" != 00 ]; then
echo "Hand-off, end to end (seconds$([ -n "$WAN_RATE" ] && echo ", medians of $HANDOFF_RUNS, on the link"); MB/s; Sekisho/usual is the time ratio, below 1 is faster)"
printf '| %-34s | %20s | %20s |\n' "" "residents CSV" "random"
printf '|%s|%s|%s|\n' "------------------------------------" "----------------------" "----------------------"
row() { printf '| %-34s | %20s | %20s |\n' "$1" "$2" "$3"; }
cell() { if [ -n "${FAILED[$1]:-}" ]; then printf FAILED; elif [ -n "${T[$1]:-}" ]; then printf '%s s' "${T[$1]}"; else printf -- '-'; fi; }
cellm() { if [ -n "${T[$1]:-}" ]; then printf '%s s (%s MB/s)' "${T[$1]}" "$(mbps "$2" "${T[$1]}")"; else printf -- '-'; fi; }
row "gpg --encrypt --sign" "$(cell gpg_enc_csv)" "$(cell gpg_enc_rnd)"
row "sftp put" "$(cell sftp_up_csv)" "$(cell sftp_up_rnd)"
row "sftp get" "$(cell sftp_down_csv)" "$(cell sftp_down_rnd)"
row "gpg --decrypt (verify)" "$(cell gpg_dec_csv)" "$(cell gpg_dec_rnd)"
row "usual way, total" "$(cellm usual_total_csv "$CSV_BYTES")" "$(cellm usual_total_rnd "$RND_BYTES")"
row "sekisho send" "$(cell sek_send_csv)" "$(cell sek_send_rnd)"
row "sekisho receive --once" "$(cell sek_recv_csv)" "$(cell sek_recv_rnd)"
row "Sekisho, total" "$(cellm sek_total_csv "$CSV_BYTES")" "$(cellm sek_total_rnd "$RND_BYTES")"
RATIO_CSV=$(ratio "${T[sek_total_csv]:-0}" "${T[usual_total_csv]:-0}")
RATIO_RND=$(ratio "${T[sek_total_rnd]:-0}" "${T[usual_total_rnd]:-0}")
row "Sekisho/usual (time)" "$RATIO_CSV" "$RATIO_RND"
echo
SPEEDUP=$(ratio "${T[usual_total_rnd]:-0}" "${T[sek_total_rnd]:-0}")
if [ "$DO_RND" = 1 ] && [ -z "$WAN_RATE" ]; then
  echo "Target (issue 18, loopback): the $(mib "$RND_BYTES") hand-off >= 5x faster than gpg+sftp: usual/(send + receive --once) = ${SPEEDUP} -> $(check "$SPEEDUP" ">=" 5)"
  if [ -n "${T[agent_rnd]:-}" ]; then
    speed=$(ratio "${T[usual_total_rnd]:-0}" "${T[agent_rnd]}")
    echo "  through the agent (drop to inbox, median of $AGENT_RUNS_BIG: ${T[agent_rnd]} s, $(mbps "$RND_BYTES" "${T[agent_rnd]}") MB/s): usual/agent = $speed -> $(check "$speed" ">=" 5)"
  fi
fi
echo
fi
if [ "$DO_K1" = 1 ]; then
echo "The everyday file: 1,000-row residents CSV ($(mib "$(stat -c %s "$CSV1K")")), median of $SMALL_RUNS hand-offs each (seconds)"
printf '| %-34s | %10s |\n' "" "seconds"
printf '|%s|%s|\n' "------------------------------------" "------------"
printf '| %-34s | %10s |\n' "gpg + sftp, total" "${T[usual_total_k1]:--}" "sekisho send" "${T[sek_send_k1]:--}" \
  "sekisho receive --once" "${T[sek_recv_k1]:--}" "Sekisho, total" "${T[sek_total_k1]:--}"
echo "Targets (issue 18, quiet machine): send < 0.6 s -> $(check "${T[sek_send_k1]:-}" "<" 0.6); receive < 0.6 s -> $(check "${T[sek_recv_k1]:-}" "<" 0.6)"
# >>> agent report
if [ -n "${T[agent_k1]:-}" ]; then
  printf '| %-34s | %10s |\n' "sekisho agent, drop to inbox" "${T[agent_k1]}"
  echo "  (one sending and one receiving agent running, inbox long-polled, poll $AGENT_POLL; median of $AGENT_RUNS after one warm-up)"
  echo "Target (issue 18, quiet machine): agent drop-to-inbox < 0.5 s -> $(check "${T[agent_k1]}" "<" 0.5)"
fi
if [ -n "${T[agent_csv]:-}" ]; then
  echo "sekisho agent, drop to inbox, $CSV_ROWS-row CSV: median of $AGENT_RUNS_FULL ${T[agent_csv]} s (send + receive --once: ${T[sek_total_csv]:--} s)"
  if [ -z "$WAN_RATE" ] && [ -n "${T[usual_total_csv]:-}" ]; then
    speed=$(ratio "${T[usual_total_csv]}" "${T[agent_csv]}")
    echo "Target (issue 18, loopback): $CSV_ROWS rows >= 2x faster than gpg+sftp: usual/agent = $speed -> $(check "$speed" ">=" 2)"
  fi
fi
# <<< agent report
for f in send recv; do
  [ -s "$WORK/timings-$f.err" ] && grep -A8 '^所要時間' "$WORK/timings-$f.err" | sed "s/^/  $f --timings: /"
done
echo
fi
if [ "$DO_UPLOADS" = 1 ]; then
echo "Upload of the same $(mib "$ENV_BYTES") envelope over mutual TLS, interleaved rounds (send --encrypted includes its JVM start, terms and envelope hash)"
printf '| %-48s | %10s | %10s |\n' "" "seconds" "MB/s"
printf '|%s|%s|%s|\n' "--------------------------------------------------" "------------" "------------"
urow() { printf '| %-48s | %10s | %10s |\n' "$1" "$2" "$3"; }
for i in $(seq "$UPLOAD_ROUNDS"); do
  [ -n "${T[curl_put$i]:-}" ] && urow "curl PUT into nginx (dav, to disk), round $i" "${T[curl_put$i]}" "$(mbps "$ENV_BYTES" "${T[curl_put$i]}")"
  if [ -n "${T[curl_put${i}_fsync]:-}" ]; then
    d=$(sum "${T[curl_put$i]}" "${T[curl_put${i}_fsync]}"); T[curl_durable$i]=$d
    urow "  ... + fsync of the file (durable floor)" "$d" "$(mbps "$ENV_BYTES" "$d")"
  fi
  if [ -n "${T[curl_putw$i]:-}" ]; then
    urow "curl PUT into nginx, page cache warmed first" "${T[curl_putw$i]}" "$(mbps "$ENV_BYTES" "${T[curl_putw$i]}")"
    d=$(sum "${T[curl_putw$i]}" "${T[curl_putw${i}_fsync]}"); T[curl_durablew$i]=$d
    urow "  ... + fsync of the file" "$d" "$(mbps "$ENV_BYTES" "$d")"
  fi
  for k in tus_upload sek_upload; do
    case $k in tus_upload) label="curl tus POST+PATCH into the gateway, round $i" ;; *) label="sekisho send --encrypted (tus), round $i" ;; esac
    if [ -n "${FAILED[$k$i]:-}" ]; then urow "$label" FAILED -
    elif [ -n "${T[$k$i]:-}" ]; then urow "$label" "${T[$k$i]}" "$(mbps "$ENV_BYTES" "${T[$k$i]}")"; fi
  done
done
[ -n "${T[seal_rnd]:-}" ] && urow "(sekisho seal of the random file, for reference)" "${T[seal_rnd]}" "$(mbps "$RND_BYTES" "${T[seal_rnd]}")"
[ -n "${T[open_rnd]:-}" ] && urow "(sekisho open of this envelope, for reference)" "${T[open_rnd]}" "$(mbps "$RND_BYTES" "${T[open_rnd]}")"
median() { local i; for i in $(seq "$UPLOAD_ROUNDS"); do [ -n "${T[$1$i]:-}" ] && echo "${T[$1$i]}"; done | sort -g |
  awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
pct() { awk -v c="$1" -v s="$2" 'BEGIN { if (c > 0 && s > 0) printf "%.0f", 100 * c / s; else print "-" }'; }
M_PUT=$(median curl_put); M_DUR=$(median curl_durable); M_TUS=$(median tus_upload); M_SEND=$(median sek_upload)
M_PUTW=$(median curl_putw); M_DURW=$(median curl_durablew)
echo
echo "Medians: nginx PUT ${M_PUT} s, durable ${M_DUR} s; warmed ${M_PUTW} s, durable ${M_DURW} s; curl tus ${M_TUS} s; send --encrypted ${M_SEND} s"
echo "Target: gateway upload >= 70% of the nginx TLS floor (throughput ratio of medians, floor time / gateway time):"
UP_PCT_TUS=$(pct "$M_PUT" "$M_TUS"); UP_PCT_TUS_D=$(pct "$M_DUR" "$M_TUS")
UP_PCT_SEND=$(pct "$M_PUT" "$M_SEND"); UP_PCT_SEND_D=$(pct "$M_DUR" "$M_SEND")
echo "  curl tus:             ${UP_PCT_TUS}% of the floor -> $(check "$UP_PCT_TUS" ">=" 70); ${UP_PCT_TUS_D}% of the durable floor -> $(check "$UP_PCT_TUS_D" ">=" 70)"
echo "  send --encrypted:     ${UP_PCT_SEND}% of the floor -> $(check "$UP_PCT_SEND" ">=" 70); ${UP_PCT_SEND_D}% of the durable floor -> $(check "$UP_PCT_SEND_D" ">=" 70)"
UP_PCT_TUS_W=$(pct "$M_PUTW" "$M_TUS"); UP_PCT_TUS_DW=$(pct "$M_DURW" "$M_TUS")
echo "Against nginx's best case (page cache warmed):"
echo "  curl tus:             ${UP_PCT_TUS_W}% of the floor -> $(check "$UP_PCT_TUS_W" ">=" 70); ${UP_PCT_TUS_DW}% of the durable floor -> $(check "$UP_PCT_TUS_DW" ">=" 70)"
echo
fi
echo "Gateway memory: RSS idle after start ${GW_RSS_IDLE} MiB; peak (VmHWM) after the CSV hand-off ${GW_HWM_CSV:--} MiB, after the $(mib "$RND_BYTES") hand-off ${GW_HWM_HANDOFF} MiB, after the upload runs ${GW_HWM} MiB; at the end ${GW_RSS_END} MiB"
mb() { awk -v m="$1" 'BEGIN { printf "%.0f", m * 1.048576 }'; }
echo "Target: gateway RSS under 400 MB during the transfers: peak $(mb "$GW_HWM") MB -> $(check "$(mb "$GW_HWM")" "<" 400) (after the load runs too: peak $(mb "$GW_HWM_END") MB)"
echo
if [ "$DO_LOAD" = 1 ]; then
echo "Request overhead: GET /api/v1/routes/$ROUTE/terms, $CONCURRENCY concurrent keep-alive clients (bench/LoadClient.java on the same machine), ${LOAD_SECONDS} s"
printf '| %-48s | %8s | %8s | %8s | %-22s | %8s | %8s |\n' "" "req/s" "p50 ms" "p99 ms" "answers (status:count)" "ok req/s" "ok p99"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' "--------------------------------------------------" "----------" "----------" "----------" "------------------------" "----------" "----------"
lrow() { printf '| %-48s | %8s | %8s | %8s | %-22s | %8s | %8s |\n' "$2" "${R[$1_rps]:--}" "${R[$1_p50]:--}" "${R[$1_p99]:--}" "${R[$1_statuses]:--}" "${R[$1_ok_rps]:--}" "${R[$1_ok_p99]:--}"; }
lrow allowed "allowed (sender, 200)"
lrow denied "denied (receiver ?as=sender, 403 NOT_A_SENDER)"
for k in allowed denied; do
  [ "${R[${k}_unexpected]:-0}" = 0 ] || echo "NOTE: $k: ${R[${k}_unexpected]} answers other than expected (first one in the log above); req/s, p50, p99 count all answers, ok req/s and ok p99 the expected ones"
done
echo
fi
echo "gateway start-up to listening: ${GW_START} s"
echo "CLI start, median of $CLI_RUNS (class-data sharing: $([ -n "$CDS_OPTS" ] && echo on || echo off); transfer commands: $(case $XFER_OPTS in *AOTCache*) echo "AOT cache" ;; "$CDS_OPTS") echo "the same archive" ;; esac)): java -jar sekisho.jar --version ${T[cli_start]} s; ./sekisho --version (the launcher) ${T[cli_start_launcher]} s; ./sekisho --help ${T[cli_overview]} s; send --help ${T[cli_help]} s"
echo "Target (issue 18, quiet machine): CLI start < 0.3 s -> $(check "${T[cli_start_launcher]}" "<" 0.3)"
for k in "${!FAILED[@]}"; do echo "FAILED $k: ${FAILED[$k]}"; done
} | tee "$WORK/report.txt"
[ -z "${BENCH_REPORT:-}" ] || cp "$WORK/report.txt" "$BENCH_REPORT"
[ ${#FAILED[@]} -eq 0 ]
