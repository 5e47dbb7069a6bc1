package jp.sekisho.cli;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The names nearest to a mistyped one, for "did you mean". picocli's own suggestions compare letter
 * pairs, so a swap of two letters ({@code sned} for {@code send}) shares no pair and finds nothing;
 * this counts edits (insert, delete, replace, swap two neighbours).
 */
final class NearestNames {

    /** At most this many names are suggested. */
    static final int MAX = 3;

    private NearestNames() {}

    /** The names within a few edits of {@code typed} (one per three letters, at least one), nearest first. */
    static List<String> of(String typed, Collection<String> names) {
        int limit = Math.max(1, typed.length() / 3);
        return names.stream()
                .filter(n -> distance(typed, n) <= limit)
                .sorted(Comparator.comparingInt((String n) -> distance(typed, n))
                        .thenComparing(n -> n))
                .limit(MAX)
                .toList();
    }

    /** The optimal string alignment distance between {@code a} and {@code b}. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        return d[a.length()][b.length()];
    }
}
