package jp.sekisho.gateway.operations;

/**
 * The spool's file system (the gauges sekisho_spool_usable_bytes, _used_bytes and _reserve_bytes)
 * and the audit store's writer.
 *
 * @param spoolLow        the usable space is below twice the reserve (the gateway warns in its log;
 *                        uploads that do not fit beyond the reserve are refused SPOOL_FULL)
 * @param auditAvailable  false while the audit store cannot take events: every request is then
 *                        refused AUDIT_UNAVAILABLE (fail closed)
 */
public record StorageRow(
        long spoolUsable, long spoolUsed, long spoolReserve, boolean spoolLow, boolean auditAvailable) {}
