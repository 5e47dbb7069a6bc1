package jp.sekisho.client.transfer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This boot of the machine: Linux's {@code /proc/sys/kernel/random/boot_id}, new at every start of
 * the kernel. What a process wrote in this boot is in the page cache until it reaches the disk, so it
 * survives the process (kill -9 included); only a crash of the machine loses it, and that changes
 * the id. Where there is no such file, nothing is assumed ({@code null}).
 */
final class Boot {

    private static final Path BOOT_ID_FILE = Path.of("/proc/sys/kernel/random/boot_id");

    private Boot() {}

    /** The id of this boot (a UUID), or null where the system does not tell it. */
    static String current() {
        return Holder.ID;
    }

    private static final class Holder {
        static final String ID = read();

        private static String read() {
            try {
                String id = Files.readString(BOOT_ID_FILE, StandardCharsets.US_ASCII)
                        .trim();
                return id.matches("[0-9a-fA-F-]{16,64}") ? id : null;
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
    }
}
