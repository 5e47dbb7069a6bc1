package jp.sekisho.gateway.attack;

/**
 * One hostile input of the catalogue: its category, a name that says what it tries, how it is
 * sent, and what the gateway must answer. Its name is what the test reports show.
 */
record HostileCase(String category, String name, Attack attack, Expected expected) {

    /** Sends the hostile input to the running gateway and returns what happened. */
    @FunctionalInterface
    interface Attack {
        Answer send(AttackWorld w) throws Exception;
    }

    @Override
    public String toString() {
        return name;
    }
}
