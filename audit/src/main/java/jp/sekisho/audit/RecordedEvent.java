package jp.sekisho.audit;

import java.time.Instant;

/**
 * An audit event as the store holds it: sequence number, time (UTC, microseconds), the node that
 * wrote it, and its place in that node's hash chain ({@code hash = SHA-256(prevHash || canonical
 * encoding)}).
 */
public record RecordedEvent(long seq, Instant time, String nodeId, AuditEvent event, String prevHash, String hash) {}
