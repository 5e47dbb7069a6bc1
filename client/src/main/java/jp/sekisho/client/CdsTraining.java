package jp.sekisho.client;

import java.io.PrintWriter;
import java.io.Writer;
import java.net.http.HttpClient;
import javax.net.ssl.SSLContext;

/**
 * The training run behind the launchers' class-data-sharing archive (issue 18: a command that does
 * little must start in under 0.3 s). The launcher runs this once per Java and jar, in the background,
 * with {@code -XX:ArchiveClassesAtExit}; every class loaded here is then mapped from the archive by
 * later commands instead of being read, verified and linked again. It touches what every everyday
 * command needs (the command line model, help, logging, TLS, the HTTP client) and nothing that talks
 * to anything: no file is written, no connection is made.
 */
final class CdsTraining {

    /** The system property that makes {@code sekisho} run this instead of a command. */
    static final String PROPERTY = "sekisho.cds.training";

    private CdsTraining() {}

    static int run() {
        PrintWriter nowhere = new PrintWriter(Writer.nullWriter());
        for (String[] line : new String[][] {
            {"--version"},
            {"--help"},
            {"send", "--help"},
            {"receive", "--help"},
            {"seal", "--help"},
            {"open", "--help"},
            {"approvals", "list", "--help"},
            {"routes", "list", "--help"},
            {"audit", "search", "--help"},
            {"no-such-command"}
        }) {
            Sekisho.run(nowhere, nowhere, line);
        }
        org.slf4j.LoggerFactory.getLogger(CdsTraining.class).debug("class-data-sharing training run");
        try {
            SSLContext.getInstance("TLSv1.3").init(null, null, null);
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        } catch (java.security.GeneralSecurityException e) {
            return 1; // a JDK without TLS 1.3: nothing to archive from here, the commands still run
        }
        return 0;
    }
}
