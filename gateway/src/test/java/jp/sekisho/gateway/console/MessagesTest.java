package jp.sekisho.gateway.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gg.jte.html.OwaspHtmlTemplateOutput;
import gg.jte.output.StringOutput;
import java.util.List;
import jp.sekisho.gateway.console.templates.JtehomeGenerated;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.Role;
import org.junit.jupiter.api.Test;

/** Both languages say everything; a subject from a certificate is escaped wherever a page shows it. */
class MessagesTest {

    @Test
    void japaneseAndEnglishHaveTheSameKeys() {
        assertFalse(Messages.of(Lang.JA).keys().isEmpty());
        assertEquals(Messages.of(Lang.JA).keys(), Messages.of(Lang.EN).keys());
        assertEquals("??no.such.key??", Messages.of(Lang.JA).t("no.such.key"));
    }

    @Test
    void aHostileSubjectIsShownAsTextNotMarkup() {
        Principal p = new Principal(
                "CN=<script>alert(1)</script>\",O=\"><img src=x onerror=alert(2)>", "1", "ab", List.of(Role.AUDITOR));
        ConsoleView v =
                new ConsoleView(p, Messages.of(Lang.JA), "t", "/console/", "ホーム", NavItem.forPrincipal(p), null);
        StringOutput s = new StringOutput();
        JtehomeGenerated.render(new OwaspHtmlTemplateOutput(s), null, v);
        String html = s.toString();
        assertFalse(html.contains("<script>alert") || html.contains("<img src=x"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
        assertTrue(html.contains("href=\"/console/audit\"") && !html.contains("href=\"/console/operations\""));
    }
}
