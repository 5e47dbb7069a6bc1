package jp.sekisho.gateway.admission;

import io.micronaut.core.annotation.Nullable;

/**
 * One check of the admission chain. A step reads the request and what earlier steps found, may add
 * what it found itself (the route, the side, the approval), and either lets the request go on
 * (null) or refuses it.
 */
@FunctionalInterface
public interface Step {

    @Nullable
    Decision.Denied check(AdmissionRequest request, Attempt attempt);
}
