package jp.sekisho.gateway.approval;

import java.time.Instant;

/** A flow-opening decision made by one secretariat member, waiting for a second to confirm it. */
public record PendingDecision(Decision decision, Actor by, Instant at, String reason) {}
