// Small-request load over mutual TLS, for bench/handoff.sh (run with `java bench/LoadClient.java ...`, Java 11+).
// wrk and ab cannot present a client certificate; this uses the JDK HttpClient with an SSLContext built from
// a PKCS#12 identity and a PEM trust anchor, CONCURRENCY threads each sending GET requests back to back over
// keep-alive HTTP/1.1 connections (one per thread) for WARMUP then DURATION seconds.
//
// Usage: java LoadClient.java URL IDENTITY.p12 CA.pem EXPECTED_STATUS [CONCURRENCY=64] [WARMUP_S=5] [DURATION_S=15]
// Prints one line: key=value pairs for the measured part: requests, rps, p50_ms, p99_ms, max_ms over all answers;
// unexpected and statuses (status:count); ok_rps, ok_p50_ms, ok_p99_ms over the answers with EXPECTED_STATUS only.
// Exit code 1 when any answer had another status than EXPECTED_STATUS (or failed).
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

public class LoadClient {

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: java LoadClient.java URL IDENTITY.p12 CA.pem EXPECTED_STATUS [CONCURRENCY] [WARMUP_S] [DURATION_S]");
            System.exit(2);
        }
        URI uri = URI.create(args[0]);
        int expected = Integer.parseInt(args[3]);
        int concurrency = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        long warmupNs = (long) (Double.parseDouble(args.length > 5 ? args[5] : "5") * 1e9);
        long durationNs = (long) (Double.parseDouble(args.length > 6 ? args[6] : "15") * 1e9);

        KeyStore id = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            id.load(in, new char[0]);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(id, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(Path.of(args[2]))) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

        // One client per worker: each keeps its own keep-alive connection, as `wrk -c 64` would.
        HttpRequest request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(30)).build();
        long start = System.nanoTime();
        long measureFrom = start + warmupNs;
        long end = measureFrom + durationNs;
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency];
        AtomicLong unexpected = new AtomicLong();
        java.util.concurrent.ConcurrentHashMap<Integer, AtomicLong> statuses = new java.util.concurrent.ConcurrentHashMap<>();
        AtomicLong firstProblem = new AtomicLong();
        String[] problem = new String[1];
        CountDownLatch done = new CountDownLatch(concurrency);
        for (int t = 0; t < concurrency; t++) {
            final int w = t;
            HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            Thread th = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                try {
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        int status;
                        String body = "";
                        try {
                            HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            status = r.statusCode();
                            if (status != expected) {
                                body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
                            }
                        } catch (Exception e) {
                            status = -1;
                            if (firstProblem.compareAndSet(0, 1)) {
                                problem[0] = e.toString();
                            }
                        }
                        long t1 = System.nanoTime();
                        if (t0 >= measureFrom && t1 <= end) {
                            statuses.computeIfAbsent(status, x -> new AtomicLong()).incrementAndGet();
                            if (status != expected) {
                                unexpected.incrementAndGet();
                                if (firstProblem.compareAndSet(0, 1)) {
                                    problem[0] = "status " + status + " " + body.replaceAll("\\s+", " ");
                                }
                            }
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = status == expected ? t1 - t0 : -(t1 - t0); // negative: unexpected answer
                        }
                    }
                } finally {
                    latencies[w] = lat;
                    counts[w] = n;
                    done.countDown();
                }
            }, "load-" + t);
            th.start();
        }
        done.await();
        int total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[total];
        int k = 0;
        for (int t = 0; t < concurrency; t++) {
            System.arraycopy(latencies[t], 0, all, k, counts[t]);
            k += counts[t];
        }
        long[] ok = Arrays.stream(all).filter(v -> v > 0).sorted().toArray();
        all = Arrays.stream(all).map(Math::abs).sorted().toArray();
        double seconds = durationNs / 1e9;
        StringBuilder hist = new StringBuilder();
        new java.util.TreeMap<>(statuses).forEach((st, c) -> hist.append(hist.length() == 0 ? "" : ",").append(st).append(':').append(c));
        System.out.println(String.format(Locale.ROOT,
                "requests=%d seconds=%.1f rps=%.0f p50_ms=%.1f p99_ms=%.1f max_ms=%.1f unexpected=%d statuses=%s"
                        + " ok_rps=%.0f ok_p50_ms=%.1f ok_p99_ms=%.1f concurrency=%d",
                total, seconds, total / seconds, pct(all, 0.50), pct(all, 0.99), total == 0 ? 0 : all[total - 1] / 1e6,
                unexpected.get(), hist, ok.length / seconds, pct(ok, 0.50), pct(ok, 0.99), concurrency));
        if (problem[0] != null) {
            System.err.println("first unexpected answer: " + problem[0].substring(0, Math.min(600, problem[0].length())));
        }
        System.exit(unexpected.get() == 0 && total > 0 ? 0 : 1);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
    }
}
