package jp.sekisho.client.transfer;

import java.util.Map;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.gateway.input.FileNames;

/**
 * One waiting transfer, as the gateway's inbox lists it, and the name it may be written under: the
 * receiver's own check of the sender's file name, before a byte is downloaded.
 */
record InboxItem(String transferId, String filename, long size, String sha256, long records, String sender) {
    static InboxItem of(Map<?, ?> m) {
        return new InboxItem(
                String.valueOf(m.get("transferId")),
                m.get("filename") == null ? null : String.valueOf(m.get("filename")),
                ((Number) m.get("size")).longValue(),
                String.valueOf(m.get("sha256")),
                m.get("records") == null ? -1 : ((Number) m.get("records")).longValue(),
                m.get("sender") == null ? "" : String.valueOf(m.get("sender")));
    }

    /**
     * Refuses, before a byte is downloaded or written, a transfer whose file name breaks the gateway's
     * rule ({@link FileNames}): a gateway that let one through (an older version, or a tampered row) must
     * not make the receiver write {@code ..} or a name that reads as another file. Not acknowledged: the
     * transfer stays on the gateway for someone to look at.
     */
    static void refuseBadName(InboxItem item) {
        if (item.filename() == null) {
            return; // named by its transfer id (outputName)
        }
        FileNames.problem(item.filename()).ifPresent(p -> {
            throw new CliException(
                    ExitCode.REFUSED,
                    "FILENAME_INVALID: 送信元のファイル名が規則に反するため受信しません（何も書き込まず、受領確認もしません）"
                            + " / transfer " + item.transferId() + " is not received: " + p
                            // raw here: every CLI error line is printed through Printable, once
                            + " (" + item.filename() + "); nothing written, not acknowledged");
        });
    }

    /**
     * The file name to write: the sender's name without any folder part, without a trailing
     * {@code .cms}/{@code .p7m} (what is written is the opened content), and never hidden.
     */
    static String outputName(String filename, String transferId) {
        String n = filename == null ? "" : filename;
        n = n.substring(Math.max(n.lastIndexOf('/'), n.lastIndexOf('\\')) + 1);
        n = n.replaceAll("[\\x00-\\x1f]", "_");
        String lower = n.toLowerCase(java.util.Locale.ROOT);
        if ((lower.endsWith(".cms") || lower.endsWith(".p7m")) && n.length() > 4) {
            n = n.substring(0, n.length() - 4);
        }
        while (n.startsWith(".")) {
            n = n.substring(1);
        }
        return n.isBlank() ? "transfer-" + transferId.replaceAll("[^A-Za-z0-9._-]", "_") : n;
    }
}
