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
        byte[] head;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            // only the first line counts: a file that is not a password file (/dev/zero, a log) is not read whole
            head = in.readNBytes(MAX_LINE_BYTES + 2);
        } catch (IOException e) {
            throw CliException.usage(option + " " + file + ": cannot read: " + e.getMessage());
        }
        int nl = indexOf(head, (byte) '\n');
        if (nl < 0 && head.length > MAX_LINE_BYTES) {
            throw CliException.usage(option + " " + file + ": 1行目が " + MAX_LINE_BYTES
                    + " バイトを超えています。パスワードは1行目に書いてください。 the first line is longer than " + MAX_LINE_BYTES
                    + " bytes; a password file holds the password on its first line");
        }
        String line = new String(head, 0, nl < 0 ? head.length : nl, StandardCharsets.UTF_8);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            throw CliException.usage(option + " " + file + " is empty");
        }
        return line.toCharArray();
    }

    /** The longest first line read as a password: far past any passphrase, and a bound on what is read. */
    static final int MAX_LINE_BYTES = 4096;

    private static int indexOf(byte[] b, byte x) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }
}
