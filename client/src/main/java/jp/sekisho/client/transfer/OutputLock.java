package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;

/**
 * One {@code receive} at a time per output folder: the start of a run deletes plaintext and journal
 * leftovers, which must never be those of a run still working. The lock file {@code .sekisho-partial/.lock}
 * is deleted on close (under the lock); a run that locked a file another one deleted meanwhile sees
 * that its token is not in the file at that name and tries again. The operating system releases the
 * lock of a killed run.
 */
final class OutputLock implements AutoCloseable {

    private final Path path;
    private final FileChannel channel;

    private OutputLock(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    static OutputLock acquire(Path partialDir) {
        Path path = partialDir.resolve(".lock");
        String token = ProcessHandle.current().pid() + " " + UUID.randomUUID();
        try {
            for (int attempt = 0; attempt < 100; attempt++) {
                FileChannel ch = FileChannel.open(
                        path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.READ);
                FileLock lock;
                try {
                    lock = ch.tryLock();
                } catch (OverlappingFileLockException sameJvm) {
                    lock = null; // held by another run in this JVM
                }
                if (lock == null) {
                    ch.close();
                    throw new CliException(
                            ExitCode.UNAVAILABLE,
                            "別の receive がこの出力フォルダを使用中です / another `sekisho receive` is using " + partialDir.getParent()
                                    + " (lock " + path + ")");
                }
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(token.getBytes(StandardCharsets.UTF_8)), 0);
                if (token.equals(readQuietly(path))) {
                    return new OutputLock(path, ch); // the lock is on the file at that name
                }
                ch.close(); // a run that ended deleted the file we locked: lock the new one
            }
            throw new IOException("the lock file keeps being replaced");
        } catch (IOException e) {
            throw CliException.usage("cannot lock " + path + ": " + e.getMessage());
        }
    }

    private static String readQuietly(Path p) throws IOException {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public void close() {
        try (channel) {
            Files.deleteIfExists(path); // still locked: no other run holds this file
        } catch (IOException ignored) {
            // left behind: the next run locks it again
        }
    }
}
