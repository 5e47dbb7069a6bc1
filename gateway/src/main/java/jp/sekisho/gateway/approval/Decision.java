package jp.sekisho.gateway.approval;

import java.util.Locale;

/** What the secretariat can decide about an approval. */
public enum Decision {
    APPROVE,
    APPROVE_WITH_CONDITIONS,
    REJECT,
    SUSPEND,
    REINSTATE,
    REVOKE;

    /**
     * Decisions that let data flow need a second secretariat member's confirmation (two-person
     * rule); decisions that stop data take effect at once, since stopping must never wait.
     */
    public boolean opensFlow() {
        return this == APPROVE || this == APPROVE_WITH_CONDITIONS || this == REINSTATE;
    }

    /** The command-line spelling: approve-with-conditions. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Decision fromCli(String s) {
        return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
