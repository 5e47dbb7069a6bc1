package jp.sekisho.certs.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.stream.Collectors;
import jp.sekisho.certs.CrlSummary;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.cli.Printable;
import jp.sekisho.cli.TextTable;

/** A CRL as {@code certs show} prints it: text with Tokyo times and era dates, or one line of JSON. */
final class CrlText {

    private CrlText() {}

    static String text(CrlSummary s, Instant now) {
        StringBuilder b = new StringBuilder();
        b.append("CRL\n");
        b.append("発行者 issuer:          ").append(Printable.of(s.issuer())).append('\n');
        b.append("番号 CRL number:        ")
                .append(s.number() == null ? "-" : s.number().toString())
                .append('\n');
        b.append("発行 this update:       ").append(when(s.thisUpdate())).append('\n');
        b.append("次回更新 next update:   ")
                .append(s.nextUpdate() == null ? "-" : when(s.nextUpdate()))
                .append("  ")
                .append(left(s.nextUpdate(), now))
                .append('\n');
        b.append("失効 revoked:           ").append(s.revoked().size());
        if (!s.revoked().isEmpty()) {
            TextTable t = new TextTable("シリアル serial", "失効日時 revoked at (JST)", "理由 reason");
            s.revoked().forEach(r -> t.row(r.serial(), JapaneseDates.time(r.date()), r.reason()));
            b.append('\n').append(t.render().stripTrailing());
        }
        return b.toString();
    }

    /** 2026-12-11 09:00:00 JST (令和8年12月11日). */
    static String when(Instant t) {
        return JapaneseDates.timeJst(t) + " (" + JapaneseDates.era(LocalDate.ofInstant(t, JapaneseDates.TOKYO)) + ")";
    }

    /** How long until the gateway refuses every client of this CA because of this CRL. */
    static String left(Instant nextUpdate, Instant now) {
        if (nextUpdate == null || !nextUpdate.isAfter(now)) {
            return "期限切れ: ゲートウェイはこのCAの証明書をすべて拒否します (certs crl で再署名) / EXPIRED: the gateway "
                    + "refuses every certificate of this CA (re-sign with certs crl)";
        }
        Duration d = Duration.between(now, nextUpdate);
        if (d.toDays() >= 1) {
            return "あと" + d.toDays() + "日 / in " + d.toDays() + " days";
        }
        return "あと" + d.toHours() + "時間 / in " + d.toHours() + " hours";
    }

    static String json(CrlSummary s) {
        return "{"
                + String.join(
                        ",",
                        "\"type\":\"crl\"",
                        "\"issuer\":" + SummaryJson.quote(s.issuer()),
                        "\"number\":"
                                + (s.number() == null
                                        ? "null"
                                        : SummaryJson.quote(s.number().toString())),
                        "\"thisUpdate\":" + SummaryJson.quote(s.thisUpdate().toString()),
                        "\"nextUpdate\":"
                                + (s.nextUpdate() == null
                                        ? "null"
                                        : SummaryJson.quote(s.nextUpdate().toString())),
                        "\"revoked\":["
                                + s.revoked().stream()
                                        .map(r -> "{\"serial\":" + SummaryJson.quote(r.serial()) + ",\"date\":"
                                                + SummaryJson.quote(r.date().toString()) + ",\"reason\":"
                                                + SummaryJson.quote(r.reason()) + "}")
                                        .collect(Collectors.joining(","))
                                + "]")
                + "}";
    }
}
