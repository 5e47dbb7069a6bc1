package jp.sekisho.client.transfer;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import jp.sekisho.cli.CliException;
import jp.sekisho.cli.ExitCode;
import jp.sekisho.client.http.GatewayClient;

/**
 * What {@code send} decides about its state across runs: whether an earlier run can be continued,
 * and, when a run ends without its receipt, whether its state stays for the next run or goes.
 */
final class SendResumption {

    private SendResumption() {}

    /** What becomes of an earlier run's state. */
    sealed interface Earlier {
        /** Continued: the gateway stored the transfer. */
        record Continued(TusUploader.Result result) implements Earlier {}

        /**
         * Its envelope was never finished, so it cannot be continued; its upload declared nothing yet
         * and is started again from byte 0 with a new envelope, staying one transfer.
         */
        record Rewind(URI upload) implements Earlier {}

        /** Nothing to continue (none, or not this command's): start afresh. */
        record Afresh() implements Earlier {}
    }

    /**
     * Continues what an earlier run of this command left, when it can be continued: the same command,
     * the same input, an envelope sealed completely. An earlier run of the same command killed while it
     * sealed leaves an upload to start again ({@code canRewind}: this run uploads while it seals).
     * Otherwise (or when the gateway no longer has the upload) says why on {@code err}, ends the
     * earlier upload, and the caller starts afresh.
     */
    static Earlier continueEarlier(
            SendState state,
            SendState.Command command,
            SendState.Fingerprint input,
            Path source,
            TusUploader uploader,
            boolean restart,
            boolean canRewind,
            String name,
            long count,
            PrintWriter err)
            throws IOException {
        Optional<SendState.Saved> saved = state.saved();
        if (saved.isEmpty()) {
            return new Earlier.Afresh();
        }
        SendState.Saved s = saved.get();
        Path envelope = command.encrypted() ? source : state.envelope();
        String why = restart
                ? "--restart: 中断した送信を破棄して最初から送ります。 the interrupted send is discarded: sending afresh"
                : whyNotResumable(s, command, input, envelope);
        if (why != null) {
            if (!restart && canRewind && !s.sealed() && s.upload().isPresent() && sameSend(s, command, input)) {
                SendCommand.notice(
                        err,
                        "中断した送信は封筒の作成を終えていなかったため、新しい封筒で同じアップロードを先頭から送り直します。 "
                                + "the interrupted send had not finished its envelope: a new one goes on the same upload"
                                + " from its first byte");
                return new Earlier.Rewind(s.upload().get());
            }
            SendCommand.notice(err, why);
            s.upload().ifPresent(uploader::terminate); // still UPLOADING on the gateway: free its spool now
            return new Earlier.Afresh();
        }
        state.resume(s);
        Optional<java.net.URI> upload = s.upload();
        boolean unsure = !command.encrypted() && s.envelopeUnsure();
        try {
            if (upload.isEmpty()) {
                // sealed, but the upload was never created (or its creation not recorded)
                if (unsure) {
                    EnvelopeLost.check(envelope, s.seal());
                }
                return new Earlier.Continued(
                        uploader.upload(envelope, s.envelopeBytes(), name, s.envelopeSha256(), count));
            }
            return new Earlier.Continued(uploader.resume(envelope, upload.get(), s.seal(), unsure));
        } catch (EnvelopeLost lost) {
            SendCommand.notice(
                    err,
                    "中断した送信の封筒はマシンの再起動で失われていたため、最初から送ります。 "
                            + "the interrupted send's envelope did not survive the machine's restart ("
                            + lost.getMessage() + "): sending afresh");
            upload.ifPresent(uploader::terminate); // incomplete on the gateway: free its spool now
            return new Earlier.Afresh();
        } catch (TusUploader.Gone g) {
            SendCommand.notice(
                    err,
                    "前回のアップロードはゲートウェイにありません（" + g.state() + "）。最初から送ります。 "
                            + "the interrupted send's upload is gone from the gateway (" + g.state()
                            + "): sending afresh");
            return new Earlier.Afresh();
        }
    }

    private static boolean sameSend(SendState.Saved s, SendState.Command command, SendState.Fingerprint input) {
        return s.input().equals(input) && s.command().equals(command);
    }

    /** Why an earlier run's state cannot be continued (Japanese, then English), or null when it can. */
    static String whyNotResumable(
            SendState.Saved s, SendState.Command command, SendState.Fingerprint input, Path envelope)
            throws IOException {
        if (!s.input().equals(input)) {
            return "中断した送信の後に入力ファイルが変更されたため、最初から送ります。 "
                    + "the input changed since the interrupted send: sending afresh";
        }
        if (!s.command().equals(command)) {
            return "送信の指定（ゲートウェイ・ファイル名・件数・暗号方式）が中断した送信と異なるため、最初から送ります。 "
                    + "the command differs from the interrupted send's (gateway, --filename, --records, --cbc or compression): "
                    + "sending afresh";
        }
        if (!s.sealed()) {
            return "中断した送信は封筒の作成を終えていなかったため、最初から送ります。 "
                    + "the interrupted send had not finished its envelope: sending afresh";
        }
        if (!Files.isRegularFile(envelope) || Files.size(envelope) != s.envelopeBytes()) {
            return "中断した送信の封筒ファイルが欠けているため、最初から送ります。 "
                    + "the interrupted send's envelope is missing or cut short: sending afresh";
        }
        return null;
    }

    /**
     * How a failed send ends: when the gateway could not be reached and what was sent can be
     * continued, the state stays and the message says so (an earlier run's state this run did not get
     * to judge stays too); after a refusal or an input error there is nothing to continue, so the
     * state goes, and an upload still open on the gateway is ended.
     */
    static CliException ended(SendState state, String storedId, GatewayClient client, String route, CliException e) {
        SendState.Saved mine = state.current();
        SendState.Saved s = mine != null ? mine : state.saved().orElse(null);
        if (e.exitCode() == ExitCode.UNAVAILABLE && s != null && (s.sealed() || mine == null)) {
            return s.sealed() && state.folder() != null
                    ? new CliException(
                            e.exitCode(),
                            e.getMessage() + " — 送信の状態を " + state.folder()
                                    + " に残しました。同じコマンドをもう一度実行すると続きから送ります。 the send's state is kept in "
                                    + state.folder() + ": run the same command again to resume",
                            e)
                    : e;
        }
        if (e.exitCode() != ExitCode.UNAVAILABLE
                && storedId == null
                && s != null
                && s.upload().isPresent()) {
            new TusUploader(client, route, 1, Backoff.standard(0), Progress.none())
                    .terminate(s.upload().get());
        }
        state.discard();
        return e;
    }

    /** SIGTERM or Ctrl-C: the state stays for the next run; say what that run will do. */
    static void interrupted(SendState state, PrintWriter err) {
        if (state.folder() == null) {
            return;
        }
        SendState.Saved s =
                state.current() != null ? state.current() : state.saved().orElse(null);
        if (s == null) {
            state.discard(); // interrupted before anything was written
        } else if (!s.sealed()) {
            SendCommand.notice(
                    err,
                    "中断しました。封筒の作成が終わっていないため、同じコマンドの次回の実行は最初から送ります。 "
                            + "interrupted before the envelope was complete: the same command run again starts afresh");
        } else {
            SendCommand.notice(
                    err,
                    "中断しました。送信の状態を " + state.folder()
                            + " に残しました。同じコマンドをもう一度実行すると続きから送ります。 interrupted: the send's state is kept in "
                            + state.folder() + "; run the same command again to resume");
        }
    }
}
