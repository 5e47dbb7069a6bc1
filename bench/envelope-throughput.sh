#!/usr/bin/env bash
# Throughput of `sekisho` seal/open (AES-256-GCM and AES-256-CBC) against openssl cms on one file.
# Usage: bench/envelope-throughput.sh [SIZE_MIB=1024] [ROUNDS=3] [WORKDIR=/tmp/envelope-bench]
# Runs on the default JDK and, when present, on Temurin 25. Needs ~4x SIZE of free disk in WORKDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-1024}
ROUNDS=${2:-3}
WORK=${3:-/tmp/envelope-bench}
mvn -B -q -pl envelope -am test-compile
mvn -B -q -pl envelope dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK.cp" >/dev/null
# Our own classes from this worktree, third-party jars from the local repository.
THIRD=$(tr ':' '\n' < "$WORK.cp" | grep -v '/jp/sekisho/' | paste -sd: -)
CP="envelope/target/classes:envelope/target/test-classes:certs/target/classes:certs/target/test-classes:$THIRD"
mkdir -p "$WORK"
JAVAS=(java)
T25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
[ -x "$T25" ] && JAVAS+=("$T25")
OPENSSL=true
for J in "${JAVAS[@]}"; do
  "$J" -Xmx2g -cp "$CP" jp.sekisho.envelope.GcmBench 256 3
  "$J" -Xmx256m -cp "$CP" jp.sekisho.envelope.EnvelopeBench "$WORK" "$SIZE" "$ROUNDS" "$OPENSSL"
  OPENSSL=false # openssl figures do not depend on the JVM
done
rm -rf "$WORK" "$WORK.cp"
