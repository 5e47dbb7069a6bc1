package jp.sekisho.certs;

/** What an issued certificate is for; decides its key usages. */
public enum CertKind {
    /** A TLS client (sending or receiving system, secretariat, auditor, operator): clientAuth. */
    CLIENT,
    /** A TLS server (the gateway): serverAuth and subject alternative names. */
    SERVER,
    /** A contractor's encryption certificate for CMS payloads: no TLS usage at all. */
    RECIPIENT
}
