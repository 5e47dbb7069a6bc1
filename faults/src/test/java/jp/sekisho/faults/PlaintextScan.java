package jp.sekisho.faults;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finds plaintext where none may be: every file under a folder (but the sender's input and the one
 * delivered file) is searched for the input's marker, and every name for {@code .opened}, the
 * receiver's decryption temporaries.
 */
final class PlaintextScan {

    private PlaintextScan() {}

    /** The files holding the marker or named like a decryption temporary, as "path (why)". */
    static List<String> findings(Path root, byte[] marker, Set<Path> allowed) throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> s = Files.walk(root)) {
            files = s.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .toList();
        }
        for (Path f : files) {
            if (allowed.contains(f)) {
                continue;
            }
            if (f.getFileName().toString().contains(".opened")) {
                found.add(root.relativize(f) + " (a decryption temporary)");
            } else if (contains(f, marker)) {
                found.add(root.relativize(f) + " (holds plaintext: the marker)");
            }
        }
        return found;
    }

    static boolean contains(Path file, byte[] marker) throws IOException {
        int m = marker.length;
        byte[] buf = new byte[(8 << 20) + m];
        int keep = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.readNBytes(buf, keep, buf.length - keep)) > 0) {
                int end = keep + n;
                if (indexOf(buf, end, marker) >= 0) {
                    return true;
                }
                keep = Math.min(m - 1, end);
                System.arraycopy(buf, end - keep, buf, 0, keep);
            }
        } catch (java.nio.file.NoSuchFileException | java.nio.file.AccessDeniedException e) {
            return false; // a server's temporary that went away while we looked
        }
        return false;
    }

    private static int indexOf(byte[] buf, int end, byte[] marker) {
        byte first = marker[0];
        outer:
        for (int i = 0; i <= end - marker.length; i++) {
            if (buf[i] != first) {
                continue;
            }
            for (int j = 1; j < marker.length; j++) {
                if (buf[i + j] != marker[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
