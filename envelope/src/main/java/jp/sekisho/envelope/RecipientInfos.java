package jp.sekisho.envelope;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.ASN1SetParser;
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
    static List<EnvelopeRecipient> read(ASN1SetParser setParser) throws IOException {
        ASN1Set set = ASN1Set.getInstance(setParser.toASN1Primitive());
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
