package jp.sekisho.gateway.transfer;

import io.micronaut.core.annotation.Nullable;
import java.util.LinkedHashMap;
import java.util.Map;

/** The headers of a payload answer, the same from {@link PayloadHandler} and {@link DeliveryController}. */
final class PayloadHeaders {

    private PayloadHeaders() {}

    /** @param rangeStart the first byte sent when the request had a Range, else null */
    static Map<String, String> of(Transfer t, @Nullable Long rangeStart) {
        Map<String, String> h = new LinkedHashMap<>();
        if (rangeStart != null) {
            h.put("Content-Range", PayloadRange.contentRange(rangeStart, t.length()));
        }
        h.put("Accept-Ranges", "bytes");
        h.put(Tus.TRANSFER_ID, t.id());
        h.put("Sekisho-Payload-Sha256", t.sha256());
        h.put("Cache-Control", "no-store");
        return h;
    }
}
