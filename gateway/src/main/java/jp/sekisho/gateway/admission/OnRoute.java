package jp.sekisho.gateway.admission;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a controller method that acts on a route: {@link AdmissionFilter} then runs the route's
 * checks too (route on this listener, party and address, approval in force) before the method runs,
 * and the method takes the result as a {@link Decision.Admitted} parameter.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface OnRoute {

    /** The path variable holding the route id. */
    String variable() default "route";

    /** The side the request acts for. */
    SideRule side();

    /** The action's name in the audit log. */
    String action();

    /** The tus protocol applies: Tus-Resumable must be 1.0.0 (TUS_VERSION_UNSUPPORTED). */
    boolean tus() default false;

    /** How the side of a request is known. */
    enum SideRule {
        SENDER,
        RECEIVER,
        /** {@code ?as=receiver} asks as receiver, anything else as sender. */
        AS_QUERY,
        /** Whichever side the principal is a party of (a sender holding the sender role acts as sender). */
        PARTY
    }
}
