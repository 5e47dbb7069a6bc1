package jp.sekisho.audit.read;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * What a person typed to find a certificate holder, turned into the forms the store can hold. The
 * store keeps the subject as {@link X500Principal#getName()} wrote it (RFC 2253: {@code
 * CN=Tanaka,O=Kurume City}), the serial in lower-case hex without leading zeros and the SHA-256
 * fingerprint in lower-case hex. People copy a DN from wherever they saw it, so each of these finds
 * that subject:
 *
 * <ul>
 *   <li>{@code CN=Tanaka, O=Kurume City} and {@code cn = tanaka ,o=kurume city} (spaces, keyword and
 *       value case: compared case-insensitively, as X.520 matches these attributes);
 *   <li>OpenSSL's {@code /O=Kurume City/CN=Tanaka} and {@code subject=O = Kurume City, CN = Tanaka}
 *       (the most significant part first: the reversed order is tried too);
 *   <li>a serial ({@code 0A:1B:2C}, {@code 0a1b2c}, {@code 0x0A1B2C}) or a fingerprint with or without
 *       colons, in any case.
 * </ul>
 *
 * <p>Nothing here reaches SQL as text: the candidates are parameters, compared with {@code
 * lower(principal_subject)} (indexed, see V2 migration) or equal to the serial or fingerprint.
 */
public record PrincipalMatch(List<String> subjects, List<String> serials, String sha256) {

    /** Longest input considered, as for every text filter. */
    public static final int MAX_INPUT = QueryChecks.MAX_TEXT_CHARS;

    /** RDNs beyond this are not a certificate subject anyone holds: such input is matched literally only. */
    static final int MAX_RDNS = 32;

    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");
    private static final Pattern PREFIX = Pattern.compile("(?i)^\\s*(subject|issuer)\\s*[=:]\\s*");

    public PrincipalMatch {
        subjects = List.copyOf(subjects);
        serials = List.copyOf(serials);
    }

    public static PrincipalMatch of(String input) {
        QueryChecks.text("principal", input);
        String raw = input.strip();
        Set<String> subjects = new LinkedHashSet<>();
        subjects.add(raw); // what was typed, for subjects that are no DN (e.g. local-cli:alice)
        for (String form : forms(raw)) {
            dnCandidates(form, subjects);
        }
        List<String> serials = new ArrayList<>();
        String sha256 = null;
        String hex = raw.replaceAll("[:\\s]", "").toLowerCase(Locale.ROOT);
        if (hex.startsWith("0x")) {
            hex = hex.substring(2);
        }
        if (!hex.isEmpty() && HEX.matcher(hex).matches()) {
            if (hex.length() == 64) {
                sha256 = hex;
            }
            if (hex.length() <= 40) { // RFC 5280: a serial has at most 20 octets
                serials.add(hex);
                String stripped = hex.replaceFirst("^0+(?=.)", "");
                if (!stripped.equals(hex)) {
                    serials.add(stripped);
                }
            }
        }
        return new PrincipalMatch(new ArrayList<>(subjects), serials, sha256);
    }

    /** The text as typed, without a "subject=" label, and its NFKC form (full-width letters, digits, signs). */
    private static List<String> forms(String raw) {
        String s = PREFIX.matcher(raw).replaceFirst("");
        String nfkc = Normalizer.normalize(s, Normalizer.Form.NFKC);
        return nfkc.equals(s) ? List.of(s) : List.of(s, nfkc);
    }

    /** Adds the RFC 2253 form of {@code dn} in both orders, if it is a DN in either notation. */
    private static void dnCandidates(String dn, Set<String> out) {
        List<Rdn> rdns = dn.startsWith("/") ? slashForm(dn) : commaForm(dn);
        if (rdns == null || rdns.isEmpty() || rdns.size() > MAX_RDNS) {
            return;
        }
        // LdapName lists RDNs right to left; either way round, one of the two is the stored order
        List<Rdn> reversed = new ArrayList<>(rdns);
        Collections.reverse(reversed);
        for (List<Rdn> order : List.of(rdns, reversed)) {
            String canonical = canonical(order);
            if (canonical != null) {
                out.add(canonical);
                String single = canonical.replaceAll("\\s{2,}", " "); // doubled spaces typed inside a value
                out.add(single);
            }
        }
    }

    private static List<Rdn> commaForm(String dn) {
        if (dn.indexOf('=') < 0) {
            return null;
        }
        try {
            return new LdapName(dn).getRdns();
        } catch (InvalidNameException | IllegalArgumentException e) {
            return null;
        }
    }

    /** OpenSSL's one-line form {@code /C=JP/O=Kurume City/CN=Tanaka}: most significant first, "\/" a slash. */
    private static List<Rdn> slashForm(String dn) {
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 1; i < dn.length(); i++) {
            char ch = dn.charAt(i);
            if (ch == '\\' && i + 1 < dn.length()) {
                cur.append(dn.charAt(++i));
            } else if (ch == '/') {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        parts.add(cur.toString());
        if (parts.size() > MAX_RDNS) {
            return null;
        }
        List<Rdn> rdns = new ArrayList<>();
        try {
            for (String p : parts) {
                if (p.isBlank()) {
                    continue;
                }
                StringBuilder rdn = new StringBuilder();
                for (String ava : p.split("\\+", -1)) {
                    int eq = ava.indexOf('=');
                    if (eq <= 0) {
                        return null;
                    }
                    rdn.append(rdn.length() == 0 ? "" : "+")
                            .append(ava.substring(0, eq).strip())
                            .append('=')
                            .append(Rdn.escapeValue(ava.substring(eq + 1).strip()));
                }
                rdns.add(new Rdn(rdn.toString())); // most significant first: LdapName's index 0 too
            }
        } catch (InvalidNameException | IllegalArgumentException e) {
            return null;
        }
        return rdns;
    }

    /** {@code rdns} (right to left, as LdapName holds them) as X500Principal writes a certificate's subject. */
    private static String canonical(List<Rdn> rdns) {
        try {
            return new X500Principal(new LdapName(rdns).toString()).getName();
        } catch (IllegalArgumentException e) {
            return null; // a keyword X.500 does not know, a value it cannot encode
        }
    }
}
