package jp.sekisho.gateway.approval;

import java.text.Normalizer;
import java.time.LocalDate;
import java.util.List;
import jp.sekisho.cli.JapaneseDates;
import jp.sekisho.gateway.admission.Reason;
import jp.sekisho.gateway.console.ConsoleForm;

/**
 * The new-consultation form as the person filled it in: kept as typed, so a refused form comes back
 * with every value in place, and read into an {@link Approval} only by {@link #read}. Dates are
 * council dates in era or Western form (令和9年1月1日, R9.1.1, 2027-01-01), refused DATE_INVALID naming
 * the field; the service checks the rest (the reference's grammar, lengths, the items' catalogue).
 */
public record ConsultationForm(
        String ref,
        String title,
        String legalBasis,
        String departments,
        String contractor,
        String subcontractors,
        List<String> dataItems,
        String maxRecords,
        String validFrom,
        String validUntil,
        String conditionsText,
        boolean deleteAfterDelivery,
        String deletionReportDue,
        String meetingRef) {

    /** The fields a consultation cannot be recorded without, in the order of the form. */
    public static final List<String> REQUIRED =
            List.of("ref", "title", "legalBasis", "contractor", "dataItems", "maxRecords", "validFrom", "validUntil");

    public ConsultationForm {
        dataItems = List.copyOf(dataItems);
    }

    public static ConsultationForm empty() {
        return new ConsultationForm("", "", "", "", "", "", List.of(), "", "", "", "", false, "", "");
    }

    static ConsultationForm of(ConsoleForm f) {
        return new ConsultationForm(
                f.get("ref", ""),
                f.get("title", ""),
                f.get("legalBasis", ""),
                f.get("departments", ""),
                f.get("contractor", ""),
                f.get("subcontractors", ""),
                f.all("dataItems"),
                f.get("maxRecords", ""),
                f.get("validFrom", ""),
                f.get("validUntil", ""),
                f.get("conditionsText", ""),
                f.checked("deleteAfterDelivery"),
                f.get("deletionReportDue", ""),
                f.get("meetingRef", ""));
    }

    public boolean required(String field) {
        return REQUIRED.contains(field);
    }

    /** Whether the item's checkbox was ticked. */
    public boolean has(String code) {
        return dataItems.contains(code);
    }

    /** What reading the form gave: the consultation, or the first field at fault. */
    public sealed interface Read {
        record Ok(Approval draft) implements Read {}

        record Bad(PageError error) implements Read {}
    }

    /** The consultation as entered, PENDING; or the first field that is missing or cannot be read. */
    Read read() {
        for (String field : REQUIRED) {
            if (blank(field)) {
                return bad(Reason.INVALID_APPROVAL, field, "入力してください / this field is required");
            }
        }
        long max;
        try {
            max = Long.parseLong(Normalizer.normalize(maxRecords, Normalizer.Form.NFKC)
                    .replace(",", "")
                    .strip());
        } catch (NumberFormatException e) {
            max = -1;
        }
        if (max < 0) {
            return bad(Reason.INVALID_APPROVAL, "maxRecords", "0以上の整数で入力してください / write a whole number, 0 or more");
        }
        LocalDate from;
        LocalDate until;
        LocalDate reportDue;
        String field = "validFrom";
        try {
            from = JapaneseDates.parse(validFrom);
            field = "validUntil";
            until = JapaneseDates.parse(validUntil);
            field = "deletionReportDue";
            reportDue = deletionReportDue.isBlank() ? null : JapaneseDates.parse(deletionReportDue);
        } catch (IllegalArgumentException e) {
            return bad(Reason.DATE_INVALID, field, e.getMessage());
        }
        if (from.isAfter(until)) {
            return bad(
                    Reason.INVALID_APPROVAL,
                    "validUntil",
                    "有効期間の終わりが始まりより前です / the validity ends before it begins (" + JapaneseDates.eraAndWestern(from)
                            + " 〜 " + JapaneseDates.eraAndWestern(until) + ")");
        }
        return new Read.Ok(new Approval(
                RefNumbers.normalise(ref), // ８福第３０１号 is 8福第301号 (the service normalises too)
                title,
                legalBasis,
                lines(departments),
                contractor,
                lines(subcontractors),
                dataItems,
                max,
                from,
                until,
                new Conditions(conditionsText, deleteAfterDelivery, reportDue),
                meetingRef.isBlank() ? null : meetingRef,
                ApprovalStatus.PENDING,
                null,
                null,
                1));
    }

    private boolean blank(String field) {
        return switch (field) {
            case "ref" -> ref.isBlank();
            case "title" -> title.isBlank();
            case "legalBasis" -> legalBasis.isBlank();
            case "contractor" -> contractor.isBlank();
            case "dataItems" -> dataItems.isEmpty();
            case "maxRecords" -> maxRecords.isBlank();
            case "validFrom" -> validFrom.isBlank();
            case "validUntil" -> validUntil.isBlank();
            default -> false;
        };
    }

    private static Read bad(Reason reason, String field, String message) {
        return new Read.Bad(new PageError(reason, message, field));
    }

    private static List<String> lines(String text) {
        return text.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
