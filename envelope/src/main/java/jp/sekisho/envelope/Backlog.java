package jp.sekisho.envelope;

/**
 * Whether the envelope written so far is waiting to be sent: a seal that uploads as it seals asks
 * this of its upload between compressed blocks. While it is behind, the link is the bottleneck, and
 * a stronger zlib level costs no time and saves bytes on the link ({@link Compression#LINK_BOUND_LEVEL}).
 */
@FunctionalInterface
public interface Backlog {

    /** True while the reader of the envelope (the upload) is well behind its writer (the seal). */
    boolean behind();
}
