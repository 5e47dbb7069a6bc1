package jp.sekisho.gateway.operations;

/**
 * One log line about something that runs out: a CRL's nextUpdate, or a server or CA certificate's end.
 *
 * @param key   what it is about (kind, file, serial), so that each is logged once a day per level
 * @param error true once past (or a CRL unreadable): the gateway refuses because of it now
 * @param text  Japanese, then English: file, subject, the date in JST and the command to renew
 */
public record ExpiryNotice(String key, boolean error, String text) {}
