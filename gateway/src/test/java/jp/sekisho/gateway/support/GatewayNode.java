package jp.sekisho.gateway.support;

/** A running gateway a test talks to, in this JVM or in its own. */
public interface GatewayNode {

    /** https://127.0.0.1:PORT/PATH of one of its listeners. */
    String url(String listener, String path);
}
