package jp.sekisho.audit.db;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The gateway's claim on an embedded store: an exclusive {@link FileLock} on {@code <cluster>.lock}
 * beside the cluster folder (e.g. {@code data/pg.lock} for {@code data/pg}), held for as long as the
 * store is open and holding the owner's pid. The operating system drops the lock when the process
 * dies, even by {@code kill -9}, while the PostgreSQL it started survives: so "lock free, postmaster
 * alive" means a crashed gateway left its server behind, and "lock held" means a live gateway owns
 * the store. Beside the folder, not in it, because initdb wants the cluster folder empty.
 *
 * <p>The lock file is opened once per process: on Linux, closing any other channel on the same file
 * would silently release the lock.
 */
final class StoreLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private StoreLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Where the lock of the cluster in {@code clusterDir} lives. */
    static Path fileFor(Path clusterDir) {
        Path abs = clusterDir.toAbsolutePath().normalize();
        return abs.resolveSibling(abs.getFileName() + ".lock");
    }

    /** Takes the lock and writes this process's pid into it, or says which process holds it. */
    static StoreLock acquire(Path clusterDir) throws IOException {
        Path file = fileFor(clusterDir);
        FileChannel ch = FileChannel.open(
                file,
                java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(EmbeddedSecrets.OWNER_ONLY));
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new StoreInUseException(file, ProcessHandle.current().pid());
            }
            if (lock == null) {
                throw new StoreInUseException(file, holder(ch));
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(false);
            return new StoreLock(ch, lock);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The pid the holder wrote, or -1 if it has not written it yet. */
    private static long holder(FileChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32);
        ch.read(b, 0);
        String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).trim();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** Another live process (a gateway, or this one) has the store open. */
    static final class StoreInUseException extends IOException {
        private static final long serialVersionUID = 1L;

        StoreInUseException(Path file, long pid) {
            super("稼働中の別のゲートウェイ (pid " + (pid < 0 ? "?" : pid) + ") が使用中です。二重起動はできません / it is in use"
                    + " by a running gateway (pid " + (pid < 0 ? "unknown" : pid) + ", lock " + file
                    + "): two gateways cannot share one embedded store; stop that one first");
        }
    }
}
