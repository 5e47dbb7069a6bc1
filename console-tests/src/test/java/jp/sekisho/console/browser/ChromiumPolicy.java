package jp.sekisho.console.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The managed Chromium policy that makes a headless browser present its client certificate: without
 * it Chromium would ask the person to pick one, which headless cannot, and would send none.
 *
 * <p>Chromium reads {@code /etc/chromium/policies/managed/*.json} when it starts, so the file must be
 * there before the first browser: checked with chromium 156, a browser started without it and sent to
 * the gateway waits for a certificate choice that headless cannot show, until the page-load timeout;
 * written after start, it is picked up only seconds later (the browser watches the folder), too late
 * for a page opened at once. One pattern, {@code https://127.0.0.1:*}, covers every port a test
 * gateway binds (a wildcard port works, checked with chromium 156), so concurrent test JVMs write the
 * same bytes and never fight over the file. {@code "filter": {}} selects the one certificate in the
 * profile: every browser has its own NSS database holding only its person's certificate. Only
 * 127.0.0.1 is covered, so the file changes nothing for browsing elsewhere.
 */
final class ChromiumPolicy {

    static final Path DIR = Path.of("/etc/chromium/policies/managed");
    static final Path FILE = DIR.resolve("sekisho-console-tests.json");
    static final String CONTENT =
            "{\"AutoSelectCertificateForUrls\": [\"{\\\"pattern\\\":\\\"https://127.0.0.1:*\\\",\\\"filter\\\":{}}\"]}\n";

    private ChromiumPolicy() {}

    /**
     * Makes sure the policy file holds {@link #CONTENT}; fails with what to do when it cannot be
     * written (the directory belongs to root): a browser test must not quietly test nothing.
     */
    static synchronized void ensure() {
        try {
            if (Files.isRegularFile(FILE)
                    && Files.readString(FILE, StandardCharsets.UTF_8).equals(CONTENT)) {
                return;
            }
            Files.createDirectories(DIR);
            // written beside it and moved, so a browser starting meanwhile never reads half a file
            Path tmp = Files.createTempFile(DIR, ".sekisho-console-tests", ".tmp");
            Files.writeString(tmp, CONTENT, StandardCharsets.UTF_8);
            Files.move(tmp, FILE, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | SecurityException e) {
            throw new IllegalStateException(
                    "ブラウザのテストにはChromiumの管理ポリシーが必要ですが、書けませんでした / the browser tests need"
                            + " a managed Chromium policy and could not write it: " + FILE + " (" + e + ")."
                            + " Run the tests as root (as .ci/run does), or once as root: mkdir -p " + DIR
                            + " && printf '%s' '" + CONTENT.strip() + "' > " + FILE,
                    e);
        }
    }
}
