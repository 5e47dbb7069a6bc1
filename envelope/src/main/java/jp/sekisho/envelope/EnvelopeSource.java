package jp.sekisho.envelope;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where an envelope's bytes come from, opened afresh from the first byte on each call: the
 * {@link Opener} reads the header once on its own before the full pass. A receiver can hand in a
 * stream that follows a download as it arrives.
 */
@FunctionalInterface
public interface EnvelopeSource {

    InputStream open() throws IOException;
}
