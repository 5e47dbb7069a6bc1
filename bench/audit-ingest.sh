#!/bin/sh
# Audit ingest benchmark: chained + signed audit store vs plain multi-row INSERT / COPY of the same rows.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth); creates and drops its own database.
# Usage: bench/audit-ingest.sh [events]   (default 300000)
set -eu
cd "$(dirname "$0")/.."
mvn -B -q -o -pl audit -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >/dev/null
exec java -Xmx2g -cp "audit/target/test-classes:audit/target/classes:$(cat audit/target/bench.cp)" \
    -DSEKISHO_LOG_LEVEL=WARN \
    jp.sekisho.audit.bench.AuditIngestBench "$@"
