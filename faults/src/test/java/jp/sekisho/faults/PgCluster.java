package jp.sekisho.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The PostgreSQL server of one cluster folder, found as an operator finds it: the postmaster's pid
 * in {@code postmaster.pid}, its backends as the postmaster's child processes. Freezing or killing
 * "the store" means all of them.
 */
record PgCluster(Path dir) {

    Optional<Long> postmaster() {
        try {
            Path pidFile = dir.resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    boolean running() {
        return postmaster().isPresent();
    }

    /** The postmaster first, then its backends and auxiliary processes. */
    List<Long> processes() {
        List<Long> all = new ArrayList<>();
        postmaster().ifPresent(pid -> {
            all.add(pid);
            ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> all.add(d.pid())));
        });
        return all;
    }

    /** SIGSTOP to every process of the server; returns them, to thaw the same ones. */
    List<Long> freeze() {
        List<Long> pids = processes();
        pids.forEach(p -> Signals.send("STOP", p));
        return pids;
    }

    static void thaw(List<Long> pids) {
        pids.forEach(p -> Signals.send("CONT", p));
    }

    /** SIGKILL to the postmaster and every backend, as an OOM killer or a crash would. */
    void kill9() {
        List<Long> pids = processes();
        pids.forEach(p -> Signals.send("KILL", p));
        for (long p : pids) {
            ProcessHandle.of(p)
                    .ifPresent(h -> h.onExit()
                            .completeOnTimeout(h, 10, java.util.concurrent.TimeUnit.SECONDS)
                            .join());
        }
    }

    /** Cleanup after a scenario: a server still running (thawed first) gets a fast shutdown (SIGINT), then SIGKILL. */
    void stopQuietly() {
        List<Long> pids = processes();
        if (pids.isEmpty()) {
            return;
        }
        thaw(pids);
        Signals.send("INT", pids.get(0));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (running() && System.nanoTime() < deadline) {
            ProcessHandle.of(pids.get(0))
                    .ifPresent(h -> h.onExit()
                            .completeOnTimeout(h, 1, java.util.concurrent.TimeUnit.SECONDS)
                            .join());
        }
        if (running()) {
            kill9();
        }
    }
}
