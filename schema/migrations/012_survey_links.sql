-- Quote validity: a sent quote holds for aftercare.QuoteValidFor
-- (14 days) from when it was sent. Approval after valid_until is refused,
-- and the incident's workflow expires the quote on a durable timer at that
-- instant and cancels the incident that waited on it (README, "The repair
-- flow"). Survey links need no column: the link is built from the public
-- URL when the invitation is written.
ALTER TABLE quotes ADD COLUMN valid_until timestamptz;
UPDATE quotes SET valid_until = sent_at + interval '14 days' WHERE sent_at IS NOT NULL;
ALTER TABLE quotes ADD CONSTRAINT quotes_sent_valid_until CHECK ((sent_at IS NULL) = (valid_until IS NULL));

---- create above / drop below ----

ALTER TABLE quotes DROP COLUMN valid_until;
