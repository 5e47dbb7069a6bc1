package jp.sekisho.gateway.console;

import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import jp.sekisho.gateway.console.templates.JtehomeGenerated;
import jp.sekisho.gateway.identity.AdminApi;
import jp.sekisho.gateway.identity.Principal;
import jp.sekisho.gateway.identity.RequiresRole;
import jp.sekisho.gateway.identity.Role;

/** The console's front page: who the certificate says you are, and where your roles may go. */
@AdminApi
@Controller("/console")
@RequiresRole({Role.SECRETARIAT, Role.AUDITOR, Role.OPERATOR})
public final class HomeController {

    private final ConsolePage page;

    public HomeController(ConsolePage page) {
        this.page = page;
    }

    @Get("/")
    @Produces("text/html")
    public HttpResponse<?> home(HttpRequest<?> request, Principal principal) {
        return page.render(request, principal, "home.title", (v, out) -> JtehomeGenerated.render(out, null, v));
    }
}
