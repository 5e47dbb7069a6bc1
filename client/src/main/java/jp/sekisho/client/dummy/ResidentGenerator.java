package jp.sekisho.client.dummy;

import java.io.IOException;
import java.io.Writer;
import java.time.LocalDate;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Synthetic residents for tests and demos, never real people (the council minutes ask for dummy
 * data). Deterministic for a seed. Every name starts with the visible marker {@code DUMMY}; banks
 * are fictitious ("ダミー銀行"), so no account number can be a real account; phone numbers start
 * with 00, which no Japanese subscriber number does.
 *
 * <p>The header holds data item codes only, so that {@code send} maps each column to an approved item.
 */
public final class ResidentGenerator {

    /** The columns, as data item codes (see the approval's data items). */
    public static final List<String> COLUMNS = List.of(
            "resident_code",
            "household_code",
            "name",
            "birth_date",
            "sex",
            "postal_code",
            "address",
            "phone",
            "household_head",
            "bank_name",
            "bank_branch",
            "account_type",
            "account_number",
            "account_holder");

    public static final String MARKER = "DUMMY";

    private static final String[][] FAMILY = {
        {"山田", "ヤマダ"}, {"田中", "タナカ"}, {"佐藤", "サトウ"}, {"鈴木", "スズキ"}, {"高橋", "タカハシ"},
        {"伊藤", "イトウ"}, {"渡辺", "ワタナベ"}, {"中村", "ナカムラ"}, {"小林", "コバヤシ"}, {"加藤", "カトウ"},
        {"吉田", "ヨシダ"}, {"山口", "ヤマグチ"}, {"松本", "マツモト"}, {"井上", "イノウエ"}, {"木村", "キムラ"},
        {"古賀", "コガ"}, {"石橋", "イシバシ"}, {"久保", "クボ"}, {"森", "モリ"}, {"原", "ハラ"}
    };
    private static final String[][] GIVEN_M = {
        {"太郎", "タロウ"}, {"一郎", "イチロウ"}, {"健", "ケン"}, {"翔", "ショウ"}, {"大輔", "ダイスケ"},
        {"誠", "マコト"}, {"浩", "ヒロシ"}, {"蓮", "レン"}, {"悠真", "ユウマ"}, {"清", "キヨシ"}
    };
    private static final String[][] GIVEN_F = {
        {"花子", "ハナコ"}, {"陽子", "ヨウコ"}, {"美咲", "ミサキ"}, {"さくら", "サクラ"}, {"恵子", "ケイコ"},
        {"結衣", "ユイ"}, {"葵", "アオイ"}, {"由美", "ユミ"}, {"愛", "アイ"}, {"和子", "カズコ"}
    };
    private static final String[] TOWNS = {
        "城南町", "日吉町", "東町", "西町", "通町", "本町", "篠山町", "荘島町", "合川町", "御井町", "野中町", "津福本町", "上津町", "田主丸町", "宮ノ陣"
    };
    private static final String[] BRANCHES = {"本店", "中央支店", "駅前支店", "東支店", "西支店", "南支店"};
    private static final String[] ACCOUNT_TYPES = {"普通", "当座"};

    private final SplittableRandom random;
    private final LocalDate oldest = LocalDate.of(1930, 1, 1);
    private final int spanDays = (int) (LocalDate.of(2008, 12, 31).toEpochDay() - oldest.toEpochDay());

    public ResidentGenerator(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** Where a household lives and who heads it; members share it. */
    private record Household(long code, String[] family, String headName, String postal, String address) {}

    /** Writes the header and {@code count} rows. */
    public void write(Writer out, int count) throws IOException {
        out.write(String.join(",", COLUMNS));
        out.write('\n');
        StringBuilder row = new StringBuilder(256);
        Household home = null;
        for (int i = 0; i < count; i++) {
            boolean male = random.nextBoolean();
            String[] given = (male ? GIVEN_M : GIVEN_F)[random.nextInt(GIVEN_M.length)];
            // Households of one to four people, about three on average: the first member is the head.
            if (home == null || random.nextInt(3) == 0) {
                home = newHousehold(home == null ? 1 : home.code() + 1, given[0]);
            }
            row.setLength(0);
            row.append('9').append(pad(i + 1, 9)).append(','); // resident_code
            row.append('8').append(pad(home.code(), 9)).append(','); // household_code
            row.append(MARKER)
                    .append(' ')
                    .append(home.family()[0])
                    .append(' ')
                    .append(given[0])
                    .append(',');
            row.append(oldest.plusDays(random.nextInt(spanDays + 1))).append(',');
            row.append(male ? '1' : '2').append(','); // 住民基本台帳: 1 male, 2 female
            row.append(home.postal()).append(',');
            row.append(home.address()).append(',');
            row.append("00")
                    .append(random.nextInt(10))
                    .append('-')
                    .append(pad(random.nextInt(10000), 4))
                    .append('-')
                    .append(pad(random.nextInt(10000), 4))
                    .append(',');
            row.append(MARKER)
                    .append(' ')
                    .append(home.family()[0])
                    .append(' ')
                    .append(home.headName())
                    .append(',');
            row.append("ダミー銀行").append(',');
            row.append(BRANCHES[random.nextInt(BRANCHES.length)]).append(',');
            row.append(ACCOUNT_TYPES[random.nextInt(10) == 0 ? 1 : 0]).append(',');
            row.append(pad(random.nextInt(10_000_000), 7)).append(',');
            row.append(MARKER)
                    .append(' ')
                    .append(home.family()[1])
                    .append(' ')
                    .append(given[1])
                    .append('\n');
            out.append(row);
        }
    }

    private Household newHousehold(long code, String headGiven) {
        String[] family = FAMILY[random.nextInt(FAMILY.length)];
        int chome = 1 + random.nextInt(9);
        String postal = (chome % 2 == 0 ? "830-" : "839-") + pad(random.nextInt(10000), 4);
        String address = "福岡県久留米市" + TOWNS[random.nextInt(TOWNS.length)] + chome + "丁目" + (1 + random.nextInt(30)) + "番"
                + (1 + random.nextInt(20)) + "号";
        return new Household(code, family, headGiven, postal, address);
    }

    private static String pad(long n, int width) {
        String s = Long.toString(n);
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
