package jp.sekisho.gateway.console;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.cookie.Cookie;
import java.util.Locale;

/**
 * The console's language: Japanese unless the person chose English. The choice is a link
 * ({@code ?lang=en}) remembered in a cookie; it changes nothing but the words on the page.
 */
public enum Lang {
    JA(Locale.JAPANESE),
    EN(Locale.ENGLISH);

    public static final String COOKIE = "sekisho_lang";
    static final String PARAM = "lang";

    private final Locale locale;

    Lang(Locale locale) {
        this.locale = locale;
    }

    public Locale locale() {
        return locale;
    }

    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }

    public Lang other() {
        return this == JA ? EN : JA;
    }

    /** The language asked for on this request ({@code ?lang=}), else the remembered one, else Japanese. */
    public static Lang of(HttpRequest<?> request) {
        Lang asked = parse(request.getParameters().get(PARAM));
        if (asked != null) {
            return asked;
        }
        Lang remembered = request.getCookies()
                .findCookie(COOKIE)
                .map(Cookie::getValue)
                .map(Lang::parse)
                .orElse(null);
        return remembered == null ? JA : remembered;
    }

    /** True when the request chose a language that the response must remember. */
    static boolean chosen(HttpRequest<?> request) {
        return parse(request.getParameters().get(PARAM)) != null;
    }

    static Lang parse(String s) {
        if ("en".equals(s)) {
            return EN;
        }
        return "ja".equals(s) ? JA : null;
    }
}
