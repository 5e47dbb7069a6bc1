package jp.sekisho.client.agent;

import java.time.Duration;
import java.util.List;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.Printable;
import jp.sekisho.client.http.GatewayClient;
import jp.sekisho.client.transfer.InboxListing;
import jp.sekisho.client.transfer.InboxRound;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives one route into one inbox folder, continuously, with the same code as {@code sekisho
 * receive} ({@link InboxRound}: journal, download and open, place, acknowledge), and backs off while
 * the gateway cannot be reached.
 */
final class InboxWorker implements InboxRound.Listener {

    private static final Logger LOG = LoggerFactory.getLogger("jp.sekisho.client.agent.inbox");

    private final GatewayClient client;
    private final AgentConfig.Inbox config;
    private final Retry retry;
    private final InboxListing listing;
    private InboxRound round;
    private int refused;

    private InboxWorker(GatewayClient client, AgentConfig.Inbox config, Retry retry) {
        this.client = client;
        this.config = config;
        this.retry = retry;
        this.listing = InboxListing.of(
                client,
                config.route(),
                line -> LOG.warn("{} (route={})", line.replace("sekisho receive: ", ""), config.route()));
    }

    /**
     * Takes the inbox folder (its lock, one receiver at a time) and deletes the plaintext a killed run left.
     *
     * @throws CliException exit 3 when another receiver holds the folder
     */
    static InboxWorker open(GatewayClient client, AgentConfig.Inbox config, InboxRound.Keys keys, Retry retry) {
        InboxWorker w = new InboxWorker(client, config, retry);
        w.round = InboxRound.open(client, config.route(), config.folder(), keys, 8, w, false);
        if (w.round.swept() > 0) {
            LOG.info(
                    "前回の実行が残した復号済み一時ファイルを削除しました / removed {} decrypted temporary file(s) a killed run left in {}",
                    w.round.swept(),
                    w.round.partialDir());
        }
        return w;
    }

    String route() {
        return config.route();
    }

    /**
     * One round: what the inbox lists now.
     *
     * @return how many transfers were refused here so far (left on the gateway)
     * @throws CliException when the gateway cannot be reached or the folder cannot be written
     */
    int once() {
        List<Object> inbox = InboxRound.list(client, config.route());
        round.run(inbox);
        return refused;
    }

    /**
     * Runs until interrupted. Each listing is held by the gateway until a transfer of the route is
     * stored (long-poll), so a file arrives as soon as it is stored; {@code poll} is the pause only when
     * the gateway does not hold listings, or lists only transfers refused here (listing again at once
     * would spin).
     */
    void run(Duration poll) {
        while (!Thread.currentThread().isInterrupted()) {
            Duration wait = poll;
            try {
                InboxListing.Answer answer = listing.list(true);
                int handled = round.run(answer.transfers());
                if (handled > 0 || (answer.waited() && answer.transfers().isEmpty())) {
                    wait = Duration.ZERO;
                }
                if (retry.succeeded()) {
                    LOG.info("ゲートウェイに再び接続できました / gateway reachable again: route={}", config.route());
                }
            } catch (CliException e) {
                if (Thread.currentThread().isInterrupted()) {
                    return; // stopped (SIGTERM, or the test): a partial download stays for the next start
                }
                if (retry.failed()) {
                    LOG.warn(
                            "受信できません。再試行します / cannot receive, retrying with backoff: route={} {}",
                            config.route(),
                            Printable.of(e.getMessage()));
                }
                wait = retry.delay();
            } catch (RuntimeException e) {
                if (retry.failed()) {
                    LOG.error("受信できません。再試行します / cannot receive, retrying: route={}", config.route(), e);
                }
                wait = retry.delay();
            }
            try {
                if (wait.isZero()) {
                    continue;
                }
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void received(InboxRound.Received r) {
        LOG.info(
                "{} / {}: route={} file={} transfer={} bytes={} records={} signer={} acknowledgment={}",
                r.alreadyPlaced() ? "受領済み、確認応答のみ" : "受信しました",
                r.alreadyPlaced() ? "already placed, acknowledged" : "received",
                config.route(),
                Printable.value(r.file()),
                Printable.of(r.transferId()),
                r.bytes(),
                r.records(),
                Printable.of(r.signer()),
                r.ack());
    }

    @Override
    public void refused(String transferId, String message) {
        refused++;
        LOG.warn(
                "受信を拒否しました（ゲートウェイに残します） / refused, left on the gateway: route={} transfer={} {}",
                config.route(),
                Printable.of(transferId),
                Printable.of(message));
    }

    void close() {
        round.close();
    }
}
