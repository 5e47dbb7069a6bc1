package jp.sekisho.audit.db;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;
import java.util.Set;

/**
 * The embedded store's role passwords, random per installation, kept in {@code <cluster>-secrets}
 * beside the cluster folder (e.g. {@code data/pg-secrets} for {@code data/pg}), mode 0600. Outside
 * the cluster folder because initdb wants that folder empty, and so that a copy of the cluster
 * alone does not carry the keys to it.
 *
 * @param owner the superuser {@code postgres}: migrations and ownership only
 * @param app   {@code sekisho_app}: what the gateway connects as
 * @param created whether this start made the file (a cluster already there then gets these passwords)
 */
public record EmbeddedSecrets(Path file, String owner, String app, boolean created) {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Where the secrets of the cluster in {@code clusterDir} live. */
    public static Path fileFor(Path clusterDir) {
        Path abs = clusterDir.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + "-secrets");
    }

    /** Reads the file, or creates it with fresh passwords; tightens its mode to 0600 if it was wider. */
    public static EmbeddedSecrets loadOrCreate(Path clusterDir) throws IOException {
        Path file = fileFor(clusterDir);
        if (Files.exists(file)) {
            if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                Files.setPosixFilePermissions(file, OWNER_ONLY);
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            String owner = p.getProperty("postgres");
            String app = p.getProperty("sekisho_app");
            if (owner == null || owner.isEmpty() || app == null || app.isEmpty()) {
                throw new IOException(file + " lacks the postgres or sekisho_app password; restore it from backup");
            }
            return new EmbeddedSecrets(file, owner, app, false);
        }
        Files.createDirectories(file.getParent());
        EmbeddedSecrets s = new EmbeddedSecrets(file, randomPassword(), randomPassword(), true);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        Properties p = new Properties();
        p.setProperty("postgres", s.owner());
        p.setProperty("sekisho_app", s.app());
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(
                    w,
                    "Sekisho embedded store role passwords (random, per installation). Keep 0600; back up with data/.");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        return s;
    }

    private static String randomPassword() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public String toString() {
        return "EmbeddedSecrets[" + file + "]";
    }
}
