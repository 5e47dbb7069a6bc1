package jp.sekisho.envelope;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/** Where opened plaintext lives until it is verified: a hidden owner-only file beside the target, then moved in. */
final class PlaintextFile {

    private PlaintextFile() {}

    /**
     * The temporary file beside the target, readable and writable by its owner only from its creation
     * (it holds decrypted personal data; where the file system is POSIX). Its failures, and the move's,
     * are I/O errors of the receiver's disk ({@link UncheckedIOException}), never confused with what a
     * parser says about the envelope's bytes.
     */
    static Path createTemp(Path target) {
        Path dir = target.getParent();
        FileAttribute<?>[] ownerOnly =
                dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                        ? new FileAttribute<?>[] {
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
                        }
                        : new FileAttribute<?>[0];
        try {
            return Files.createTempFile(dir, "." + target.getFileName() + ".", ".part", ownerOnly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void moveInto(Path temp, Path target) {
        try {
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
