package jp.sekisho.gateway.approval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
}
