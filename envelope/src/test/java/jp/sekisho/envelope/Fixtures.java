package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import jp.sekisho.certs.testing.Procs;

/** Test data and small helpers shared by the envelope tests. */
final class Fixtures {

    private Fixtures() {}

    /** The content key a {@link GcmStreamEncryptor} made, as BouncyCastle's generator would wrap it. */
    static javax.crypto.SecretKey contentKey(GcmStreamEncryptor e) {
        Object k = e.getKey().getRepresentation();
        return k instanceof javax.crypto.SecretKey s ? s : new javax.crypto.spec.SecretKeySpec((byte[]) k, "AES");
    }

    static Path randomFile(Path dir, String name, long size, long seed) throws IOException {
        Path p = dir.resolve(name);
        Random r = new Random(seed);
        byte[] buf = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(p)) {
            long left = size;
            while (left > 0) {
                r.nextBytes(buf);
                int n = (int) Math.min(buf.length, left);
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return p;
    }

    /** A benefit-mailing style CSV with Japanese UTF-8 text. */
    static Path residentsCsv(Path dir, int rows) throws IOException {
        Path p = dir.resolve("residents.csv");
        String[] names = {"山田 太郎", "佐藤 花子", "鈴木 一郎", "髙橋 美咲", "渡邊 健"};
        String[] towns = {"福岡県久留米市城南町", "東京都千代田区霞が関", "大阪府大阪市北区中之島", "北海道札幌市中央区北一条西"};
        try (var w = Files.newBufferedWriter(p, StandardCharsets.UTF_8)) {
            w.write("住民番号,氏名,生年月日,住所,金融機関,口座番号\n");
            for (int i = 0; i < rows; i++) {
                w.write(String.format(
                        "%08d,%s,19%02d-%02d-%02d,%s%d丁目%d番,ゆうちょ銀行,%07d%n",
                        i,
                        names[i % names.length],
                        40 + i % 60,
                        1 + i % 12,
                        1 + i % 28,
                        towns[i % towns.length],
                        1 + i % 9,
                        1 + i % 30,
                        i * 7 % 10_000_000));
            }
        }
        return p;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Procs.Result openssl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        return Procs.run(cmd, 120);
    }
}
