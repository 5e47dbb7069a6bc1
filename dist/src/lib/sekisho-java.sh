# sekisho-java.sh: what both launchers share, sourced by them (the repository's ./sekisho and an
# installed release's bin/sekisho); not a command. It chooses Java and the class-data-sharing archive.
# The caller sets SEKISHO_JAVA_HINT (how to get a Java, for the error when none is found) and calls
# find_java; then sets the array `launch` (the class path and main class it runs: -jar JAR, or -cp
# DIR/* CLASS) and calls cds_opts.

# java_major JAVA: the major version of a java binary. Read from its JDK's `release` file, so that
# choosing among four installed JDKs starts no JVM at all; `java -version` only when there is none.
# Parsed in bash itself (no sed, no dirname): a command that does little pays for every process the
# launcher starts, and this runs once per installed JDK.
java_major() {
  local home=${1%/bin/java} line v=
  if [ ! -f "$home/release" ]; then # /usr/bin/java and other links: the JDK it points into
    home=$(readlink -f "$1") && home=${home%/bin/java}
  fi
  if [ -f "$home/release" ]; then
    while IFS= read -r line; do
      case $line in
        JAVA_VERSION=*) v=${line#JAVA_VERSION=}; v=${v//\"/}; v=${v%%[._+-]*}; break ;;
      esac
    done <"$home/release"
    case $v in ''|*[!0-9]*) ;; *) echo "$v"; return ;; esac
  fi
  "$1" -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[0-9]+)*.*".*/\1/p'
}

# find_java: JAVA_HOME when it is 17+, else the newest Java 17+ in the usual places.
find_java() {
  local candidates=() best="" best_v=0 j v
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(java_major "$JAVA_HOME/bin/java"); if [ "${v:-0}" -ge 17 ]; then echo "$JAVA_HOME/bin/java"; return; fi
    printf 'sekisho: JAVA_HOME=%s は Java %s です。Java 17 以上を他の場所で探します / JAVA_HOME is Java %s; looking for Java 17 or newer elsewhere\n' \
      "$JAVA_HOME" "${v:-?}" "${v:-?}" >&2
  fi
  for j in /usr/lib/jvm/*/bin/java /opt/java/*/bin/java /opt/*/bin/java "${HOME:-/nonexistent}"/.sdkman/candidates/java/*/bin/java; do
    [ -x "$j" ] && candidates+=("$j")
  done
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  # The newest wins: AES-GCM and start-up are faster on 21+.
  for j in "${candidates[@]}"; do
    v=$(java_major "$j"); [ -n "$v" ] || continue
    if [ "$v" -ge 17 ] && [ "$v" -gt "$best_v" ]; then best=$j; best_v=$v; fi
  done
  if [ -z "$best" ]; then
    printf 'sekisho: %s\n' "Java 17 以上が見つかりません（JAVA_HOME、/usr/lib/jvm、/opt/java、PATH を探しました）。$SEKISHO_JAVA_HINT" >&2
    exit 2
  fi
  echo "$best"
}

# cds_opts JAVA DIR JARS...: the JVM options that map the class-data-sharing archive for this
# Java and these jars from DIR (a command that does little then starts in well under 0.3 s instead of
# reading, verifying and linking a few thousand classes). When there is none yet, it prints nothing
# and trains one in the background for the next command: a JVM with -XX:ArchiveClassesAtExit runs
# jp.sekisho.client.CdsTraining (no file or connection touched) and the archive is renamed into
# place only when complete, so a command starting meanwhile sees either no archive or a whole one;
# one training at a time (flock), none at all where DIR cannot be written. The name carries the Java
# build and the jars' size and time, so an upgraded Java or a rebuilt jar never meets a stale
# archive (the JVM would refuse it anyway, but silently slower). SEKISHO_CDS=0 turns it off.
cds_opts() {
  local java=$1 dir=$2 key archive real line
  shift 2
  [ "${SEKISHO_CDS:-1}" = 0 ] && return 0
  real=$(readlink -f "$java")
  key=$({ echo "$real"
          if [ -f "${real%/bin/java}/release" ]; then
            while IFS= read -r line; do
              case $line in JAVA_RUNTIME_VERSION=*) echo "${line#JAVA_RUNTIME_VERSION=}" ;; esac
            done <"${real%/bin/java}/release"
          fi
          stat -c '%n %s %Y' "$@" 2>/dev/null; } | cksum)
  key=${key%% *}
  archive=$dir/sekisho-$key.jsa
  if [ -f "$archive" ]; then
    printf '%s' "-XX:SharedArchiveFile=$archive -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
    return 0
  fi
  mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ] || return 0
  ( # detached: the command being run does not wait for it
    exec 8>"$dir/.training.lock"
    flock -n 8 || exit 0
    [ -f "$archive" ] && exit 0
    rm -f "$dir"/sekisho-*.jsa "$dir"/.training-*.jsa
    tmp=$dir/.training-$$.jsa
    if "$java" -XX:ArchiveClassesAtExit="$tmp" -Xlog:cds=off -Xlog:cds+dynamic=off \
        -Dsekisho.cds.training=true "${launch[@]}" >/dev/null 2>&1 && [ -s "$tmp" ]; then
      mv -f "$tmp" "$archive"
    fi
    rm -f "$tmp"
  ) </dev/null >/dev/null 2>&1 &
  disown 2>/dev/null || true
}
