package jp.sekisho.gateway.identity;

import io.micronaut.core.convert.ArgumentConversionContext;
import io.micronaut.core.type.Argument;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.bind.binders.TypedRequestArgumentBinder;
import jakarta.inject.Singleton;
import java.util.Optional;
import jp.sekisho.gateway.http.Requests;

/** Lets any controller method declare a {@link Principal} parameter: the connection's verified principal. */
@Singleton
public final class PrincipalBinder implements TypedRequestArgumentBinder<Principal> {

    @Override
    public Argument<Principal> argumentType() {
        return Argument.of(Principal.class);
    }

    @Override
    public BindingResult<Principal> bind(ArgumentConversionContext<Principal> context, HttpRequest<?> source) {
        Principal p = Requests.principal(source);
        return p == null ? BindingResult.unsatisfied() : () -> Optional.of(p);
    }
}
