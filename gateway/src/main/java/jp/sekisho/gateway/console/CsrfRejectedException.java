package jp.sekisho.gateway.console;

/** A console form without this principal's CSRF token: answered 403 CSRF_REJECTED and audited. */
public final class CsrfRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CsrfRejectedException() {
        super("フォームの確認用トークンがありません。ページを再読み込みしてから送信してください / "
                + "the form carries no valid token: reload the page and submit again");
    }
}
