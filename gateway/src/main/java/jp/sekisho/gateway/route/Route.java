package jp.sekisho.gateway.route;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A one-way channel from sender(s) to receiver(s), bound to one listener, carrying data only while
 * its approval is in force.
 *
 * @param recipientCertificates PEM certificates the payload must be encrypted for, exactly
 * @param maxPayloadBytes       the largest envelope accepted
 * @param retention             how long an undelivered transfer is kept before it expires
 * @param allowCbc              accept AES-256-CBC EnvelopedData as well as AES-256-GCM (old OpenSSL peers)
 * @param compression           accept envelopes compressed inside (RFC 3274); false where the contractor
 *                              opens envelopes with stock openssl, built without zlib on Debian
 */
public record Route(
        String id,
        String listener,
        String approvalRef,
        List<Party> senders,
        List<Party> receivers,
        List<String> recipientCertificates,
        long maxPayloadBytes,
        Duration retention,
        boolean allowCbc,
        boolean compression) {

    /** A route that allows compression, the default. */
    public Route(
            String id,
            String listener,
            String approvalRef,
            List<Party> senders,
            List<Party> receivers,
            List<String> recipientCertificates,
            long maxPayloadBytes,
            Duration retention,
            boolean allowCbc) {
        this(
                id,
                listener,
                approvalRef,
                senders,
                receivers,
                recipientCertificates,
                maxPayloadBytes,
                retention,
                allowCbc,
                true);
    }

    public Route {
        Objects.requireNonNull(id, "id");
        senders = List.copyOf(senders);
        receivers = List.copyOf(receivers);
        recipientCertificates = List.copyOf(recipientCertificates);
    }

    /** Every CIDR either side may connect from: what the listener's allowlist must admit for this route. */
    public List<String> allCidrs() {
        return java.util.stream.Stream.concat(senders.stream(), receivers.stream())
                .flatMap(p -> p.allow().stream())
                .distinct()
                .toList();
    }
}
