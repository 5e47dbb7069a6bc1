package jp.sekisho.gateway.report;

import java.time.Instant;
import java.util.List;

/**
 * A report for the council (運用状況報告): one approval's ({@link Kind#APPROVAL}) or every approval active in a
 * period's ({@link Kind#YEAR}), with the audit chain's verification. A value: the renderers only format it.
 *
 * @param year the calendar year of a yearly report; 0 when the period was given as dates
 */
public record Report(
        Kind kind,
        ReportPeriod period,
        int year,
        Instant generatedAt,
        String node,
        List<ApprovalSection> sections,
        ChainCheck chain) {

    public Report {
        sections = List.copyOf(sections);
    }

    public enum Kind {
        APPROVAL,
        YEAR
    }
}
