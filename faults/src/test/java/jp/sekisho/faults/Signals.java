package jp.sekisho.faults;

import java.io.IOException;
import java.io.UncheckedIOException;

/** Signals Java cannot send itself (SIGSTOP, SIGCONT, SIGINT), through kill(1). */
final class Signals {

    private Signals() {}

    static boolean send(String signal, long pid) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
