package jp.sekisho.audit;

/**
 * Who acted, as proven by a verified certificate: never a name the client chose.
 *
 * @param subject the certificate's subject DN (RFC 4514)
 * @param serial  the certificate's serial number in hex
 * @param sha256  the SHA-256 fingerprint of the DER certificate, lower-case hex
 */
public record AuditPrincipal(String subject, String serial, String sha256) {}
