package jp.sekisho.audit.read;

/**
 * A read session that may not be used: the caller refuses the request (fail closed) and the reader
 * opens a new session, which records a new AUDIT_READ. The message is Japanese and English.
 */
public final class ReadSessionRefused extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Why. */
    public enum Why {
        /** Never opened, ended by a restart, or pushed out by newer sessions. */
        UNKNOWN("閲覧セッションがありません（再起動などで終了しました）", "no such read session (it may have ended with a restart)"),
        EXPIRED("閲覧セッションの期限が切れました", "the read session has expired"),
        FOREIGN("この閲覧セッションは別の利用者のものです", "the read session belongs to someone else"),
        OTHER_FILTER("閲覧セッションを開いた時と検索条件が違います", "the search differs from the filter the read session was opened for");

        final String ja;
        final String en;

        Why(String ja, String en) {
            this.ja = ja;
            this.en = en;
        }
    }

    private final Why why;

    ReadSessionRefused(Why why) {
        super(why.ja + " / " + why.en + "; 画面を開き直してください / open the page again");
        this.why = why;
    }

    public Why why() {
        return why;
    }
}
