package jp.sekisho.client.http;

import java.io.IOException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLSocket;

/**
 * Closes a TLS socket whose handshake has not finished by its deadline, so that the thread blocked
 * in the handshake gets an exception instead of waiting out the socket's read timeout. The JDK
 * already starts a thread per finished handshake to tell its listeners (HttpsURLConnection is one),
 * so listening here adds no thread; the deadlines themselves share one daemon thread, started with
 * the first socket.
 *
 * <p>The thread that was cut sees only "socket closed"; {@link #cutOnThisThread} lets it say what
 * happened (HttpsURLConnection creates its socket and handshakes on the caller's thread).
 */
final class HandshakeDeadline {

    /** The threads whose latest socket was cut at its deadline. Weak: a thread that ends is forgotten. */
    private static final Set<Thread> CUT = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private HandshakeDeadline() {}

    /** One thread for every deadline of the process; a cancelled deadline is dropped at once. */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor INSTANCE = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "sekisho-handshake-deadline");
                th.setDaemon(true);
                return th;
            });
            t.setRemoveOnCancelPolicy(true);
            return t;
        }
    }

    /** Arms {@code s}, created on this thread: closed {@code within} from now unless its handshake has finished. */
    static void arm(SSLSocket s, Duration within) {
        Thread handshaker = Thread.currentThread();
        CUT.remove(handshaker);
        ScheduledFuture<?> deadline =
                Timer.INSTANCE.schedule(() -> cut(s, handshaker), within.toMillis(), TimeUnit.MILLISECONDS);
        s.addHandshakeCompletedListener(new HandshakeCompletedListener() {
            @Override
            public void handshakeCompleted(HandshakeCompletedEvent e) {
                deadline.cancel(false);
                s.removeHandshakeCompletedListener(this);
            }
        });
    }

    /** Whether the latest socket this thread created was cut at its deadline; asking forgets it. */
    static boolean cutOnThisThread() {
        return CUT.remove(Thread.currentThread());
    }

    /** {@code e} as a connect timeout if this thread's socket was cut at its deadline, else {@code e} itself. */
    static IOException explain(IOException e, String what) {
        if (!cutOnThisThread()) {
            return e;
        }
        HttpConnectTimeoutException timeout = new HttpConnectTimeoutException(what);
        timeout.initCause(e);
        return timeout;
    }

    /** As HttpsURLConnection's own disconnect does: a short timeout first, as a TLS close may wait on a read. */
    private static void cut(SSLSocket s, Thread handshaker) {
        CUT.add(handshaker);
        try {
            s.setSoTimeout(1);
            s.close();
        } catch (IOException e) {
            // closing is all that was wanted; the handshake's thread sees the socket closed
        }
    }
}
