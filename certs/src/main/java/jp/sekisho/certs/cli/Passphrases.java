package jp.sekisho.certs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jp.sekisho.cli.CliException;

/** Reads a passphrase from a file (first line), so it never appears in the process list. */
public final class Passphrases {

    private Passphrases() {}

    static char[] read(Path file) {
        return read(file, "--passphrase-file");
    }

    /** As above, naming {@code option} in its errors (the client's --password-file reads the same way). */
    public static char[] read(Path file, String option) {
        if (file == null) {
            return null;
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = nl < 0 ? text : text.substring(0, nl);
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                throw CliException.usage(option + " " + file + " is empty");
            }
            return line.toCharArray();
        } catch (IOException e) {
            throw CliException.usage(option + " " + file + ": cannot read: " + e.getMessage());
        }
    }
}
