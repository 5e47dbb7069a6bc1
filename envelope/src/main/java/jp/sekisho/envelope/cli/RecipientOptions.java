package jp.sekisho.envelope.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** What a receiver opens envelopes with: its key, optionally its certificate, and the CA it trusts for senders. */
public final class RecipientOptions {

    @Option(names = "--key", required = true, paramLabel = "KEY.pem", description = "Your decryption key (PKCS#8 PEM).")
    public Path key;

    @Option(names = "--key-password", paramLabel = "P", description = "Passphrase of an encrypted key.")
    public char[] keyPassword = new char[0];

    @Option(
            names = "--cert",
            paramLabel = "CERT.pem",
            description = "Your encryption certificate (picks the recipient entry).")
    public Path cert;

    @Option(
            names = "--trust",
            required = true,
            paramLabel = "ca.pem",
            description = "CA certificate(s) a sender's signature must chain to.")
    public Path trust;
}
