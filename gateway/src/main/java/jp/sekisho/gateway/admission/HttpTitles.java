package jp.sekisho.gateway.admission;

/** The HTTP reason phrase each status the gateway answers with carries ("-" for 0: no HTTP answer). */
public final class HttpTitles {

    private HttpTitles() {}

    /** The reason phrase of an HTTP status, including the tus extension's 460. */
    public static String of(int status) {
        return switch (status) {
            case 0 -> "-";
            case 400 -> "Bad Request";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 406 -> "Not Acceptable";
            case 409 -> "Conflict";
            case 412 -> "Precondition Failed";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            case 416 -> "Range Not Satisfiable";
            case 421 -> "Misdirected Request";
            case 422 -> "Unprocessable Content";
            case 460 -> "Checksum Mismatch";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            case 507 -> "Insufficient Storage";
            default -> status >= 500 ? "Internal Server Error" : "Client Error";
        };
    }
}
