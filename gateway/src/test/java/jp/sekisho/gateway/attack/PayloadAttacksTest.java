package jp.sekisho.gateway.attack;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import jp.sekisho.audit.EventType;
import jp.sekisho.certs.testing.Procs;
import jp.sekisho.envelope.ContentCipher;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AuthEnvelopedData;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.EncryptedContentInfo;
import org.bouncycastle.asn1.cms.GCMParameters;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cms.CMSCompressedDataStreamGenerator;
import org.bouncycastle.cms.jcajce.ZlibCompressor;

/**
 * Payloads the gateway must not store: not encrypted (plain, garbage, SignedData only, CompressedData
 * bombs, truncated or extended envelopes), weak ciphers, wrong or extra recipients, and envelopes
 * outside the profile (unauthenticated attributes carrying plaintext, a GCM ICV of 8 bytes). Each is
 * uploaded whole; the completing PATCH is refused (TRANSFER_REJECTED) and nothing is left in the
 * spool or the inbox.
 */
class PayloadAttacksTest extends AttackCategory {

    private static final String CSV = "DUMMY 山田 太郎,1970-01-01,福岡県久留米市\n".repeat(2000);

    private Path file(String name, byte[] b) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    private Path openssl(String name, String... args) {
        Path out = dir.resolve(name);
        // -out before the arguments: recipient certificates are the command's last, positional ones
        List<String> cmd = new ArrayList<>(List.of("openssl", "cms", "-out", out.toString()));
        cmd.addAll(List.of(args));
        Procs.Result r = Procs.run(60, cmd.toArray(String[]::new));
        if (r.exit() != 0) {
            throw new IllegalStateException(r.out());
        }
        return out;
    }

    private Path encrypt(String name, String cipher) throws Exception {
        return openssl(
                name,
                "-encrypt",
                "-binary",
                "-outform",
                "DER",
                cipher,
                "-in",
                dir.resolve("plain.csv").toString(),
                world.w.pki.dir().resolve("contractor-enc.pem").toString());
    }

    /** Uploads {@code file} whole on route benefit; the answer is the completing PATCH's. */
    private HostileCase.Attack upload(java.util.concurrent.Callable<Path> make) {
        return w -> {
            byte[] b = Files.readAllBytes(make.call());
            String sha = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(b));
            Answer created = RawHttps.send(
                    w.tls("city-sender"),
                    "127.0.0.1",
                    w.port("transfer"),
                    Req.of(
                            "POST",
                            "/api/v1/routes/benefit/uploads",
                            "",
                            "Tus-Resumable",
                            "1.0.0",
                            "Upload-Length",
                            Integer.toString(b.length),
                            "Upload-Metadata",
                            TusHeaderAttacksTest.meta("a.cms", sha, "1")));
            if (created.status() != 201) {
                return created; // refused at creation: judged as it is
            }
            String head = "PATCH " + created.headers().get("location")
                    + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                    + "Tus-Resumable: 1.0.0\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n"
                    + "Content-Length: " + b.length + "\r\n\r\n";
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
            req.writeBytes(b);
            return RawHttps.send(w.tls("city-sender"), "127.0.0.1", w.port("transfer"), req.toByteArray());
        };
    }

    private byte[] sealed() throws Exception {
        return Files.readAllBytes(world.w.seal(
                "sealed-" + System.nanoTime() + ".cms", 5000, "contractor-enc", ContentCipher.AES_256_GCM));
    }

    /** Our own sealed envelope, rebuilt with another GCM ICV length and unauthenticated attributes. */
    private byte[] rebuilt(int icv, boolean unauthPlaintext) throws Exception {
        ContentInfo ci = ContentInfo.getInstance(ASN1Primitive.fromByteArray(sealed()));
        AuthEnvelopedData a = AuthEnvelopedData.getInstance(ci.getContent());
        EncryptedContentInfo e = a.getAuthEncryptedContentInfo();
        GCMParameters p =
                GCMParameters.getInstance(e.getContentEncryptionAlgorithm().getParameters());
        EncryptedContentInfo e2 = new EncryptedContentInfo(
                e.getContentType(),
                new AlgorithmIdentifier(
                        e.getContentEncryptionAlgorithm().getAlgorithm(),
                        // GCMParameters refuses other lengths than 12-16: written by hand, as an attacker would
                        new org.bouncycastle.asn1.DERSequence(new org.bouncycastle.asn1.ASN1Encodable[] {
                            new DEROctetString(p.getNonce()), new org.bouncycastle.asn1.ASN1Integer(icv)
                        })),
                e.getEncryptedContent());
        byte[] mac = Arrays.copyOf(a.getMac().getOctets(), icv);
        DERSet unauth = unauthPlaintext
                ? new DERSet(new Attribute(
                        new ASN1ObjectIdentifier("1.2.392.200119.99.1"),
                        new DERSet(new DEROctetString(CSV.getBytes(StandardCharsets.UTF_8)))))
                : null;
        AuthEnvelopedData a2 = new AuthEnvelopedData(
                a.getOriginatorInfo(), a.getRecipientInfos(), e2, a.getAuthAttrs(), new DEROctetString(mac), unauth);
        return new ContentInfo(CMSObjectIdentifiers.authEnvelopedData, a2).getEncoded("DER");
    }

    private static byte[] bomb(long zeros) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream c = new CMSCompressedDataStreamGenerator().open(out, new ZlibCompressor())) {
            byte[] z = new byte[1 << 20];
            for (long n = 0; n < zeros; n += z.length) {
                c.write(z);
            }
        }
        return out.toByteArray();
    }

    @Override
    Stream<HostileCase> cases() throws Exception {
        Files.writeString(dir.resolve("plain.csv"), CSV);
        List<HostileCase> l = new ArrayList<>();
        Expected notEncrypted = Expected.refused(422, "PAYLOAD_NOT_ENCRYPTED", EventType.TRANSFER_REJECTED);
        Expected weak = Expected.refused(422, "PAYLOAD_WEAK_CIPHER", EventType.TRANSFER_REJECTED);
        Expected wrong = Expected.refused(422, "PAYLOAD_WRONG_RECIPIENT", EventType.TRANSFER_REJECTED);
        Expected malformed = Expected.refused(422, "PAYLOAD_MALFORMED", EventType.TRANSFER_REJECTED);
        l.add(c("plaintext CSV", upload(() -> dir.resolve("plain.csv")), notEncrypted));
        l.add(c(
                "random bytes",
                upload(() -> file(
                        "random.bin",
                        new java.util.Random(7)
                                .ints(4096, 0, 256)
                                .collect(
                                        ByteArrayOutputStream::new,
                                        ByteArrayOutputStream::write,
                                        (x, y) -> x.writeBytes(y.toByteArray()))
                                .toByteArray())),
                notEncrypted));
        l.add(c(
                "a DER SEQUENCE claiming 2 GB",
                upload(() -> file(
                        "huge.der",
                        new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x06, 0x01, 0x00})),
                notEncrypted));
        l.add(c(
                "SignedData only (signed, not encrypted)",
                upload(() -> openssl(
                        "signed.der",
                        "-sign",
                        "-binary",
                        "-nodetach",
                        "-outform",
                        "DER",
                        "-md",
                        "sha256",
                        "-in",
                        dir.resolve("plain.csv").toString(),
                        "-signer",
                        world.w.pki.dir().resolve("city-sender.pem").toString(),
                        "-inkey",
                        world.w.pki.dir().resolve("city-sender.key").toString())),
                notEncrypted));
        l.add(c(
                "CompressedData bomb (64 MiB of zeros)",
                upload(() -> file("bomb.cms", bomb(64L << 20))),
                notEncrypted));
        l.add(c(
                "envelope cut in half",
                upload(() -> {
                    byte[] s = sealed();
                    return file("half.cms", Arrays.copyOf(s, s.length / 2));
                }),
                notEncrypted));
        l.add(c(
                "envelope without its end-of-contents",
                upload(() -> {
                    byte[] s = sealed();
                    return file("unclosed.cms", Arrays.copyOf(s, s.length - 2));
                }),
                notEncrypted));
        l.add(c(
                "plaintext appended after a valid envelope",
                upload(() -> {
                    byte[] s = sealed();
                    byte[] tail = CSV.getBytes(StandardCharsets.UTF_8);
                    byte[] b = Arrays.copyOf(s, s.length + tail.length);
                    System.arraycopy(tail, 0, b, s.length, tail.length);
                    return file("appended.cms", b);
                }),
                notEncrypted));
        for (String cipher : List.of("-des3", "-aes128", "-aes-128-gcm", "-aes192", "-aes-192-gcm", "-aes256")) {
            l.add(c(
                    "envelope encrypted with " + cipher.substring(1) + " (openssl)",
                    upload(() -> encrypt("weak" + cipher + ".cms", cipher)),
                    weak));
        }
        l.add(c(
                "envelope for another recipient",
                upload(() -> world.w.seal("stranger.cms", 5000, "stranger-enc", ContentCipher.AES_256_GCM)),
                wrong));
        l.add(c(
                "envelope for the recipient and one more",
                upload(() -> openssl(
                        "extra.cms",
                        "-encrypt",
                        "-binary",
                        "-outform",
                        "DER",
                        "-aes-256-gcm",
                        "-in",
                        dir.resolve("plain.csv").toString(),
                        world.w.pki.dir().resolve("contractor-enc.pem").toString(),
                        world.w.pki.dir().resolve("stranger-enc.pem").toString())),
                wrong));
        l.add(c(
                "AES-256-GCM envelope with plaintext in unauthAttrs",
                upload(() -> file("unauth.cms", rebuilt(16, true))),
                malformed));
        l.add(c(
                "AES-256-GCM envelope with an 8-byte ICV",
                upload(() -> file("icv8.cms", rebuilt(8, false))),
                malformed));
        l.add(c(
                "AES-256-GCM envelope with a 12-byte ICV",
                upload(() -> file("icv12.cms", rebuilt(12, false))),
                malformed));
        return l.stream();
    }
}
