package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * The decrypted files {@code receive} keeps in {@code DIR/.sekisho-partial/} while a transfer is
 * opened: {@code <id>.opened} and the opener's temporary {@code .<id>.opened.<n>.part}. They are
 * personal data in clear, so none may outlive the run that made it: they are deleted on every error
 * path, by a shutdown hook on SIGTERM/Ctrl-C, and, for what a kill -9 left, at the start of the next
 * run (which holds the folder's lock, so no other run is writing them). The encrypted {@code .cms}
 * partial stays for the download to resume.
 */
final class Plaintext implements AutoCloseable {

    private static final String MARK = ".opened";

    private final Thread hook;

    private Plaintext(Thread hook) {
        this.hook = hook;
    }

    /** The opened file of a transfer in {@code partialDir}. */
    static Path opened(Path partialDir, String transferId) {
        return partialDir.resolve(Durable.safeName(transferId) + MARK);
    }

    /** Deletes every plaintext file in {@code partialDir}; returns how many there were. */
    static int sweep(Path partialDir) {
        int n = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(
                partialDir, p -> p.getFileName().toString().contains(MARK))) {
            for (Path p : s) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && deleteQuietly(p)) {
                    n++;
                }
            }
        } catch (IOException e) {
            // the folder is unreadable or gone: there is nothing of ours to delete there
        }
        return n;
    }

    /** Until {@link #close}, a JVM shutdown (SIGTERM, Ctrl-C) deletes the plaintext in {@code partialDir}. */
    static Plaintext guard(Path partialDir) {
        Thread hook = new Thread(
                () -> {
                    sweep(partialDir);
                    sweep(partialDir); // again: an opener may have renamed its temporary file meanwhile
                },
                "sekisho-receive-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        return new Plaintext(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs
        }
    }

    /** Deletes {@code p} if it exists; true when it did. */
    static boolean deleteQuietly(Path p) {
        if (p == null) {
            return false;
        }
        try {
            return Files.deleteIfExists(p);
        } catch (IOException e) {
            return false; // the next run's sweep tries again
        }
    }
}
