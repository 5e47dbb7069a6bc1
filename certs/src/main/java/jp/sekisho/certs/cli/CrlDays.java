package jp.sekisho.certs.cli;

import java.time.Duration;
import jp.sekisho.cli.CliException;

/**
 * The {@code --days} of {@code certs crl} and {@code certs revoke}. Absent keeps the period of the
 * CRL being replaced. Zero is refused rather than warned about: a CRL valid for no time makes the
 * gateway refuse every client the moment it is installed, an outage nobody asks for on purpose.
 */
final class CrlDays {

    /** A CRL is re-signed by a timer every few days; a year is far beyond any sensible period. */
    static final int MAX = 366;

    private CrlDays() {}

    /** The period to sign with, or null to keep the current CRL's. */
    static Duration of(Integer days) {
        if (days == null) {
            return null;
        }
        if (days < 1) {
            throw CliException.usage("--days " + days + ": CRLの有効期間は1日以上にしてください。0日のCRLは置いた瞬間に"
                    + "ゲートウェイが全クライアントを拒否します / a CRL must be valid for at least 1 day: one valid for "
                    + days + " days makes the gateway refuse every client as soon as it is installed");
        }
        if (days > MAX) {
            throw CliException.usage(
                    "--days " + days + ": CRLの有効期間は" + MAX + "日までです / a CRL may be valid for at most " + MAX + " days");
        }
        return Duration.ofDays(days);
    }
}
