-- Placeholder reserved for 009_repair_flow; filled in by the change that needs it.
SELECT 1;

---- create above / drop below ----

SELECT 1;
