package jp.sekisho.client.http;

import jp.sekisho.audit.json.Json;

/** Builds request bodies: a flat JSON writer for the few shapes the CLI sends. */
public final class JsonOut {

    private JsonOut() {}

    public static String write(Object v) {
        return Json.write(v);
    }
}
