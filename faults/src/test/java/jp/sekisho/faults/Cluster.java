package jp.sekisho.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import jp.sekisho.audit.support.ExternalPostgres;
import jp.sekisho.client.Sekisho;

/**
 * Gateway nodes over one PostgreSQL database made for the test and one spool folder, HAProxy in
 * front, and {@code send} / {@code receive} as processes that only know HAProxy's address.
 */
final class Cluster implements AutoCloseable {

    /** The spool's marker file (shared spool): the only file an emptied spool keeps. */
    static final String MARKER = ".sekisho-spool";

    final FaultWorld w;
    final Path root;
    final ExternalPostgres db;
    final ClusterNode.Shared shared;
    final StoreProbe store;
    final Path out;
    final List<ClusterNode> nodes = new ArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();
    Haproxy lb;
    int lbTransfer;
    int lbAdmin;

    private Cluster(FaultWorld w, Path root, ExternalPostgres db, ClusterNode.Shared shared) throws IOException {
        this.w = w;
        this.root = root;
        this.db = db;
        this.shared = shared;
        this.store = StoreProbe.external(db.url());
        this.out = Files.createDirectories(root.resolve("out"));
    }

    /** A fresh database and a fresh shared spool folder. */
    static Cluster create(FaultWorld w, Path root) throws Exception {
        Files.createDirectories(root);
        ExternalPostgres db = ExternalPostgres.create();
        Path spool = Files.createDirectories(root.resolve("spool"));
        return new Cluster(
                w,
                root,
                db,
                new ClusterNode.Shared(db.url(), ExternalPostgres.APP_ROLE, spool, root.resolve("policy-seal.key")));
    }

    ClusterNode node(String id) throws IOException {
        ClusterNode n = ClusterNode.create(w, root, id, shared);
        nodes.add(n);
        return n;
    }

    /** HAProxy in front of the first two nodes. */
    Haproxy balance() throws Exception {
        lbTransfer = FaultWorld.freePort();
        lbAdmin = FaultWorld.freePort();
        lb = Haproxy.start(root.resolve("haproxy"), lbTransfer, lbAdmin, nodes.get(0).ports, nodes.get(1).ports);
        return lb;
    }

    String lbUrl() {
        return "https://127.0.0.1:" + lbTransfer;
    }

    // ---- clients, through HAProxy only

    ChildJvm send(Path file) throws IOException {
        ChildJvm c = ChildJvm.start(
                "send",
                root.resolve("send-" + children.size() + ".log"),
                Sekisho.class.getName(),
                w.sendArgs(lbUrl(), file));
        children.add(c);
        return c;
    }

    ChildJvm receive() throws IOException {
        ChildJvm c = ChildJvm.start(
                "receive",
                root.resolve("receive-" + children.size() + ".log"),
                Sekisho.class.getName(),
                w.receiveArgs(lbUrl(), out));
        children.add(c);
        return c;
    }

    /** One in-process run of the sekisho command line (audit verify, export, rotate-key). */
    static FaultWorld.Cli sekisho(String... args) {
        StringWriter o = new StringWriter();
        StringWriter e = new StringWriter();
        int code = Sekisho.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
        return new FaultWorld.Cli(code, o.toString(), e.toString());
    }

    // ---- state

    /** A random file of SIZE bytes written streaming; returns its SHA-256 (hex). */
    static String randomFile(Path f, long size) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Random r = new Random(size ^ f.hashCode());
        byte[] mib = new byte[1 << 20];
        try (OutputStream o = Files.newOutputStream(f)) {
            for (long off = 0; off < size; off += mib.length) {
                r.nextBytes(mib);
                int n = (int) Math.min(mib.length, size - off);
                o.write(mib, 0, n);
                md.update(mib, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    static String sha256(Path f) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(f)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Every upload's file in the shared spool, with its size: not the gateway's dot-files (the marker, I/O probes). */
    Map<Path, Long> spoolFiles() throws IOException {
        Map<Path, Long> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(shared.spool())) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                if (!p.getFileName().toString().startsWith(".")) {
                    files.put(p, Scenario.size(p));
                }
            }
        }
        return files;
    }

    /** The newest transfer row, if any. */
    java.util.Optional<StoreProbe.TransferRow> newest() {
        List<StoreProbe.TransferRow> rows = store.transfers();
        return rows.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(rows.get(rows.size() - 1));
    }

    private void keepLogs(Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(f -> f.toString().endsWith(".log")).toList()) {
                String name = root.relativize(p).toString().replace('/', '-');
                Files.copy(p, to.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Audit events of a type per node, e.g. {gw1=3, gw2=1}. */
    Map<String, Integer> perNode(String type, String transferId) throws Exception {
        Map<String, Integer> m = new TreeMap<>();
        for (List<String> r : store.rows(
                "SELECT node_id, count(*) FROM audit_event WHERE event_type = ? AND transfer_id = ? GROUP BY node_id",
                type,
                transferId)) {
            m.put(r.get(0), Integer.parseInt(r.get(1)));
        }
        return m;
    }

    /** Every child ended, HAProxy and the nodes stopped, their logs kept in target/cluster-logs, the database dropped. */
    @Override
    public void close() throws Exception {
        for (ChildJvm c : children) {
            c.close();
        }
        if (lb != null) {
            lb.close();
        }
        for (ClusterNode n : nodes) {
            n.close();
        }
        keepLogs(Path.of("target", "cluster-logs", root.getFileName().toString()));
        store.close();
        db.close();
    }
}
