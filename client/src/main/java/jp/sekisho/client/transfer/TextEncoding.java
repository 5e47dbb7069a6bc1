package jp.sekisho.client.transfer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import jp.sekisho.cli.CliException;
import picocli.CommandLine.ITypeConverter;

/**
 * {@code --encoding}: how send reads the CSV header and the items map. The payload's bytes are sent
 * as they are; only these two are decoded, strictly, so a wrong encoding is an error that names the
 * line instead of a garbled column name.
 *
 * <p>Shift_JIS and CP932 both read as windows-31j (MS932): Japanese municipal systems export
 * "Shift_JIS" from Windows, with the NEC and IBM extension characters (①, Ⅲ, ㈱, 髙, 﨑) that Java's
 * strict Shift_JIS charset (JIS X 0208 only) rejects; windows-31j is a superset of it for these
 * files. AUTO takes UTF-8 when the bytes are valid UTF-8 (a BOM included), windows-31j otherwise.
 */
public enum TextEncoding {
    UTF_8,
    SHIFT_JIS,
    CP932,
    AUTO;

    private static final Charset WINDOWS_31J = Charset.forName("windows-31j");
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** The charset these bytes are read with (for AUTO, chosen from the bytes themselves). */
    public Charset charsetFor(byte[] sample) {
        return switch (this) {
            case UTF_8 -> StandardCharsets.UTF_8;
            case SHIFT_JIS, CP932 -> WINDOWS_31J;
            case AUTO ->
                startsWithBom(sample) || decodes(StandardCharsets.UTF_8, sample) ? StandardCharsets.UTF_8 : WINDOWS_31J;
        };
    }

    /**
     * One line's text, strictly decoded, without a UTF-8 BOM; a malformed byte is an input error
     * naming {@code where} (e.g. "--items-map FILE line 3").
     */
    public String decodeLine(byte[] bytes, Charset cs, String where) {
        int from = cs.equals(StandardCharsets.UTF_8) && startsWithBom(bytes) ? BOM.length : 0;
        CharsetDecoder d = cs.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return d.decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
        } catch (CharacterCodingException e) {
            throw CliException.usage(where + ": " + label() + " として読めないバイトがあります。 not valid " + label()
                    + " text; give the file's encoding with --encoding UTF-8|Shift_JIS|CP932|auto");
        }
    }

    /** How the user wrote it. */
    public String label() {
        return switch (this) {
            case UTF_8 -> "UTF-8";
            case SHIFT_JIS -> "Shift_JIS";
            case CP932 -> "CP932";
            case AUTO -> "auto";
        };
    }

    static boolean startsWithBom(byte[] b) {
        return b.length >= 3 && b[0] == BOM[0] && b[1] == BOM[1] && b[2] == BOM[2];
    }

    private static boolean decodes(Charset cs, byte[] b) {
        try {
            cs.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** picocli: UTF-8, Shift_JIS (also SJIS), CP932 (also MS932, windows-31j) or auto, in any case. */
    public static final class Converter implements ITypeConverter<TextEncoding> {
        @Override
        public TextEncoding convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT).replace('-', '_')) {
                case "utf_8", "utf8" -> UTF_8;
                case "shift_jis", "sjis" -> SHIFT_JIS;
                case "cp932", "ms932", "windows_31j" -> CP932;
                case "auto" -> AUTO;
                default ->
                    throw CliException.usage("--encoding " + value
                            + ": UTF-8、Shift_JIS、CP932、auto のいずれかです。 expected UTF-8, Shift_JIS, CP932 or auto");
            };
        }
    }
}
