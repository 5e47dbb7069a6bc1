package jp.sekisho.client.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** The demo's own checks, made outside the sekisho commands: a file's digest, a folder's files, a connection. */
final class DemoProbes {

    private DemoProbes() {}

    /** What a TCP connection from {@code localAddress} to the gateway's {@code port} on 127.0.0.1 meets. */
    static String connectFrom(String localAddress, int port) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 3000);
            s.setSoTimeout(3000);
            // A TLS ClientHello would follow; the gateway closes the connection before reading anything.
            InputStream in = s.getInputStream();
            int b = in.read();
            return b < 0
                    ? localAddress + " からの接続は、TLS の 1 バイト目より前にゲートウェイが切断しました"
                            + "（監査ログに記録）\n"
                            + "connection from " + localAddress + " closed by the gateway before any TLS byte"
                            + " (CONNECTION_REFUSED / IP_NOT_ALLOWED in the audit log)"
                    : "想定外: ゲートウェイが応答しました / unexpected: the gateway answered";
        } catch (IOException e) {
            return localAddress + " からの接続は拒否されました / connection from " + localAddress + " refused: " + e.getMessage();
        }
    }

    /** The regular files under {@code dir}, none when it does not exist. */
    static List<Path> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** The SHA-256 of a file, in hex. */
    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
