package jp.sekisho.audit.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Where the audit store lives: either an embedded PostgreSQL in {@code embeddedDataDir}
 * ({@code url == null}) or a PostgreSQL server at {@code url}. The application connects as
 * {@code user}, which should hold INSERT and SELECT only; migrations run as {@code ownerUser}.
 *
 * @param timeout bounds how long a write may wait for the database before AUDIT_UNAVAILABLE
 * @param portsKeptFree ports the embedded PostgreSQL must never take: the gateway's own listeners, which
 *     are free while the gateway (re)starts and would otherwise be taken by the store it starts first
 */
public record StoreConfig(
        Path embeddedDataDir,
        String url,
        String user,
        String password,
        String ownerUser,
        String ownerPassword,
        Duration timeout,
        int poolSize,
        Set<Integer> portsKeptFree) {

    /** The application role created in embedded mode. */
    public static final String EMBEDDED_APP_ROLE = "sekisho_app";

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    public StoreConfig {
        Objects.requireNonNull(timeout, "timeout");
        if (url == null) {
            Objects.requireNonNull(embeddedDataDir, "embeddedDataDir or url");
            user = user == null ? EMBEDDED_APP_ROLE : user;
            ownerUser = ownerUser == null ? "postgres" : ownerUser;
        } else {
            Objects.requireNonNull(user, "user");
            if (ownerUser == null) {
                ownerUser = user;
                ownerPassword = password;
            }
        }
        portsKeptFree = Set.copyOf(portsKeptFree);
        if (poolSize < 2) {
            throw new IllegalArgumentException("poolSize must be at least 2 (writer + readers)");
        }
    }

    /** An embedded PostgreSQL whose cluster lives in {@code dataDir} (e.g. {@code data/pg}). */
    public static StoreConfig embedded(Path dataDir) {
        return new StoreConfig(dataDir, null, null, null, null, null, DEFAULT_TIMEOUT, 4, Set.of());
    }

    /** A PostgreSQL server; migrations run as {@code user} unless {@link #withOwner} names another role. */
    public static StoreConfig external(String url, String user, String password) {
        return new StoreConfig(null, url, user, password, null, null, DEFAULT_TIMEOUT, 4, Set.of());
    }

    public StoreConfig withOwner(String owner, String ownerPw) {
        return new StoreConfig(embeddedDataDir, url, user, password, owner, ownerPw, timeout, poolSize, portsKeptFree);
    }

    public StoreConfig withTimeout(Duration t) {
        return new StoreConfig(
                embeddedDataDir, url, user, password, ownerUser, ownerPassword, t, poolSize, portsKeptFree);
    }

    /** The same store with these passwords (the embedded store's come from its secrets file). */
    public StoreConfig withPasswords(String appPassword, String ownerPw) {
        return new StoreConfig(
                embeddedDataDir, url, user, appPassword, ownerUser, ownerPw, timeout, poolSize, portsKeptFree);
    }

    /** The same store, whose embedded server never takes one of these ports. */
    public StoreConfig withPortsKeptFree(Set<Integer> ports) {
        return new StoreConfig(
                embeddedDataDir, url, user, password, ownerUser, ownerPassword, timeout, poolSize, ports);
    }

    /** Passwords masked: configurations end up in logs. */
    @Override
    public String toString() {
        return "StoreConfig[" + (isEmbedded() ? "embedded " + embeddedDataDir : "url " + url) + ", user " + user
                + ", owner " + ownerUser + ", timeout " + timeout + ", pool " + poolSize + "]";
    }

    public boolean isEmbedded() {
        return url == null;
    }
}
