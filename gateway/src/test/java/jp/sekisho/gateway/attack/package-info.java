/**
 * The attack catalogue of issue 12: every hostile input of the outside campaign and of the edge,
 * transfer and approval issues, as named rows against a real gateway (real mutual TLS with test-time
 * certificates, real PostgreSQL), one gateway per category class.
 *
 * <p>A case ({@link jp.sekisho.gateway.attack.HostileCase}) says how the input is sent (mostly byte
 * for byte by {@link jp.sekisho.gateway.attack.RawHttps}) and what the gateway must do
 * ({@link jp.sekisho.gateway.attack.Expected}); {@link jp.sekisho.gateway.attack.Catalogue} judges the
 * answer, exactly one refusing audit event of that request or connection, no ALLOW beyond the
 * admission chain's REQUEST_ALLOWED, the spool and the receiver's inbox unchanged, and a legitimate
 * request still served. {@link jp.sekisho.gateway.attack.CatalogueTally} appends
 * {@code category, cases, passed} to {@code gateway/target/attack-catalogue.txt}.
 *
 * <p>Run: {@code mvn -B -o -pl gateway -am -Dtest='jp.sekisho.gateway.attack.*Test'
 * -Dsurefire.failIfNoSpecifiedTests=false -DskipITs verify}.
 */
package jp.sekisho.gateway.attack;
