package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HexFormat;

/** The small file-system steps the receiver's crash safety rests on: fsync, owner-only files, safe names. */
final class Durable {

    private Durable() {}

    /** Writes {@code file}'s content to the disk, so that a name pointing at it never points at a hole. */
    static void syncFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    /**
     * Makes a rename, link or delete in {@code dir} durable. File systems that cannot open a folder
     * (Windows) order such changes themselves; there it is skipped.
     */
    static void syncDirectory(Path dir) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            return;
        }
        try (ch) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems refuse fsync on a directory (EINVAL): nothing more can be done there
        }
    }

    /** Owner read/write only, set at creation (no moment where others could open it), where POSIX. */
    static FileAttribute<?>[] ownerOnly(Path dir) {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[0];
        }
        return new FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(
                    EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE))
        };
    }

    /** A file name for a transfer id: the id itself when it is plain, otherwise a hash of it (no collisions). */
    static String safeName(String transferId) {
        if (transferId.matches("[A-Za-z0-9_-]{1,100}")) {
            return transferId;
        }
        return "x-"
                + HexFormat.of()
                        .formatHex(FileRegion.sha256().digest(transferId.getBytes(StandardCharsets.UTF_8)))
                        .substring(0, 40);
    }
}
