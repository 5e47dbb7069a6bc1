package jp.sekisho.audit.store;

import java.time.Instant;
import jp.sekisho.audit.chain.ChainHasher;

/** The last event of a node's chain: where the next event links to. */
record ChainHead(long seq, String hash, Instant time) {
    static final ChainHead EMPTY = new ChainHead(0, ChainHasher.GENESIS, Instant.EPOCH);
}
