package jp.sekisho.gateway.admission;

/** Where a request entered the gateway: each entry point builds an {@link AdmissionRequest} and asks {@link Admission}. */
public enum Entry {
    /** The HTTP decoder, before any entry point: a request refused for its framing, path or ids. */
    HTTP,
    /** A Micronaut route (the JSON APIs, tus creation, HEAD, DELETE), through {@link AdmissionFilter}. */
    API,
    /** A tus PATCH, streamed to the spool by the Netty handler before Micronaut. */
    TUS_PATCH,
    /** A payload download, sent by the Netty handler before Micronaut. */
    PAYLOAD;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
