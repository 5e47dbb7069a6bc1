package jp.sekisho.audit;

/** The decision an audit event records. */
public enum Outcome {
    ALLOW,
    DENY,
    ERROR
}
