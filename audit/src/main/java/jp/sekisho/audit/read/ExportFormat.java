package jp.sekisho.audit.read;

/** The export formats. JSON Lines verifies offline; CSV is for spreadsheets and carries the same fields. */
public enum ExportFormat {
    JSONL,
    CSV
}
