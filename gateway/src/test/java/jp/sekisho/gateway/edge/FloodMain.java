package jp.sekisho.gateway.edge;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flooding host of {@link RefusalFloodTest}, as a process of its own: opens raw connections from
 * {@code source} to {@code host:port} from four threads until its standard input closes (or for
 * {@code millis} at the most), then prints how many it made. A separate process, run under {@code nice}, stands for an attacker on another machine: on a
 * two-core test box its own CPU would otherwise be charged to the gateway's latency.
 */
public final class FloodMain {

    private FloodMain() {}

    public static void main(String[] args) throws Exception {
        String source = args[0];
        InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        long end = System.nanoTime() + Long.parseLong(args[3]) * 1_000_000;
        AtomicLong connects = new AtomicLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread stdin = new Thread(() -> {
            try {
                System.in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException e) {
                // closed either way
            }
            stop.set(true);
        });
        stdin.setDaemon(true);
        stdin.start();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get() && System.nanoTime() < end) {
                    try (Socket s = new Socket()) {
                        s.setSoLinger(true, 0); // RST on close: no TIME_WAIT, so the ports last the run
                        s.bind(new InetSocketAddress(source, 0));
                        s.connect(target, 1000);
                        connects.incrementAndGet();
                    } catch (IOException e) {
                        // refused or reset: keep flooding
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join();
        }
        System.out.println(connects.get());
    }
}
