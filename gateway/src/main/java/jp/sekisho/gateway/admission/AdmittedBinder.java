package jp.sekisho.gateway.admission;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;
import java.util.Optional;
import jp.sekisho.gateway.http.Requests;

/** Lets a controller method declare a {@link Decision.Admitted} parameter: what {@link AdmissionFilter} granted. */
@Singleton
public final class AdmittedBinder implements TypedRequestArgumentBinder<Decision.Admitted> {

    @Override
    public Argument<Decision.Admitted> argumentType() {
        return Argument.of(Decision.Admitted.class);
    }

    @Override
    public BindingResult<Decision.Admitted> bind(
            ArgumentConversionContext<Decision.Admitted> context, HttpRequest<?> source) {
        Optional<Decision.Admitted> a = source.getAttribute(Requests.ADMITTED, Decision.Admitted.class);
        return a.isEmpty() ? BindingResult.unsatisfied() : () -> a;
    }
}
