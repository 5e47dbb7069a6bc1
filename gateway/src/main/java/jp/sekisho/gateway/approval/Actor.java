package jp.sekisho.gateway.approval;

/**
 * Who made a decision, identified by the verified certificate: subject for people reading the
 * history, SHA-256 fingerprint for telling two people apart (subjects can repeat across CAs).
 */
public record Actor(String subject, String sha256) {

    public boolean samePersonAs(Actor other) {
        return other != null && sha256.equals(other.sha256());
    }
}
