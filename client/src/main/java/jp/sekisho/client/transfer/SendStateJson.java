package jp.sekisho.client.transfer;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import jp.sekisho.audit.json.Json;
import jp.sekisho.client.http.JsonOut;
import jp.sekisho.client.transfer.SendState.Command;
import jp.sekisho.client.transfer.SendState.Fingerprint;
import jp.sekisho.client.transfer.SendState.Saved;

/** {@code state.json} of an unfinished send ({@link SendState}): version 1, one flat object. */
final class SendStateJson {

    private SendStateJson() {}

    static String write(Saved s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", 1);
        m.put("route", s.command().route());
        m.put("gateway", s.command().gateway());
        m.put("input", s.command().input());
        m.put("encrypted", s.command().encrypted());
        m.put("filename", s.command().filename());
        m.put("records", s.command().records());
        m.put("cbc", s.command().cbc());
        m.put("compress", s.command().compress());
        m.put("inputSize", s.input().size());
        m.put("inputModified", s.input().modified());
        m.put("inputFileKey", s.input().fileKey());
        m.put("created", s.created());
        m.put("uploadUrl", s.uploadUrl());
        m.put("envelopeBytes", s.envelopeBytes());
        m.put("envelopeSha256", s.envelopeSha256());
        m.put("sealedInBoot", s.sealedInBoot());
        return JsonOut.write(m);
    }

    /** The state in {@code text}, or empty when it is not one this version wrote. */
    static Optional<Saved> read(String text) {
        try {
            Map<String, Object> m = Json.parseObject(text);
            if (!(m.get("version") instanceof BigDecimal v) || v.intValueExact() != 1) {
                return Optional.empty();
            }
            return Optional.of(new Saved(
                    new Command(
                            str(m, "route"),
                            str(m, "gateway"),
                            str(m, "input"),
                            Boolean.TRUE.equals(m.get("encrypted")),
                            str(m, "filename"),
                            num(m, "records"),
                            Boolean.TRUE.equals(m.get("cbc")),
                            Boolean.TRUE.equals(m.get("compress"))),
                    new Fingerprint(num(m, "inputSize"), str(m, "inputModified"), str(m, "inputFileKey")),
                    str(m, "created"),
                    (String) m.get("uploadUrl"),
                    m.get("envelopeBytes") == null ? null : num(m, "envelopeBytes"),
                    (String) m.get("envelopeSha256"),
                    (String) m.get("sealedInBoot"))); // absent: forced to disk (and states of before)
        } catch (RuntimeException e) {
            return Optional.empty(); // torn or foreign: the caller discards it
        }
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(k);
        }
        return s;
    }

    private static long num(Map<String, Object> m, String k) {
        return ((BigDecimal) m.get(k)).longValueExact();
    }
}
