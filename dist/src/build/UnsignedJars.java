import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * Build step (run as a single-file program: {@code java UnsignedJars.java LIB_DIR}): rewrites every
 * signed jar in LIB_DIR (today BouncyCastle's three) without its signature, and records each
 * original's SHA-256 in LIB_DIR/unsigned-jars.sha256 ({@code sha256sum -c} format, against the jar
 * as Maven Central serves it).
 *
 * <p>Why (issue 18): the JDK's class-data sharing never archives a class from a signed jar, and
 * opening one makes the JVM parse and check its signature (bcprov: an 855 kB manifest and an 818 kB
 * signature file) and hash every class it loads. That was about half a second of CPU on every
 * {@code send} and {@code receive}. Sekisho uses BouncyCastle as a private provider instance and
 * through its lightweight API; OpenJDK builds (Debian's, Temurin, …) never check a JCE provider's
 * signature, only Oracle's commercial JDK does (docs/operations.md says so).
 *
 * <p>The copy keeps every class and resource and the manifest's main attributes (Multi-Release
 * among them: bcprov has Java 9+ versions of some classes), and drops the per-entry digests and
 * META-INF/*.SF, *.RSA, *.DSA, *.EC. Entries keep their order and times, so the output is the same
 * for the same input. Running it again on its own output changes nothing.
 */
public final class UnsignedJars {

    static final String PROVENANCE = "unsigned-jars.sha256";

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: java UnsignedJars.java LIB_DIR");
            System.exit(2);
        }
        Path lib = Path.of(args[0]);
        List<String> lines = new ArrayList<>(readProvenance(lib));
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(lib, "*.jar")) {
            for (Path jar : jars) {
                if (!isSigned(jar)) {
                    continue;
                }
                String line = sha256(jar) + "  " + jar.getFileName();
                Path tmp = jar.resolveSibling(jar.getFileName() + ".unsigned.tmp");
                unsign(jar, tmp);
                Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                lines.removeIf(l -> l.endsWith("  " + jar.getFileName()));
                lines.add(line);
                System.out.println("unsigned " + jar.getFileName() + " (original sha256 " + line.substring(0, 64) + ")");
            }
        }
        if (!lines.isEmpty()) {
            lines.sort(java.util.Comparator.comparing(l -> l.substring(66)));
            List<String> out = new ArrayList<>();
            out.add("# SHA-256 of each jar in this folder as published (signed) on Maven Central, before its signature was");
            out.add("# removed so that class-data sharing can archive its classes (docs/operations.md). Check a download with");
            out.add("# sha256sum -c " + PROVENANCE + " in a folder holding the published jars.");
            out.addAll(lines);
            Files.write(lib.resolve(PROVENANCE), out, StandardCharsets.UTF_8);
        }
    }

    /** The lines already recorded (a rebuild over a folder where some jars are unsigned already). */
    static List<String> readProvenance(Path lib) throws IOException {
        Path f = lib.resolve(PROVENANCE);
        List<String> lines = new ArrayList<>();
        if (Files.exists(f)) {
            for (String l : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                String name = l.length() > 66 ? l.substring(66) : "";
                if (!l.startsWith("#") && !name.isEmpty() && Files.exists(lib.resolve(name))) {
                    lines.add(l);
                }
            }
        }
        return lines;
    }

    static boolean isSignature(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (!n.startsWith("META-INF/") || n.indexOf('/', "META-INF/".length()) >= 0) {
            return false;
        }
        return n.endsWith(".SF") || n.endsWith(".RSA") || n.endsWith(".DSA") || n.endsWith(".EC");
    }

    static boolean isSigned(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            return f.stream().anyMatch(e -> isSignature(e.getName()));
        }
    }

    static void unsign(Path in, Path out) throws IOException {
        try (JarFile f = new JarFile(in.toFile(), false);
                OutputStream file = Files.newOutputStream(out);
                JarOutputStream jar = new JarOutputStream(file)) {
            Manifest original = f.getManifest();
            Manifest main = new Manifest();
            if (original != null) {
                main.getMainAttributes().putAll(original.getMainAttributes());
            } else {
                main.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            }
            ZipEntry me = new ZipEntry(JarFile.MANIFEST_NAME);
            JarEntry originalMe = f.getJarEntry(JarFile.MANIFEST_NAME);
            if (originalMe != null) {
                me.setTime(originalMe.getTime());
            }
            jar.putNextEntry(me);
            main.write(jar);
            jar.closeEntry();
            f.stream()
                    .filter(e -> !isSignature(e.getName()) && !e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME))
                    .forEach(e -> copy(f, e, jar));
        }
    }

    private static void copy(JarFile f, JarEntry e, JarOutputStream jar) {
        try (InputStream body = f.getInputStream(e)) {
            ZipEntry copy = new ZipEntry(e.getName());
            copy.setTime(e.getTime());
            jar.putNextEntry(copy);
            body.transferTo(jar);
            jar.closeEntry();
        } catch (IOException x) {
            throw new UncheckedIOException(e.getName(), x);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
