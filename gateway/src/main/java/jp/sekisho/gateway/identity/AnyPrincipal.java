package jp.sekisho.gateway.identity;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Any verified client certificate may call this route, whatever its roles (e.g. whoami, health).
 * The connection is still mutual TLS from an allowed address.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface AnyPrincipal {}
