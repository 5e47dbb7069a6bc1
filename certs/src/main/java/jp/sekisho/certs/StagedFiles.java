package jp.sekisho.certs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Writes several files as one step: each is written (and fsynced) to a temporary name beside its
 * target, and only when all were written are they renamed into place. A failure before
 * {@link #commit()} leaves no trace, so a command never leaves half a credential behind.
 */
public final class StagedFiles implements AutoCloseable {

    private static final Set<PosixFilePermission> SECRET = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    private record Staged(Path temp, Path target) {}

    private final List<Staged> staged = new ArrayList<>();
    private boolean committed;

    /** Stages a file readable by its owner only (private keys, PKCS#12). */
    public StagedFiles secret(Path target, byte[] content) {
        return stage(target, content, SECRET);
    }

    public StagedFiles publicFile(Path target, byte[] content) {
        return stage(target, content, PUBLIC);
    }

    private StagedFiles stage(Path target, byte[] content, Set<PosixFilePermission> perms) {
        try {
            Path temp = Files.createTempFile(
                    target.toAbsolutePath().getParent(),
                    "." + target.getFileName(),
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(perms));
            staged.add(new Staged(temp, target));
            try (FileChannel ch =
                    FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(content));
                ch.force(true);
            }
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    public void commit() {
        try {
            for (Staged s : staged) {
                Files.move(s.temp(), s.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            committed = true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write files: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (committed) {
            return;
        }
        for (Staged s : staged) {
            try {
                Files.deleteIfExists(s.temp());
            } catch (IOException ignored) {
                // best effort: a stray temp file is harmless, it never has the target's name
            }
        }
    }
}
