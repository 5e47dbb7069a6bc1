package jp.sekisho.gateway.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4 (the grammar Prometheus's own
 * parser accepts): every line is a HELP, a TYPE or a sample; each family is typed once, before its
 * samples; label values are escaped; each histogram's buckets rise to {@code le="+Inf"}, which equals
 * its {@code _count}. Throws IllegalArgumentException naming the line that breaks a rule.
 */
public final class PrometheusText {

    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (?:[^\\\\\\n]|\\\\[\\\\n])*");
    private static final Pattern TYPE =
            Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final String VALUE =
            "(?:[-+]?(?:\\d+\\.?\\d*(?:[eE][-+]?\\d+)?|\\.\\d+(?:[eE][-+]?\\d+)?)|NaN|[-+]?Inf)";
    private static final Pattern SAMPLE = Pattern.compile(
            "(" + NAME + ")(?:\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)})? (" + VALUE
                    + ")(?: -?\\d+)?");
    private static final Pattern LABEL =
            Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");

    /** One sample: its metric name, labels (unescaped) and value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    private PrometheusText() {}

    /** Parses the whole exposition; returns its samples in order. */
    public static List<Sample> parse(String text) {
        Map<String, String> types = new HashMap<>();
        List<Sample> samples = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isEmpty()) {
                if (i != lines.length - 1) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": empty line inside the exposition");
                }
                continue;
            }
            Matcher m;
            if ((m = TYPE.matcher(line)).matches()) {
                if (types.put(m.group(1), m.group(2)) != null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": second TYPE for " + m.group(1));
                }
            } else if (HELP.matcher(line).matches()) {
                continue;
            } else if (line.startsWith("#")) {
                throw new IllegalArgumentException("line " + (i + 1) + ": not HELP or TYPE: " + line);
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                String name = m.group(1);
                if (family(name, types) == null) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": sample before its TYPE: " + line);
                }
                Map<String, String> labels = new LinkedHashMap<>();
                if (m.group(2) != null) {
                    Matcher l = LABEL.matcher(m.group(2));
                    while (l.find()) {
                        String v = l.group(2)
                                .replace("\\n", "\n")
                                .replace("\\\"", "\"")
                                .replace("\\\\", "\\");
                        if (labels.put(l.group(1), v) != null) {
                            throw new IllegalArgumentException("line " + (i + 1) + ": label twice: " + line);
                        }
                    }
                }
                samples.add(new Sample(name, labels, number(m.group(3))));
            } else {
                throw new IllegalArgumentException("line " + (i + 1) + ": not a sample: " + line);
            }
        }
        checkHistograms(types, samples);
        return samples;
    }

    private static String family(String name, Map<String, String> types) {
        if (types.containsKey(name)) {
            return name;
        }
        for (String suffix : List.of("_bucket", "_count", "_sum", "_created")) {
            if (name.endsWith(suffix)) {
                String base = name.substring(0, name.length() - suffix.length());
                if (types.containsKey(base)) {
                    return base;
                }
            }
        }
        return null;
    }

    private static void checkHistograms(Map<String, String> types, List<Sample> samples) {
        for (Map.Entry<String, String> t : types.entrySet()) {
            if (!t.getValue().equals("histogram")) {
                continue;
            }
            Map<Map<String, String>, Double> inf = new HashMap<>();
            Map<Map<String, String>, Double> last = new HashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(t.getKey() + "_bucket")) {
                    Map<String, String> series = new LinkedHashMap<>(s.labels());
                    String le = series.remove("le");
                    if (le == null) {
                        throw new IllegalArgumentException(t.getKey() + ": bucket without le: " + s);
                    }
                    Double before = last.put(series, s.value());
                    if (before != null && before > s.value()) {
                        throw new IllegalArgumentException(t.getKey() + ": buckets must not fall: " + s);
                    }
                    if (le.equals("+Inf")) {
                        inf.put(series, s.value());
                    }
                }
            }
            for (Sample s : samples) {
                if (s.name().equals(t.getKey() + "_count")
                        && !Double.valueOf(s.value()).equals(inf.get(s.labels()))) {
                    throw new IllegalArgumentException(t.getKey() + ": _count is not the +Inf bucket: " + s);
                }
            }
        }
    }

    private static double number(String v) {
        return switch (v) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(v);
        };
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels} (name, value, ...). */
    public static double sum(List<Sample> samples, String name, String... labels) {
        double total = 0;
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean all = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                all &= labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (all) {
                total += s.value();
            }
        }
        return total;
    }

    /** Whether any sample has that name. */
    public static boolean has(List<Sample> samples, String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }
}
