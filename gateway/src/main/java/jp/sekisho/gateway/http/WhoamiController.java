package jp.sekisho.gateway.http;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import jp.sekisho.gateway.identity.AnyPrincipal;
import jp.sekisho.gateway.identity.Principal;

/** {@code GET /api/v1/whoami}: the caller's verified identity and roles, on every listener. */
@Controller("/api/v1")
public final class WhoamiController {

    @Get("/whoami")
    @AnyPrincipal
    public Principal whoami(Principal principal) {
        return principal;
    }
}
