package jp.sekisho.client.transfer;

/**
 * Draws an upload's progress the way send does ({@link Progress#forTerminal}), for
 * {@link ProgressAndNamesTest}, which runs it with and without a terminal. Prints whether it has a
 * console, then a marker once the bar is done.
 */
public final class ProgressProbe {

    private ProgressProbe() {}

    public static void main(String[] args) {
        System.out.println("console=" + Progress.isTerminal(System.console()));
        Progress p = Progress.forTerminal("upload");
        p.start(100L << 20, 0);
        p.update(50L << 20);
        p.finish(100L << 20);
        System.out.println("probe done");
    }
}
