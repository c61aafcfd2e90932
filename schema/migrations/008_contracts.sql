-- Contracts and entitlements at work (issue 6): what an incident's asset was
-- entitled to when it was filed (aftercare.Coverage, written by
-- CreateIncident), the claims made against limited entitlements, the
-- renewal reminders sent to account managers, and the permissions of the
-- contract mutations and the entitlement check.

-- The coverage computed at filing; '{}' for incidents filed before it was
-- recorded.
ALTER TABLE incidents ADD COLUMN coverage jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(coverage) = 'object');

---- create above / drop below ----

ALTER TABLE incidents DROP COLUMN coverage;
