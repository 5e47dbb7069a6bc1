package jp.sekisho.client;

import picocli.CommandLine;

/** Version from the jar manifest (set by Maven), "dev" when run from classes. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Sekisho.class.getPackage().getImplementationVersion();
        return new String[] {"sekisho " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
    }
}
