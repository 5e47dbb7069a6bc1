package jp.sekisho.gateway.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import jp.sekisho.gateway.config.ConfigException;
import jp.sekisho.gateway.policy.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool folder's identity: a marker file {@code .sekisho-spool} holding a spool id (a UUID),
 * and the same id in the store (table spool_identity). Every node on one store must see the folder
 * that holds the marker; a node whose shared spool is not mounted (an empty local folder in its
 * place) or is another folder would otherwise take every transfer's file for missing and end them.
 * So start-up refuses then, with one line, and the running node checks the marker ({@link SpoolGuard}).
 */
public final class SpoolIdentity {

    public static final String MARKER = ".sekisho-spool";

    private static final Logger LOG = LoggerFactory.getLogger(SpoolIdentity.class);

    private SpoolIdentity() {}

    /**
     * Checks the marker against the store, creating both on a first start (an existing single-node
     * spool without either is adopted). Two nodes starting at once agree on the id the store kept.
     *
     * @return the spool id
     * @throws ConfigException the one-line refusal: the shared spool is not mounted or is the wrong folder
     */
    public static String establish(Path dir, DataSource ds, String node) {
        Optional<String> marker = read(dir);
        Optional<String> stored = stored(ds);
        if (stored.isPresent()) {
            if (marker.isEmpty()) {
                throw refusal(dir, "no " + MARKER + " in it", "スプールの目印ファイル " + MARKER + " がありません", stored.get());
            }
            if (!marker.get().equals(stored.get())) {
                throw refusal(
                        dir,
                        "its " + MARKER + " names spool " + marker.get(),
                        "目印ファイルのスプールID " + marker.get() + " が違います",
                        stored.get());
            }
            return stored.get();
        }
        String proposed = marker.orElseGet(() -> UUID.randomUUID().toString());
        String agreed = insert(ds, proposed, node);
        if (marker.isPresent() && !marker.get().equals(agreed)) {
            throw refusal(
                    dir,
                    "its " + MARKER + " names spool " + marker.get(),
                    "目印ファイルのスプールID " + marker.get() + " が違います",
                    agreed);
        }
        if (marker.isEmpty()) {
            write(dir, agreed, node);
            LOG.info("スプール {} を識別子 {} で登録しました / spool {} registered as spool {}", dir, agreed, dir, agreed);
        }
        return agreed;
    }

    /** The marker's spool id; empty when the file is not there (or unreadable, as a vanished mount is). */
    static Optional<String> read(Path dir) {
        try {
            String id = Files.readString(dir.resolve(MARKER), StandardCharsets.US_ASCII)
                    .trim();
            return Optional.of(id);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOG.warn("cannot read the spool marker {}: {}", dir.resolve(MARKER), e.toString());
            return Optional.empty();
        }
    }

    private static Optional<String> stored(DataSource ds) {
        return Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT spool_id FROM spool_identity");
                    ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
            }
        });
    }

    /** Inserts {@code id} unless another node was first; returns the id the store holds. */
    private static String insert(DataSource ds, String id, String node) {
        Jdbc.inTransaction(ds, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO spool_identity (spool_id, created_by) VALUES (?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, id);
                ps.setString(2, node);
                return ps.executeUpdate();
            }
        });
        return stored(ds).orElseThrow();
    }

    /** Writes the marker durably, renamed into place so that no node reads half of it. */
    private static void write(Path dir, String id, String node) {
        Path tmp = dir.resolve(MARKER + "." + node + ".tmp");
        try {
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ConfigException("spool " + dir + ": スプールの目印ファイルを書けません / cannot write the spool marker " + MARKER
                    + ": " + e.getMessage());
        }
    }

    private static ConfigException refusal(Path dir, String english, String japanese, String expected) {
        return new ConfigException("spool " + dir + ": 共有スプールがマウントされていないか別のフォルダです（" + japanese
                + "、ストアのスプールIDは " + expected + "）。spool.dir とマウントを確かめてください / the shared spool is not mounted"
                + " or is the wrong folder (" + english + "; the store's spool id is " + expected
                + "): check spool.dir and the mount");
    }
}
