package jp.sekisho.gateway.relay;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import jp.sekisho.gateway.admission.Reason;

/**
 * What may end a request in flight from outside it: the policy's cut-off ({@link RelayCutoff}) and
 * the deadline for the upstream's first answer ({@link RelayTimeouts#FIRST_BYTE_MILLIS}). Both call
 * back on the terminal connection's event loop; the caller checks the request is still the one
 * watched.
 */
final class RelayWatch {

    private final RelayCutoff cutoff;
    private final EventExecutor loop;

    private RelayCutoff.Live live;
    private ScheduledFuture<?> firstByte;

    RelayWatch(RelayCutoff cutoff, EventExecutor loop) {
        this.cutoff = cutoff;
        this.loop = loop;
    }

    /** Registers the request admitted on {@code route}; {@code cut} runs on the loop with the reason. */
    void cutOff(RelayRoute route, Consumer<Reason> cut) {
        live = new RelayCutoff.Live() {
            @Override
            public RelayRoute route() {
                return route;
            }

            @Override
            public void cut(Reason reason) {
                loop.execute(() -> cut.accept(reason));
            }
        };
        cutoff.add(live);
    }

    /** The request is sent: {@code late} runs if no answer has begun by the deadline. */
    void firstByte(Runnable late) {
        firstByte = loop.schedule(late, RelayTimeouts.FIRST_BYTE_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** The upstream answered. */
    void answered() {
        if (firstByte != null) {
            firstByte.cancel(false);
        }
    }

    /** The request ended: nothing watches it any more. */
    void end() {
        if (live != null) {
            cutoff.remove(live);
            live = null;
        }
        if (firstByte != null) {
            firstByte.cancel(false);
            firstByte = null;
        }
    }
}
