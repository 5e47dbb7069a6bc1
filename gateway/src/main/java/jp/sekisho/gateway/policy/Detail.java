package jp.sekisho.gateway.policy;

import jp.sekisho.audit.json.Json;

/** The small JSON detail of an audit event: flat string fields, in insertion order, nulls left out. */
public final class Detail {

    private final StringBuilder json = new StringBuilder("{");

    public Detail put(String key, Object value) {
        if (value == null) {
            return this;
        }
        if (json.length() > 1) {
            json.append(',');
        }
        Json.quote(json, key).append(':');
        Json.quote(json, String.valueOf(value));
        return this;
    }

    @Override
    public String toString() {
        return json + "}";
    }
}
