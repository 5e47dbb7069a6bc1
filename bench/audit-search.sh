#!/bin/sh
# Audit search benchmark: the searches people run (newest page, by principal written differently, by
# approval, a page far down through the cursor, capped counts) on a 1,000,000-event log.
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth); creates and drops its own database
# (--keep leaves it and prints its URL). The events' chain hashes are bogus: only search is measured.
# Usage: bench/audit-search.sh [events] [--keep]   (default 1000000)
set -eu
cd "$(dirname "$0")/.."
if ! mvn -B -q -o -pl audit -am test-compile dependency:build-classpath \
    -Dmdep.outputFile=target/bench.cp -Dmdep.includeScope=test >target/bench-build.log 2>&1; then
    cat target/bench-build.log
    exit 1
fi
exec java -Xmx1g -cp "audit/target/test-classes:audit/target/classes:$(cat audit/target/bench.cp)" \
    -DSEKISHO_LOG_LEVEL=WARN \
    jp.sekisho.audit.read.AuditSearchBench "$@"
