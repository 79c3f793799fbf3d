DELETE FROM reports_lotflow;
-- next
DELETE FROM reports_entrysummary;
