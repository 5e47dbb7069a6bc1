package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;

/**
 * The receive loop's inbox listing. Long-polled ({@code wait=}) where the gateway holds listings, so
 * a transfer stored meanwhile is listed at once; a gateway that does not (an older one ignores
 * {@code wait} and sends no {@value #HEADER}, or refuses it with 400) is listed plainly from then on,
 * and the loop pauses its {@code --interval} between listings as before.
 */
public final class InboxListing {

    /** How long one listing is held: well below proxies' and the client's own timeouts. */
    static final Duration WAIT = Duration.ofSeconds(25);

    /** The gateway's answer header: the wait it gave this listing in seconds (0: answered without waiting). */
    static final String HEADER = "Sekisho-Inbox-Wait";

    /** @param waited whether the gateway held the listing (so listing again at once cannot spin) */
    public record Answer(List<Object> transfers, boolean waited) {}

    private final GatewayClient client;
    private final String path;
    private final Consumer<String> notices;
    private boolean longPoll = true;

    InboxListing(GatewayClient client, String path, PrintWriter err) {
        this(client, path, line -> {
            err.println(line);
            err.flush();
        });
    }

    private InboxListing(GatewayClient client, String path, Consumer<String> notices) {
        this.client = client;
        this.path = path;
        this.notices = notices;
    }

    /** The listing of {@code route}'s inbox; {@code notices} gets the one line said when the gateway cannot hold listings. */
    public static InboxListing of(GatewayClient client, String route, Consumer<String> notices) {
        return new InboxListing(client, "api/v1/routes/" + Paths.segment(route) + "/inbox", notices);
    }

    /** Lists the inbox; {@code hold} false lists at once (--once). */
    public Answer list(boolean hold) {
        if (!hold || !longPoll) {
            return new Answer(client.get(path).array(), false);
        }
        HttpRequest req = HttpRequest.newBuilder(client.resolve(path + "?wait=" + WAIT.toSeconds() + "s"))
                .timeout(WAIT.plusSeconds(30))
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> res;
        try {
            res = client.exchange(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw client.unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CliException.interrupted();
        }
        GatewayClient.Response r = new GatewayClient.Response(res.statusCode(), res.body());
        if (r.status() == 400) {
            plainFromNowOn(GatewayClient.problem(r).getMessage());
            return new Answer(client.get(path).array(), false);
        }
        if (r.status() >= 400) {
            throw GatewayClient.problem(r);
        }
        String granted = res.headers().firstValue(HEADER).orElse(null);
        if (granted == null) {
            plainFromNowOn("no " + HEADER + " in its answer");
        }
        return new Answer(r.array(), granted != null && !"0".equals(granted.trim()));
    }

    private void plainFromNowOn(String why) {
        longPoll = false;
        notices.accept("sekisho receive: ゲートウェイが受信箱の待ち受けに対応していません。--interval ごとに一覧します"
                + " / the gateway does not hold inbox listings (" + Printable.of(why)
                + "); listing every --interval instead");
    }
}
