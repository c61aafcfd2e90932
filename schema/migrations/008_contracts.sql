-- Placeholder reserved for 008_contracts; filled in by the change that needs it.
SELECT 1;

---- create above / drop below ----

SELECT 1;
