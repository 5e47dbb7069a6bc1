package jp.sekisho.gateway.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import jp.sekisho.audit.config.StrictMap;
import jp.sekisho.gateway.route.Sizes;

/**
 * The optional {@code spool:} section (docs/gateway-config.md).
 *
 * @param reserve bytes of the spool's file system that uploads may not take, so that small uploads
 *                and the database's own writes keep working when a large upload fills the disk; null
 *                means the default, the smaller of 256 MiB and 5 % of the file system
 * @param dir     the spool folder ({@code spool.dir}, absolute: relative to the configuration file's
 *                folder); null means {@code data-dir/spool}. Several nodes share one folder.
 */
public record SpoolLimits(Long reserve, Path dir) {

    public static final SpoolLimits DEFAULTS = new SpoolLimits(null, null);
    public static final long DEFAULT_RESERVE_CAP = 256L << 20;
    /** The default reserve as a share of the file system: 5 %. */
    public static final int DEFAULT_RESERVE_PERCENT = 5;

    private static final Set<String> KEYS = Set.of("reserve", "dir");

    /** Reads the section (null: the defaults); a mistake is a {@link ConfigException} naming the key. */
    public static SpoolLimits from(Object section, Path file) {
        if (section == null) {
            return DEFAULTS;
        }
        Map<String, Object> m = StrictMap.of(section, file.toString(), "spool", KEYS, ConfigException::new)
                .values();
        Path dir = dir(m.get("dir"), file);
        Object r = m.get("reserve");
        if (r == null) {
            return new SpoolLimits(null, dir);
        }
        try {
            return new SpoolLimits(Sizes.parseSize(String.valueOf(r)), dir);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new ConfigException(
                    file + ": spool.reserve: must be a size such as 256MiB or 1GB (0 for none), got '" + r + "'");
        }
    }

    private static Path dir(Object value, Path file) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof String text) || text.isBlank()) {
            throw new ConfigException(file + ": spool.dir: must be a folder path, got '" + value + "'");
        }
        Path parent = file.toAbsolutePath().normalize().getParent();
        return (parent == null ? Path.of(".").toAbsolutePath() : parent)
                .resolve(text)
                .normalize();
    }

    /** The spool folder: {@code spool.dir}, else {@code data-dir/spool}. */
    public Path dirIn(Path dataDir) {
        return dir != null ? dir : dataDir.resolve("spool");
    }

    /** The reserve on a file system of {@code totalBytes}. */
    public long reserveOf(long totalBytes) {
        return reserve != null ? reserve : Math.min(DEFAULT_RESERVE_CAP, totalBytes / 100 * DEFAULT_RESERVE_PERCENT);
    }
}
