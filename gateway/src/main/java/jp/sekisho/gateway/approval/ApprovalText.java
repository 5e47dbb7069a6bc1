package jp.sekisho.gateway.approval;

import java.time.Instant;
import java.util.Locale;
import jp.sekisho.gateway.console.Lang;

/** Small pieces of text the approvals pages share: item labels, counts, the derived state's code. */
public final class ApprovalText {

    private ApprovalText() {}

    /** 氏名 in Japanese; Name (氏名) in English: the council's word stays beside the translation. */
    public static String item(DataItem i, Lang lang) {
        return lang == Lang.JA ? i.japanese() : i.english() + " (" + i.japanese() + ")";
    }

    /** 305,115: grouped digits, as both languages write counts. */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** IN_FORCE or the reason the approval is not in force; APPROVAL_TAMPERED when its row fails its seal. */
    static String state(StoredApproval s, Instant now) {
        return s.tampered()
                ? "APPROVAL_TAMPERED"
                : ApprovalState.of(s.approval(), now).name();
    }
}
