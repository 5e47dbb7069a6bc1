package jp.sekisho.client.transfer;

import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import jp.sekisho.cli.CliException;
import jp.sekisho.envelope.SealResult;

/**
 * What an unfinished {@code send} keeps so that the same command run again continues the same
 * upload, instead of sealing with a fresh key and starting a second one. One folder per input and
 * route, {@code <input dir>/.sekisho-send/<16 hex digits>/} (0700), holding {@code state.json}
 * (0600, replaced atomically), the sealed envelope {@code envelope.cms} (0600; ciphertext only, and
 * only for {@code --file}) and a {@code lock} that keeps a second run of the same send out. The
 * folder goes once the receipt arrives or resuming makes no sense; while it exists the send is
 * unfinished.
 *
 * <p>Order matters for exactly one transfer: the envelope is recorded as sealed before the upload
 * may declare its length, so a gateway that holds a complete upload always matches a state that says
 * sealed; a state that does not say sealed is discarded by the next run.
 *
 * <p>The envelope itself is not forced to disk where the machine's boot can be told apart (Linux's
 * {@code boot_id}): the state records the boot it was sealed in, and within that boot the page cache
 * holds every byte written, whatever happened to the process (kill -9 included). Only a crash of the
 * machine can lose them, and then the boot differs: the next run checks the envelope against its
 * recorded SHA-256 before it sends a byte of it ({@link SendResumption}). Forcing 1 GiB to disk cost a
 * whole disk's write of it per send, and the gateway's own copy competes for the same disk.
 */
final class SendState implements AutoCloseable {

    static final String FOLDER = ".sekisho-send";
    static final String STATE = "state.json";
    static final String ENVELOPE = "envelope.cms";
    static final String LOCK = "lock";

    /** What makes two runs "the same command": anything here that differs starts afresh. */
    record Command(
            String route,
            String gateway,
            String input,
            boolean encrypted,
            String filename,
            long records,
            boolean cbc,
            boolean compress) {}

    /** The input as it was; a change of size, modification time or file (inode) means another input. */
    record Fingerprint(long size, String modified, String fileKey) {
        static Fingerprint of(Path p) throws IOException {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return new Fingerprint(
                    a.size(),
                    a.lastModifiedTime().toInstant().toString(),
                    a.fileKey() == null ? "" : a.fileKey().toString());
        }
    }

    /** A state as written: the upload's URL once created, the envelope's length and hash once sealed. */
    record Saved(
            Command command,
            Fingerprint input,
            String created,
            String uploadUrl,
            Long envelopeBytes,
            String envelopeSha256,
            String sealedInBoot) {

        boolean sealed() {
            return envelopeBytes != null && envelopeSha256 != null;
        }

        SealResult seal() {
            return new SealResult(-1, envelopeBytes, envelopeSha256);
        }

        /**
         * Whether the envelope's bytes may have been lost since they were written: sealed in another
         * boot of this machine without being forced to disk. Such an envelope is checked against its
         * SHA-256 before any of it is sent again.
         */
        boolean envelopeUnsure() {
            return sealedInBoot != null && !sealedInBoot.equals(Boot.current());
        }

        Optional<URI> upload() {
            return Optional.ofNullable(uploadUrl).map(URI::create);
        }

        Saved withUpload(URI u) {
            return new Saved(command, input, created, u.toString(), envelopeBytes, envelopeSha256, sealedInBoot);
        }

        Saved withSeal(SealResult r, String boot) {
            return new Saved(command, input, created, uploadUrl, r.envelopeBytes(), r.envelopeSha256(), boot);
        }
    }

    private final Path folder; // null: not kept on disk (a read-only folder for --encrypted)
    private final FileChannel lockChannel;
    private final FileLock lock;
    private Saved current;

    private SendState(Path folder, FileChannel lockChannel, FileLock lock) {
        this.folder = folder;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** A state that is never written: the send works, but cannot be resumed by another run. */
    static SendState inMemory() {
        return new SendState(null, null, null);
    }

    /**
     * Opens (creating if need be) and locks the folder of this input and route.
     *
     * @throws CliException (usage) when another run of the same send holds it
     * @throws IOException when the folder cannot be made beside the input
     */
    static SendState open(Path input, String route) throws IOException {
        Path abs = input.toAbsolutePath().normalize();
        Path folder = abs.resolveSibling(FOLDER).resolve(key(route, abs.toString()));
        createPrivateDirectory(folder.getParent());
        createPrivateDirectory(folder);
        Path lockFile = folder.resolve(LOCK);
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // this JVM holds it (another in-process run)
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            ch.close();
            throw CliException.usage("同じファイルの同じ経路への送信が実行中です。 another send of " + input + " on route " + route
                    + " is running (" + folder + " is locked)");
        }
        return new SendState(folder, ch, lock);
    }

    /** The folder name: the route and the absolute input path, hashed (a path may hold any character). */
    static String key(String route, String absoluteInput) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(route.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(absoluteInput.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Where the state is kept (null when it is not). */
    Path folder() {
        return folder;
    }

    /** The sealed envelope's file (only for {@code --file}). */
    Path envelope() {
        if (folder == null) {
            throw new IllegalStateException("no folder for the envelope");
        }
        return folder.resolve(ENVELOPE);
    }

    /** What an earlier run left, if it left a state this version can read. */
    Optional<Saved> saved() {
        if (folder == null) {
            return Optional.empty();
        }
        try {
            return SendStateJson.read(Files.readString(folder.resolve(STATE), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Starts a new send: whatever an earlier run left goes, the new state is written, the envelope is created empty. */
    synchronized void begin(Command command, Fingerprint input) throws IOException {
        clearFiles();
        write(new Saved(command, input, Instant.now().toString(), null, null, null, null));
        if (folder != null && !command.encrypted()) {
            Files.createFile(envelope(), privateFile());
        }
    }

    /** Continues an earlier run's state. */
    synchronized void resume(Saved saved) {
        current = saved;
    }

    synchronized Saved current() {
        return current;
    }

    /** The gateway created the upload: from now on a new run continues it. */
    synchronized void created(URI upload) {
        writeUnchecked(current.withUpload(upload));
    }

    /**
     * The envelope is complete: recorded with the boot it was written in (forced to disk first where
     * the boot cannot be known), so the upload may declare its length.
     */
    synchronized void sealed(SealResult r) {
        String boot = null;
        if (folder != null && !current.command().encrypted()) {
            boot = Boot.current();
            if (boot == null) {
                try (FileChannel ch = FileChannel.open(envelope(), StandardOpenOption.WRITE)) {
                    ch.force(true);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
        writeUnchecked(current.withSeal(r, boot));
    }

    /** The send is over (receipt, refusal, or a state that cannot be continued): the folder goes. */
    synchronized void discard() {
        if (folder == null) {
            return;
        }
        clearFiles();
        SendCommand.deleteQuietly(folder.resolve(LOCK));
        close();
        try {
            Files.deleteIfExists(folder);
            Files.deleteIfExists(folder.getParent()); // only when no other send of that folder is unfinished
        } catch (DirectoryNotEmptyException ignored) {
            // another input's unfinished send
        } catch (IOException ignored) {
            // left for the next run of this command
        }
    }

    /** Releases the lock; the folder stays for the next run. */
    @Override
    public synchronized void close() {
        try {
            if (lock != null && lock.isValid()) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // closing a lock file cannot lose anything
        }
    }

    private void clearFiles() {
        if (folder != null) {
            SendCommand.deleteQuietly(folder.resolve(ENVELOPE));
            SendCommand.deleteQuietly(folder.resolve(STATE));
            SendCommand.deleteQuietly(folder.resolve(STATE + ".tmp"));
        }
    }

    private void writeUnchecked(Saved s) {
        try {
            write(s);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Replaces state.json atomically and durably: a crash leaves the old state or the new one, never a torn one. */
    private void write(Saved s) throws IOException {
        current = s;
        if (folder == null) {
            return;
        }
        Path tmp = folder.resolve(STATE + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, privateFile());
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(SendStateJson.write(s).getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, folder.resolve(STATE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, folder.resolve(STATE), StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // a folder cannot be opened for fsync on every platform; the rename is done
        }
    }

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    private static FileAttribute<?>[] privateFile() {
        return posix()
                ? new FileAttribute<?>[] {
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                }
                : new FileAttribute<?>[0];
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            if (posix()) {
                Files.createDirectory(
                        dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectory(dir);
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        }
    }
}
