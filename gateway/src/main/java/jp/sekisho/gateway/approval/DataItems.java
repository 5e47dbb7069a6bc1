package jp.sekisho.gateway.approval;

import java.text.Normalizer;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The catalogue of data item codes. The built-in items cover the council cases in the minutes;
 * a deployment adds its own with {@link #with(DataItem)}.
 */
public final class DataItems {

    private static final List<DataItem> BUILT_IN = List.of(
            new DataItem("name", "氏名", "Name"),
            new DataItem("birth_date", "生年月日", "Date of birth"),
            new DataItem("sex", "性別", "Sex"),
            new DataItem("address", "住所", "Address"),
            new DataItem("postal_code", "郵便番号", "Postal code"),
            new DataItem("phone", "電話番号", "Telephone number"),
            new DataItem("household_head", "世帯主名", "Head of household"),
            new DataItem("resident_code", "宛名コード", "Resident code"),
            new DataItem("household_code", "世帯コード", "Household code"),
            new DataItem("bank_name", "金融機関名", "Bank"),
            new DataItem("bank_branch", "本・支店名", "Bank branch"),
            new DataItem("account_type", "口座種別", "Account type"),
            new DataItem("account_number", "口座番号", "Account number"),
            new DataItem("account_holder", "口座名義", "Account holder"),
            new DataItem("salary", "給与", "Salary"),
            new DataItem("personnel", "人事", "Personnel records"),
            new DataItem("tax_arrears", "滞納情報", "Tax arrears"),
            new DataItem("health", "保健情報", "Health information"));

    private final Map<String, DataItem> byCode;

    private DataItems(Map<String, DataItem> byCode) {
        this.byCode = byCode;
    }

    public static DataItems builtIn() {
        Map<String, DataItem> m = new LinkedHashMap<>();
        BUILT_IN.forEach(i -> m.put(i.code(), i));
        return new DataItems(m);
    }

    public DataItems with(DataItem item) {
        Map<String, DataItem> m = new LinkedHashMap<>(byCode);
        m.put(item.code(), item);
        return new DataItems(m);
    }

    public Optional<DataItem> find(String code) {
        return Optional.ofNullable(byCode.get(code));
    }

    public List<DataItem> all() {
        return List.copyOf(byCode.values());
    }

    /**
     * The item {@code text} names as people write it: its code ({@code birth_date}), its Japanese
     * label ({@code 生年月日}) or its English one ({@code Date of birth}); full-width forms, case and
     * surrounding spaces do not count.
     */
    public Optional<DataItem> resolve(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String key = fold(text);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        DataItem exact = byCode.get(key);
        if (exact != null) {
            return Optional.of(exact);
        }
        return byCode.values().stream()
                .filter(i -> fold(i.japanese()).equals(key)
                        || fold(i.english()).equals(key)
                        || fold(i.code()).equals(key))
                .findFirst();
    }

    /** The {@code n} items whose code or labels are nearest to {@code text} (edit distance), nearest first. */
    public List<DataItem> nearest(String text, int n) {
        String key = fold(text == null ? "" : text);
        return byCode.values().stream()
                .sorted(Comparator.comparingInt((DataItem i) -> distance(key, i)))
                .limit(n)
                .toList();
    }

    /**
     * The bilingual refusal of an item the catalogue does not hold, naming the nearest ones
     * ("氏名 (name)"); the given value is shown only as far as 40 characters.
     */
    public String unknown(String text) {
        String shown = text == null
                ? ""
                : text.codePoints()
                        .limit(40)
                        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append)
                        .toString()
                        .replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
        return "個人情報項目 '" + shown + "' は一覧にありません / unknown data item '" + shown + "'; nearest: "
                + nearest(text, 3).stream().map(DataItems::label).collect(Collectors.joining(", "));
    }

    /** 氏名 (name): the Japanese label and the code, as an item is shown. */
    public static String label(DataItem i) {
        return i.japanese() + " (" + i.code() + ")";
    }

    /** The Japanese label and code of {@code code}, or the code alone when the catalogue does not hold it. */
    public String label(String code) {
        return find(code).map(DataItems::label).orElse(code);
    }

    private static int distance(String key, DataItem i) {
        return Math.min(
                levenshtein(key, fold(i.code())),
                Math.min(levenshtein(key, fold(i.japanese())), levenshtein(key, fold(i.english()))));
    }

    private static String fold(String s) {
        return Normalizer.normalize(s, Normalizer.Form.NFKC).strip().toLowerCase(Locale.ROOT);
    }

    /** Edit distance over UTF-16 units, bounded to 64 characters each side (labels are short). */
    private static int levenshtein(String a, String b) {
        a = a.length() > 64 ? a.substring(0, 64) : a;
        b = b.length() > 64 ? b.substring(0, 64) : b;
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
