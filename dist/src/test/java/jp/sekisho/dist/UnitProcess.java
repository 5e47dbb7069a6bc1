package jp.sekisho.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What systemd would do with an installed unit, where there is no systemd: its {@code ExecStart},
 * with the {@code EnvironmentFile}'s variables, in its {@code WorkingDirectory}, as its
 * {@code User} when the test is root (setpriv), so that the file permissions the guide sets are
 * the ones the gateway really meets.
 */
final class UnitProcess {

    private final Map<String, List<String>> keys = new HashMap<>();
    private final Path unit;

    private UnitProcess(Path unit) throws IOException {
        this.unit = unit;
        for (String line : Files.readAllLines(unit, StandardCharsets.UTF_8)) {
            String t = line.strip();
            int eq = t.indexOf('=');
            if (t.isEmpty() || t.startsWith("#") || t.startsWith("[") || eq < 0) {
                continue;
            }
            keys.computeIfAbsent(t.substring(0, eq), k -> new ArrayList<>()).add(t.substring(eq + 1));
        }
    }

    static UnitProcess read(Path unit) throws IOException {
        return new UnitProcess(unit);
    }

    List<String> values(String key) {
        return keys.getOrDefault(key, List.of());
    }

    private String one(String key) {
        List<String> v = values(key);
        if (v.size() != 1) {
            throw new IllegalStateException(unit + ": expected one " + key + "=, found " + v);
        }
        return v.get(0);
    }

    /** The environment systemd would give: the test's base, then the EnvironmentFile's KEY=value lines. */
    Map<String, String> environment(Map<String, String> base) throws IOException {
        Map<String, String> env = new HashMap<>(base);
        for (String f : values("EnvironmentFile")) {
            Path file = Path.of(f.startsWith("-") ? f.substring(1) : f);
            if (!Files.exists(file)) {
                if (f.startsWith("-")) {
                    continue;
                }
                throw new IllegalStateException(unit + ": EnvironmentFile " + file + " is missing");
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.strip();
                int eq = t.indexOf('=');
                if (!t.isEmpty() && !t.startsWith("#") && eq > 0) {
                    env.put(t.substring(0, eq), t.substring(eq + 1));
                }
            }
        }
        return env;
    }

    /** The command lines of {@code key} (ExecStart, ExecStartPost), run as the unit's user when asked. */
    List<List<String>> commands(String key, String runAs) {
        List<List<String>> out = new ArrayList<>();
        for (String line : values(key)) {
            List<String> argv = new ArrayList<>();
            if (runAs != null) {
                argv.addAll(List.of("setpriv", "--reuid=" + runAs, "--regid=" + runAs, "--init-groups", "--"));
            }
            argv.addAll(Arrays.asList(line.strip().split("\\s+")));
            out.add(argv);
        }
        return out;
    }

    List<String> execStart(String runAs) {
        one("ExecStart");
        return commands("ExecStart", runAs).get(0);
    }

    Path workingDirectory() {
        List<String> w = values("WorkingDirectory");
        return w.isEmpty() ? Path.of("/") : Path.of(one("WorkingDirectory"));
    }

    /** The unit's User=, or null (root). */
    String user() {
        List<String> u = values("User");
        return u.isEmpty() ? null : one("User");
    }
}
