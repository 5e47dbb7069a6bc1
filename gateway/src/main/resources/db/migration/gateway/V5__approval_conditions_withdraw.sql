-- Issue 13: conditions given at the meeting with approve-with-conditions wait with the pending
-- decision for the second member and are kept in the decision's history line; usage per approval
-- (transfers and records so far) is counted from the transfers by approval.
-- A withdrawn consultation (WITHDRAWN) needs no column: status is text.
ALTER TABLE approval ADD COLUMN pending_conditions_text text;
ALTER TABLE approval ADD COLUMN pending_delete_after_delivery boolean;
ALTER TABLE approval ADD COLUMN pending_deletion_report_due date;

ALTER TABLE approval_decision ADD COLUMN conditions_text text;
ALTER TABLE approval_decision ADD COLUMN conditions_delete_after_delivery boolean;
ALTER TABLE approval_decision ADD COLUMN conditions_deletion_report_due date;

CREATE INDEX transfer_approval ON transfer (approval_ref);
