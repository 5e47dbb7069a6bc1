# sekisho-java.sh: what both launchers share, sourced by them (the repository's ./sekisho and an
# installed release's bin/sekisho); not a command. It chooses Java, the class-data-sharing archive and
# the JIT's tiers.
# The caller sets SEKISHO_JAVA_HINT (how to get a Java, for the error when none is found) and calls
# find_java; then sets the array `launch` (the class path and main class it runs: -jar JAR, or -cp
# DIR/* CLASS) and calls cds_opts.

# The functions that choose set variables instead of printing: a $(...) forks a subshell (a few ms
# each on a small VM), and a command that does little pays for every process the launcher starts.
# find_java and cds_opts print their answer for scripts that want it that way (the benches).

# java_major JAVA: sets JAVA_MAJOR to the major version of a java binary (empty when unknown) and
# JAVA_RELEASE to its JDK's `release` file. Read from that file, so that choosing among four installed
# JDKs starts no JVM at all; `java -version` only when there is none. /usr/bin/java and other links
# cost one readlink.
java_major() {
  local home=${1%/bin/java} line v=
  JAVA_MAJOR= JAVA_RELEASE=
  if [ ! -f "$home/release" ]; then # /usr/bin/java and other links: the JDK it points into
    home=$(readlink -f "$1") && home=${home%/bin/java}
  fi
  if [ -f "$home/release" ]; then
    JAVA_RELEASE=$home/release
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; v=${v%%[._+-]*}; break ;;
      esac
    done <"$home/release"
    case $v in ''|*[!0-9]*) ;; *) JAVA_MAJOR=$v; return ;; esac
  fi
  JAVA_MAJOR=$("$1" -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[0-9]+)*.*".*/\1/p')
}

# choose_java: sets JAVA (and JAVA_MAJOR, JAVA_RELEASE for it) to JAVA_HOME's java when it is 17+,
# else to the newest Java 17+ in the usual places; exits 2 saying what to do when there is none.
choose_java() {
  local candidates=() best="" best_v=0 best_release="" j v seen
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    java_major "$JAVA_HOME/bin/java"
    if [ "${JAVA_MAJOR:-0}" -ge 17 ]; then JAVA=$JAVA_HOME/bin/java; return; fi
    printf 'sekisho: JAVA_HOME=%s は Java %s です。Java 17 以上を他の場所で探します / JAVA_HOME is Java %s; looking for Java 17 or newer elsewhere\n' \
      "$JAVA_HOME" "${JAVA_MAJOR:-?}" "${JAVA_MAJOR:-?}" >&2
  fi
  for j in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*/bin/java "${HOME:-/nonexistent}"/.sdkman/candidates/java/*/bin/java; do
    [ -x "$j" ] && candidates+=("$j")
  done
  if j=$(command -v java 2>/dev/null); then # PATH's java, unless it is one of those (test -ef: no readlink)
    seen=0
    for v in "${candidates[@]}"; do [ "$j" -ef "$v" ] && { seen=1; break; }; done
    [ "$seen" = 1 ] || candidates+=("$j")
  fi
  # The newest wins: AES-GCM and start-up are faster on 21+.
  for j in "${candidates[@]}"; do
    java_major "$j"; v=$JAVA_MAJOR; [ -n "$v" ] || continue
    if [ "$v" -ge 17 ] && [ "$v" -gt "$best_v" ]; then best=$j; best_v=$v; best_release=$JAVA_RELEASE; fi
  done
  if [ -z "$best" ]; then
    printf 'sekisho: %s\n' "Java 17 以上が見つかりません（JAVA_HOME、/usr/lib/jvm、/opt/java、PATH を探しました）。$SEKISHO_JAVA_HINT" >&2
    exit 2
  fi
  JAVA=$best JAVA_MAJOR=$best_v JAVA_RELEASE=$best_release
}

# find_java: prints what choose_java chooses.
find_java() {
  choose_java && echo "$JAVA"
}

# cds_options JAVA DIR JARS...: sets CDS_OPTIONS to the JVM options that map the class-data-sharing
# archive for this Java and these jars from DIR (a command that does little then starts in well under
# 0.3 s instead of reading, verifying and linking a few thousand classes). When there is none yet, it
# sets none and trains one in the background for the next command: a JVM with
# -XX:ArchiveClassesAtExit runs jp.sekisho.client.CdsTraining (a send and a receive of dummy rows
# against a training gateway it starts on loopback, in a temporary folder it removes) and the archive is renamed into place only when complete, so a command starting meanwhile sees either
# no archive or a whole one; one training at a time (flock), none at all where DIR cannot be written.
# The name carries the Java and the jars (sizes, times, inodes), so an upgraded Java or a rebuilt or
# reinstalled jar never meets a stale archive (the JVM would refuse it anyway, but silently slower).
# The key costs one process (stat) and is summed in bash. SEKISHO_CDS=0 turns it off.
#
# CDS_KIND=transfer (the launchers set it for send, receive, seal, open and agent) on Java 25+ maps an
# AOT cache instead (JEP 483/514/515, -XX:AOTCache): besides the classes it holds them linked, with
# their lambdas and method profiles, which takes a cold send or receive ~0.1-0.25 s less. The other
# commands keep the archive above: the cache maps the ~4,080 classes a transfer loads, and
# `--version` or `approvals list` measured no faster with it (docs/benchmarks.md, 2026-12-06).
cds_options() {
  local java=$1 dir=$2 key=5381 archive release size mtime inode kind=jsa
  shift 2
  CDS_OPTIONS=
  [ "${SEKISHO_CDS:-1}" = 0 ] && return 0
  release=${java%/bin/java}/release
  [ -f "$release" ] || release=/dev/null
  # size, time and inode of the java binary (through links), its JDK's release file and each jar:
  # another or an upgraded Java, and a rebuilt, replaced or reinstalled jar, all change the key
  while read -r size mtime inode; do
    key=$(( ((key * 31 + size) * 31 + mtime) * 31 + inode & 0x7fffffff ))
  done < <(stat -L -c '%s %Y %i' "$java" "$release" "$@" 2>/dev/null)
  key=$(( (key * 31 + $#) & 0x7fffffff ))
  if [ "${CDS_KIND:-}" = transfer ]; then
    [ -n "${JAVA_MAJOR:-}" ] || java_major "$java"
    # the JVM refuses -XX:AOTCache beside any -Xshare or SharedArchiveFile: the user's options win
    case " ${SEKISHO_JAVA_OPTS:-} " in
      *" -Xshare:"*|*"SharedArchiveFile"*|*"AOTCache"*) ;;
      *) [ "${JAVA_MAJOR:-0}" -ge 25 ] && kind=aot ;;
    esac
  fi
  archive=$dir/sekisho-$key.$kind
  if [ -f "$archive" ]; then
    if [ "$kind" = aot ]; then
      # Without replaying the training run's compilations. The training runs on the quick tier, whose
      # compilations are final (C2 never recompiles a tier-1 method): replayed in a JVM with the full
      # JIT they kept SHA-256 and AES-GCM off their intrinsics for good, and a 1 GiB send --encrypted
      # took 9.3 s instead of 4.5 s. On the quick tier the replay only queued work on the C1 thread.
      CDS_OPTIONS="-XX:AOTCache=$archive -Xlog:aot=off -Xlog:cds=off -XX:+UnlockDiagnosticVMOptions -XX:-AOTReplayTraining"
    else
      CDS_OPTIONS="-XX:SharedArchiveFile=$archive -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
    fi
    return 0
  fi
  mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ] || return 0
  ( # detached: the command being run does not wait for it
    exec 8>"$dir/.training.lock"
    flock -n 8 || exit 0 # one training at a time, of either kind; a later command starts the other
    [ -f "$archive" ] && exit 0
    rm -f "$dir"/sekisho-*."$kind" "$dir"/.training-*."$kind" "$dir"/.training-*."$kind".config
    tmp=$dir/.training-$BASHPID.$kind
    if [ "$kind" = aot ]; then # one step: the JVM assembles the cache in a child JVM as it exits
      # on the quick tier alone, as the short commands that map the cache run (jit_options below):
      # its method profiles and compilations then match theirs
      set -- -XX:AOTCacheOutput="$tmp" -XX:TieredStopAtLevel=1 -Xlog:aot=off -Xlog:cds=off
    else
      set -- -XX:ArchiveClassesAtExit="$tmp" -Xlog:cds=off -Xlog:cds+dynamic=off
    fi
    if "$java" "$@" -Dsekisho.cds.training=true "${launch[@]}" >/dev/null 2>&1 && [ -s "$tmp" ]; then
      mv -f "$tmp" "$archive"
    fi
    rm -f "$tmp" "$tmp.config"
  ) </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null || true
}

# jit_options COMMAND ARGS...: sets JIT_OPTIONS to -XX:TieredStopAtLevel=1 (the JIT's quick tier, C1,
# only, with the options below that suit a short run) for a command that is over within a second, and
# to nothing for the rest. Measured on two cores
# (issue 18): a send of a 1,000-row file takes ~0.25 s less, because the optimising compiler no longer
# spends a core on code that runs for a moment; but the quick tier has none of the AES-GCM and SHA-256
# intrinsics, so sealing or opening runs ~3x slower per byte, and past ~10 MiB it loses. So: send, seal
# and open when their input is at most 8 MiB (a file that cannot be read gets the full JIT and its own
# error), the gateway admin commands, and receive --once, which hands itself over to a JVM with the
# full JIT when the inbox holds more than 32 MiB (jp.sekisho.client.FullJit: what it downloads is known
# only once it has listed). Never the gateway, the agent, a receive that keeps polling, or audit, report
# and certs, whose work grows with the data. SEKISHO_JAVA_OPTS comes later on the command line, so a
# -XX:TieredStopAtLevel there wins.
jit_options() {
  local command=${1:-} file="" size
  JIT_OPTIONS=
  [ $# -gt 0 ] && shift
  case $command in
    approvals|routes|help|""|-h|--help|-V|--version) ;;
    receive)
      while [ $# -gt 0 ] && [ "$1" != --once ]; do shift; done
      [ $# -gt 0 ] || return 0
      ;;
    send|seal|open)
      while [ $# -gt 0 ]; do
        case $1 in
          --file|--encrypted|--in) file=${2:-}; [ $# -gt 1 ] && shift ;;
          --file=*|--encrypted=*|--in=*) file=${1#*=} ;;
        esac
        shift
      done
      [ -n "$file" ] && [ -f "$file" ] || return 0
      size=$(stat -L -c %s -- "$file" 2>/dev/null) || return 0
      [ "$size" -le $((8 * 1024 * 1024)) ] || return 0
      ;;
    *) return 0 ;;
  esac
  JIT_OPTIONS="-XX:TieredStopAtLevel=1 -XX:-UsePerfData"
  # The serial collector: such a command never needs G1's concurrent threads, and its write barrier
  # is cheaper in the interpreted and C1 code it runs (a 1,000-row send ~25 ms less). Not when the user
  # chose a collector: the JVM refuses two.
  case " ${SEKISHO_JAVA_OPTS:-} " in *" -XX:+Use"*GC" "*) ;; *) JIT_OPTIONS="$JIT_OPTIONS -XX:+UseSerialGC" ;; esac
}

# cds_opts JAVA DIR JARS...: prints what cds_options sets.
cds_opts() {
  cds_options "$@"
  printf '%s' "$CDS_OPTIONS"
}

# jit_opts COMMAND ARGS...: prints what jit_options sets.
jit_opts() {
  jit_options "$@"
  printf '%s' "$JIT_OPTIONS"
}
