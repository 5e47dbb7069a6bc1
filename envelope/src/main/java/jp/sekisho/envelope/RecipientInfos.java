package jp.sekisho.envelope;

import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.cms.IssuerAndSerialNumber;
import org.bouncycastle.asn1.cms.KEKRecipientInfo;
import org.bouncycastle.asn1.cms.KeyAgreeRecipientIdentifier;
import org.bouncycastle.asn1.cms.KeyAgreeRecipientInfo;
import org.bouncycastle.asn1.cms.KeyTransRecipientInfo;
import org.bouncycastle.asn1.cms.PasswordRecipientInfo;
import org.bouncycastle.asn1.cms.RecipientEncryptedKey;
import org.bouncycastle.asn1.cms.RecipientIdentifier;
import org.bouncycastle.asn1.cms.RecipientInfo;

/** Turns an envelope's RecipientInfos into {@link EnvelopeRecipient}s: one per key it was encrypted for. */
final class RecipientInfos {

    private RecipientInfos() {}

    /** Every recipient of the set; a key agreement yields one per recipient encrypted key. */
    static List<EnvelopeRecipient> read(ASN1Set set) {
        List<EnvelopeRecipient> result = new ArrayList<>();
        for (ASN1Encodable e : set) {
            ASN1Encodable info = RecipientInfo.getInstance(e).getInfo();
            if (info instanceof KeyTransRecipientInfo kt) {
                result.add(of(EnvelopeRecipient.Type.KEY_TRANSPORT, kt.getRecipientIdentifier()));
            } else if (info instanceof KeyAgreeRecipientInfo ka) {
                for (ASN1Encodable k : ka.getRecipientEncryptedKeys()) {
                    KeyAgreeRecipientIdentifier id =
                            RecipientEncryptedKey.getInstance(k).getIdentifier();
                    if (id.getIssuerAndSerialNumber() != null) {
                        result.add(of(EnvelopeRecipient.Type.KEY_AGREEMENT, id.getIssuerAndSerialNumber(), null));
                    } else {
                        result.add(of(
                                EnvelopeRecipient.Type.KEY_AGREEMENT,
                                null,
                                id.getRKeyID().getSubjectKeyIdentifier().getOctets()));
                    }
                }
            } else if (info instanceof KEKRecipientInfo) {
                result.add(new EnvelopeRecipient(EnvelopeRecipient.Type.KEK, null, null, null));
            } else if (info instanceof PasswordRecipientInfo) {
                result.add(new EnvelopeRecipient(EnvelopeRecipient.Type.PASSWORD, null, null, null));
            } else {
                result.add(new EnvelopeRecipient(EnvelopeRecipient.Type.OTHER, null, null, null));
            }
        }
        return result;
    }

    /**
     * Why the set is outside {@link EnvelopeProfile}, or null: too many recipients (key agreements
     * counted per recipient key), or an encrypted content key longer than RSA-8192 makes.
     */
    static String outsideProfile(ASN1Set set, int recipients) {
        if (recipients > EnvelopeProfile.MAX_RECIPIENTS) {
            return recipients + " recipients (at most " + EnvelopeProfile.MAX_RECIPIENTS + ")";
        }
        for (ASN1Encodable e : set) {
            ASN1Encodable info = RecipientInfo.getInstance(e).getInfo();
            if (info instanceof KeyTransRecipientInfo kt) {
                String why = keyLength(kt.getEncryptedKey());
                if (why != null) {
                    return why;
                }
            } else if (info instanceof KeyAgreeRecipientInfo ka) {
                for (ASN1Encodable k : ka.getRecipientEncryptedKeys()) {
                    String why = keyLength(RecipientEncryptedKey.getInstance(k).getEncryptedKey());
                    if (why != null) {
                        return why;
                    }
                }
            }
        }
        return null;
    }

    private static String keyLength(ASN1OctetString key) {
        int n = key.getOctets().length;
        return n > EnvelopeProfile.MAX_ENCRYPTED_KEY_BYTES
                ? "an encrypted content key of " + n + " bytes (at most " + EnvelopeProfile.MAX_ENCRYPTED_KEY_BYTES
                        + ")"
                : null;
    }

    private static EnvelopeRecipient of(EnvelopeRecipient.Type type, RecipientIdentifier rid) {
        if (rid.isTagged()) {
            return of(type, null, ASN1OctetString.getInstance(rid.getId()).getOctets());
        }
        return of(type, IssuerAndSerialNumber.getInstance(rid.getId()), null);
    }

    private static EnvelopeRecipient of(EnvelopeRecipient.Type type, IssuerAndSerialNumber iss, byte[] ski) {
        return new EnvelopeRecipient(
                type,
                iss == null ? null : iss.getName().toString(),
                iss == null ? null : iss.getSerialNumber().getValue(),
                ski == null ? null : EnvelopeRecipient.hex(ski));
    }
}
