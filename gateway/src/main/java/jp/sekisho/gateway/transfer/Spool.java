package jp.sekisho.gateway.transfer;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import jp.sekisho.gateway.config.SpoolLimits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payloads in the spool folder ({@code spool.dir}, by default {@code <data-dir>/spool}, shared by
 * every node of one store): {@code {id}.part} while uploading, renamed atomically to {@code {id}.cms}
 * once the envelope is checked and STORED. Besides these only dot-files are written there (the
 * marker {@code .sekisho-spool}, each node's direct I/O probe), so any other file not accounted for by
 * a live transfer is an orphan.
 */
public final class Spool {

    public static final String PART = ".part";
    public static final String CMS = ".cms";

    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);

    private final Path dir;
    private final boolean directIo;
    private final SpoolSpace space;

    public Spool(Path dir) {
        this(dir, SpoolLimits.DEFAULTS);
    }

    public Spool(Path dir, SpoolLimits limits) {
        this(dir, limits, "node");
    }

    /** @param node names this node's direct I/O probe file, so that nodes sharing the folder probe side by side */
    public Spool(Path dir, SpoolLimits limits, String node) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the spool folder " + dir + ": " + e.getMessage(), e);
        }
        space = new SpoolSpace(dir, limits);
        String refused = probeDirectIo(node);
        directIo = refused == null;
        if (directIo) {
            LOG.info("spool {}: uploads are written with direct I/O (O_DIRECT), past the page cache", dir);
        } else {
            LOG.info("spool {}: uploads are written through the page cache (direct I/O: {})", dir, refused);
        }
    }

    /** The free space of the spool's file system and its reserve. */
    public SpoolSpace space() {
        return space;
    }

    /** Whether uploads are written with O_DIRECT (see {@link SpoolWriter}). */
    public boolean directIo() {
        return directIo;
    }

    /** Writes one aligned block with O_DIRECT; null when that works, else why not. */
    private String probeDirectIo(String node) {
        try {
            long blockSize = Files.getFileStore(dir).getBlockSize();
            if (blockSize <= 0 || SpoolWriter.ALIGN % blockSize != 0) {
                return "block size " + blockSize + " does not divide " + SpoolWriter.ALIGN;
            }
            Path probe = dir.resolve(".direct-io-probe-" + node);
            try (FileChannel ch = FileChannel.open(
                    probe,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.DELETE_ON_CLOSE,
                    ExtendedOpenOption.DIRECT)) {
                ByteBuffer b = ByteBuffer.allocateDirect(2 * SpoolWriter.ALIGN)
                        .alignedSlice(SpoolWriter.ALIGN)
                        .limit(SpoolWriter.ALIGN);
                ch.write(b, 0);
            }
            return null;
        } catch (IOException | UnsupportedOperationException e) {
            return "refused by the file system, " + e;
        }
    }

    public Path dir() {
        return dir;
    }

    public Path part(String id) {
        return dir.resolve(id + PART);
    }

    public Path stored(String id) {
        return dir.resolve(id + CMS);
    }

    /** Creates the empty partial file of a new upload, durably. */
    public void create(String id) throws IOException {
        try (FileChannel ch = FileChannel.open(part(id), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        syncDir();
    }

    /**
     * Opens the partial file for appending at {@code offset} (anything beyond it is cut off first).
     *
     * @param running the check that covers exactly {@code [0, offset)}, or null
     */
    SpoolWriter openForAppend(String id, long offset, RunningCheck running, Executor writer, ExecutorService writeback)
            throws IOException {
        FileChannel ch = FileChannel.open(part(id), StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileChannel direct = null;
        try {
            if (ch.size() != offset) {
                ch.truncate(offset);
            }
            if (directIo) {
                direct = FileChannel.open(part(id), StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            }
            return new SpoolWriter(ch, direct, offset, running, writer, writeback);
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (direct != null) {
                direct.close();
            }
            throw e;
        }
    }

    /** {@code {id}.part} → {@code {id}.cms}, atomically and durably. */
    public void promote(String id) throws IOException {
        try {
            Files.move(part(id), stored(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the spool folder does not support atomic renames: " + dir, e);
        }
        syncDir();
    }

    /**
     * {@code {id}.cms} → {@code {id}.part}: an envelope promoted whose STORED was never recorded
     * (audit commit failed, or a crash came first) goes back to uploading. Logged, not thrown: the
     * start-up recovery repairs what is left.
     */
    public void unpromote(String id) {
        try {
            Files.move(stored(id), part(id), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warn("cannot move {} back to .part: {}", id, e.getMessage());
        }
    }

    /** Deletes whatever this node holds of a transfer; true when something was there. */
    public boolean delete(String id) {
        boolean any = false;
        try {
            any |= Files.deleteIfExists(part(id));
            any |= Files.deleteIfExists(stored(id));
            syncDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete spool files of " + id + ": " + e.getMessage(), e);
        }
        return any;
    }

    public long size(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every regular file in the spool folder but the dot-files (the marker, probes). */
    public List<Path> files() {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The transfer id a spool file belongs to, or null for a name the spool never writes. */
    public static String idOf(Path file) {
        String n = file.getFileName().toString();
        if (n.endsWith(PART)) {
            return n.substring(0, n.length() - PART.length());
        }
        if (n.endsWith(CMS)) {
            return n.substring(0, n.length() - CMS.length());
        }
        return null;
    }

    /** Makes a create, rename or delete in the folder durable (fsync of the directory). */
    private void syncDir() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems refuse to open a directory; the file data itself was forced already
        }
    }
}
