/**
 * Sekisho payload envelopes: CMS (RFC 5652/5083) sign-then-encrypt that {@code openssl cms} reads.
 *
 * <ul>
 *   <li>Client: {@link jp.sekisho.certs.Identities#load} a sender identity, then
 *       {@link jp.sekisho.envelope.Sealer#seal} (declare {@link jp.sekisho.envelope.SealResult#envelopeSha256()}
 *       on upload); the receiver calls {@link jp.sekisho.envelope.Opener#open}, which writes the file only
 *       after the GCM tag, the signature and the signer's chain verified, or throws an
 *       {@link jp.sekisho.envelope.EnvelopeException} with a stable reason.</li>
 *   <li>Gateway (no keys): {@link jp.sekisho.envelope.EnvelopeInspector#inspect} the upload (or
 *       {@link jp.sekisho.envelope.EnvelopeInspector#inspectHeader} its first bytes for an early
 *       refusal), then {@link jp.sekisho.envelope.EnvelopeInspector#check} against the route's
 *       registered recipient certificates.</li>
 *   <li>Both hold an envelope to one profile, {@link jp.sekisho.envelope.EnvelopeProfile}: what the
 *       Sealer and {@code openssl cms} write, with no field in the clear and every field bounded.</li>
 * </ul>
 */
package jp.sekisho.envelope;
