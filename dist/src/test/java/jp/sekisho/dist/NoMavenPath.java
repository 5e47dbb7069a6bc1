package jp.sekisho.dist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PATH without Maven. On this kind of host mvn sits in /usr/bin beside bash, sed and java, so no
 * directory of the real PATH can simply be dropped: the test's PATH is one folder of links to every
 * program of the usual directories except Maven's ({@code mvn*}), the host with only a Java runtime.
 */
final class NoMavenPath {

    private static final List<String> DIRS =
            List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin");

    private NoMavenPath() {}

    /** Fills {@code bin} with the links and returns it, the whole PATH to use. */
    static String create(Path bin) throws IOException {
        Files.createDirectories(bin);
        for (String d : DIRS) {
            Path dir = Path.of(d);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    String name = p.getFileName().toString();
                    Path link = bin.resolve(name);
                    if (name.startsWith("mvn") || Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                        Files.createSymbolicLink(link, p.toRealPath());
                    }
                }
            }
        }
        return bin.toString();
    }
}
