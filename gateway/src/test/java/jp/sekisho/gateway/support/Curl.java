package jp.sekisho.gateway.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jp.sekisho.certs.Credential;
import jp.sekisho.certs.testing.Procs;

/** curl over mutual TLS; the last line of {@code out} is the HTTP status (000 when no response). */
public final class Curl {

    public record Response(int exit, int status, String body, String raw) {}

    private Curl() {}

    public static Response get(Path caFile, Credential client, String iface, String url) {
        List<String> cmd = new ArrayList<>(
                List.of("curl", "-sS", "--max-time", "10", "--cacert", caFile.toString(), "-w", "\n%{http_code}"));
        if (client != null) {
            cmd.addAll(List.of(
                    "--cert",
                    client.certificateFile().toString(),
                    "--key",
                    client.keyFile().toString()));
        }
        if (iface != null) {
            cmd.addAll(List.of("--interface", iface));
        }
        cmd.add(url);
        Procs.Result r = Procs.run(20, cmd.toArray(new String[0]));
        String out = r.out();
        int nl = out.lastIndexOf('\n');
        String last = nl < 0 ? out : out.substring(nl + 1);
        int status;
        try {
            status = Integer.parseInt(last.trim());
        } catch (NumberFormatException e) {
            status = -1;
        }
        String body = nl < 0 ? "" : out.substring(0, nl);
        return new Response(r.exit(), status, body, out);
    }
}
