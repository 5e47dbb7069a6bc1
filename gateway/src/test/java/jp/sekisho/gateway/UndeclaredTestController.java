package jp.sekisho.gateway;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** Test-only: a route with no role annotation at all, which the access filter must refuse to everyone. */
@Controller("/api/v1/test")
public final class UndeclaredTestController {

    @Get("/undeclared")
    public String undeclared() {
        return "should never be reached";
    }
}
