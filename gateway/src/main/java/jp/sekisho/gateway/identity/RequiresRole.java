package jp.sekisho.gateway.identity;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The roles that may call a controller method (any one of them suffices). Enforced by
 * {@link jp.sekisho.gateway.admission.AdmissionFilter}; a route with neither this nor {@link AnyPrincipal} is refused to everyone
 * (deny by default). On a class, applies to every method that does not declare its own.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresRole {
    Role[] value();
}
