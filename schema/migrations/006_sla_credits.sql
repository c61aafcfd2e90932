-- Service credits (DESIGN.md §4, §6): a breach of a committed time on a
-- contract that buys credits earns its percentage of the monthly fee,
-- capped per calendar month (UTC) by the contract's cap.
ALTER TABLE escalations ADD COLUMN service_credit_percent numeric(5, 2)
    CHECK (service_credit_percent BETWEEN 0 AND 100);

---- create above / drop below ----

ALTER TABLE escalations DROP COLUMN service_credit_percent;
