package jp.sekisho.gateway.approval;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** "Same person": same subject as a name (case and spacing aside) or same certificate. */
class ActorTest {

    @Test
    void theSubjectIsTheIdentityWhateverTheCertificate() {
        Actor a = new Actor("CN=secretariat,O=Kurume City", "aa");
        assertTrue(a.samePersonAs(new Actor("CN=secretariat,O=Kurume City", "cc")), "renewed: new fingerprint");
        assertTrue(a.samePersonAs(new Actor("cn=Secretariat, o=Kurume  City", "cc")), "case and spaces");
        assertTrue(a.samePersonAs(new Actor("2.5.4.3=secretariat,2.5.4.10=kurume city", "cc")), "attribute OIDs");
        assertTrue(a.samePersonAs(new Actor("CN=someone else", "AA")), "the same certificate");
        assertFalse(a.samePersonAs(new Actor("CN=secretariat2,O=Kurume City", "bb")));
        assertFalse(a.samePersonAs(new Actor("CN=secretariat,O=Kurume City,OU=x", "bb")));
        assertFalse(a.samePersonAs(null));
    }
}
