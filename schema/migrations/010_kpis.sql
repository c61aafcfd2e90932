-- Placeholder reserved for 010_kpis; filled in by the change that needs it.
SELECT 1;

---- create above / drop below ----

SELECT 1;
