package jp.sekisho.gateway.policy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A row's decisive content as unambiguous bytes for {@link PolicySeal}: a kind tag, then each field
 * length-prefixed (null and empty differ), in a fixed order. Changing the order or a field's
 * encoding invalidates every seal, so add fields only with a new kind tag.
 */
public final class SealedContent {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);

    private SealedContent(String kind) {
        text(kind);
    }

    public static SealedContent of(String kind) {
        return new SealedContent(kind);
    }

    public SealedContent text(String s) {
        try {
            if (s == null) {
                out.writeInt(-1);
            } else {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                out.writeInt(b.length);
                out.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public SealedContent number(long n) {
        try {
            out.writeLong(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public SealedContent flag(boolean b) {
        return number(b ? 1 : 0);
    }

    public SealedContent texts(List<String> list) {
        number(list.size());
        list.forEach(this::text);
        return this;
    }

    public SealedContent value(Object o) {
        return text(o == null ? null : o.toString());
    }

    byte[] bytes() {
        return bytes.toByteArray();
    }
}
