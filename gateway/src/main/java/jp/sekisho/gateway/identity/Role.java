package jp.sekisho.gateway.identity;

import java.util.Locale;

/** What a verified principal may do. Config spells them in lower case (sender, receiver, ...). */
public enum Role {
    SENDER,
    RECEIVER,
    SECRETARIAT,
    AUDITOR,
    OPERATOR;

    /** Parses a config spelling, case-insensitive; null when unknown. */
    public static Role parse(String text) {
        for (Role r : values()) {
            if (r.name().equals(text.trim().toUpperCase(Locale.ROOT))) {
                return r;
            }
        }
        return null;
    }
}
