package jp.sekisho.gateway.config;

/**
 * A configuration error: its message is the whole line shown to the operator, naming the file,
 * the key and the problem, e.g. {@code gateway.yml: listeners.admin.allow[1]: '10.0.0.300/8' is not a CIDR}.
 */
public final class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
