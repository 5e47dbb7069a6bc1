#!/usr/bin/env bash
# Envelope size against seal time by zlib level (none, 1, 3, 6, 9) on the 305,115-row dummy CSV
# (`sekisho dummy residents`), the whole seal path (sign, compress, encrypt AES-256-GCM), best of
# ROUNDS; and the open time of the uncompressed and the level-1 envelope. A benchmark, not a test:
# docs/benchmarks.md keeps its figures and the level chosen (Compression.DEFAULT_LEVEL).
# Usage: bench/compression-levels.sh [ROWS=305115] [ROUNDS=3] [WORKDIR=/tmp/compression-bench]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-305115}
ROUNDS=${2:-3}
WORK=${3:-/tmp/compression-bench}
mkdir -p "$WORK"
mvn -B -q -o -pl client -am package -DskipTests -Dopenapi.lint.skip=true
mvn -B -q -o -pl envelope -am test-compile
# third-party jars: the release's lib/ (the dependency plugin cannot resolve the certs test jar without an install)
THIRD=$(ls client/target/lib/*.jar | grep -v '/sekisho-' | paste -sd: -)
CP="envelope/target/classes:envelope/target/test-classes:certs/target/classes:certs/target/test-classes:$THIRD"
CSV="$WORK/residents.csv"
[ -s "$CSV" ] || java -jar client/target/sekisho.jar dummy residents --count "$ROWS" --out "$CSV" >/dev/null
java -Xmx256m -cp "$CP" jp.sekisho.envelope.CompressionBench "$CSV" "$WORK" "$ROUNDS"
rm -rf "$WORK"/pki-*
