package jp.sekisho.gateway.approval;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jp.sekisho.gateway.input.Fields;
import jp.sekisho.gateway.input.Ids;

/**
 * What a consultation's content must satisfy before it is recorded or edited: required fields,
 * field grammar and lengths, a valid period, and data items from the catalogue (given as code,
 * Japanese or English label, kept as codes). Decides only whether the content is acceptable;
 * {@link ApprovalService} refuses with INVALID_APPROVAL and records the refusal.
 */
final class ConsultationCheck {

    /**
     * The draft as the PENDING approval that would be stored, and every problem found in it.
     *
     * @param problems empty when the content may be stored
     */
    record Checked(Approval approval, List<String> problems) {
        Checked {
            problems = List.copyOf(problems);
        }

        boolean acceptable() {
            return problems.isEmpty();
        }
    }

    private final DataItems items;

    ConsultationCheck(DataItems items) {
        this.items = items;
    }

    /** {@code draft} as PENDING under {@code ref} at {@code version}, its data items as catalogue codes. */
    Checked pending(Approval draft, String ref, long version) {
        List<String> problems = new ArrayList<>();
        Approval a = draft.asPending(ref, codes(draft.dataItems(), problems), version);
        problems.addAll(validate(a, draft.dataItems().size()));
        return new Checked(a, problems);
    }

    /**
     * Each item as its catalogue code, whether given as code, Japanese or English label; an unknown
     * one is a problem naming the nearest valid labels.
     */
    private List<String> codes(List<String> given, List<String> problems) {
        List<String> codes = new ArrayList<>();
        if (given.size() > 200) {
            problems.add("dataItems: more than 200 items");
            return codes;
        }
        for (String g : given) {
            Optional<String> bad = Fields.problem("dataItems", g, Fields.NAME);
            if (bad.isPresent()) {
                problems.add(bad.get());
                continue;
            }
            Optional<DataItem> item = items.resolve(g);
            if (item.isEmpty()) {
                problems.add(items.unknown(g));
            } else if (!codes.contains(item.get().code())) {
                codes.add(item.get().code());
            }
        }
        return codes;
    }

    /** @param itemsGiven how many data items were given (those unknown are reported by {@link #codes}) */
    private static List<String> validate(Approval a, int itemsGiven) {
        List<String> p = new ArrayList<>();
        if (a.ref() == null || a.ref().isBlank()) {
            p.add("ref is required");
        } else {
            Ids.APPROVAL_REF.problem(a.ref()).ifPresent(m -> p.add("ref: " + m));
        }
        Fields.problem("title", a.title(), Fields.NAME).ifPresent(p::add);
        Fields.problem("legalBasis", a.legalBasis(), Fields.TEXT).ifPresent(p::add);
        Fields.problem("contractor", a.contractor(), Fields.NAME).ifPresent(p::add);
        Fields.problem("meetingRef", a.meetingRef(), Fields.NAME).ifPresent(p::add);
        Fields.problem("conditions.text", a.conditions().text(), Fields.TEXT).ifPresent(p::add);
        for (String d : a.departments()) {
            Fields.problem("departments", d, Fields.NAME).ifPresent(p::add);
        }
        for (String d : a.subcontractors()) {
            Fields.problem("subcontractors", d, Fields.NAME).ifPresent(p::add);
        }
        if (a.departments().size() > 100
                || a.subcontractors().size() > 100
                || a.dataItems().size() > 200) {
            p.add("departments, subcontractors or dataItems list too long");
        }
        if (a.title() == null || a.title().isBlank()) {
            p.add("title is required");
        }
        if (a.legalBasis() == null || a.legalBasis().isBlank()) {
            p.add("legalBasis is required");
        }
        if (a.contractor() == null || a.contractor().isBlank()) {
            p.add("contractor is required");
        }
        if (a.dataItems().isEmpty() && itemsGiven == 0) {
            p.add("at least one data item is required");
        }
        if (a.maxRecords() < 0) {
            p.add("maxRecords must be 0 or more");
        }
        if (a.validFrom() == null || a.validUntil() == null) {
            p.add("validFrom and validUntil are required");
        } else if (a.validFrom().isAfter(a.validUntil())) {
            p.add("validFrom is after validUntil");
        }
        return p;
    }
}
