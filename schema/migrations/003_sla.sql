-- SLA engine (DESIGN.md §4–§6): the clocks incident workflows mirror into
-- PostgreSQL, the public holidays their business calendars follow, live
-- incident events, and the permissions of the lifecycle mutations.

-- A clock's row is the workflow's snapshot: its events (package sla's
-- event-sourced clock, replayed by readers to compute elapsed and remaining
-- time at any instant) and the deadline they imply. A clock paused with
-- budget left has no deadline until it resumes.
ALTER TABLE sla_clocks
    ALTER COLUMN deadline DROP NOT NULL,
    ADD COLUMN coverage text NOT NULL DEFAULT '24x7' CHECK (coverage IN ('24x7', '9x5')),
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC',
    ADD COLUMN budget_seconds bigint NOT NULL DEFAULT 0 CHECK (budget_seconds >= 0),
    ADD COLUMN events jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(events) = 'array'),
    ADD COLUMN version bigint NOT NULL DEFAULT 0,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX sla_clocks_breached_idx ON sla_clocks (deadline DESC) WHERE state = 'breached';

ALTER TABLE escalations ADD COLUMN actions text[] NOT NULL DEFAULT '{}';

-- Public holidays and make-up working days by country (ISO 3166 alpha-2),
-- the holiday sets of package sla. A site's 9x5 clocks follow its country's.
CREATE TABLE holidays (
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    date date NOT NULL,
    kind text NOT NULL CHECK (kind IN ('holiday', 'workday')),
    name text NOT NULL CHECK (name <> ''),
    PRIMARY KEY (country, date),
    CHECK (kind = 'holiday' OR extract(isodow FROM date) IN (6, 7))
);

-- Mainland China 2026, from the State Council notice of 2025-11-04.
INSERT INTO holidays (country, date, kind, name) VALUES
    ('CN', '2026-01-01', 'holiday', 'New Year''s Day'),
    ('CN', '2026-01-02', 'holiday', 'New Year''s Day'),
    ('CN', '2026-01-03', 'holiday', 'New Year''s Day'),
    ('CN', '2026-01-04', 'workday', 'New Year''s Day make-up'),
    ('CN', '2026-02-14', 'workday', 'Spring Festival make-up'),
    ('CN', '2026-02-15', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-16', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-17', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-18', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-19', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-20', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-21', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-22', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-23', 'holiday', 'Spring Festival'),
    ('CN', '2026-02-28', 'workday', 'Spring Festival make-up'),
    ('CN', '2026-04-04', 'holiday', 'Qingming'),
    ('CN', '2026-04-05', 'holiday', 'Qingming'),
    ('CN', '2026-04-06', 'holiday', 'Qingming'),
    ('CN', '2026-05-01', 'holiday', 'Labour Day'),
    ('CN', '2026-05-02', 'holiday', 'Labour Day'),
    ('CN', '2026-05-03', 'holiday', 'Labour Day'),
    ('CN', '2026-05-04', 'holiday', 'Labour Day'),
    ('CN', '2026-05-05', 'holiday', 'Labour Day'),
    ('CN', '2026-05-09', 'workday', 'Labour Day make-up'),
    ('CN', '2026-06-19', 'holiday', 'Dragon Boat'),
    ('CN', '2026-06-20', 'holiday', 'Dragon Boat'),
    ('CN', '2026-06-21', 'holiday', 'Dragon Boat'),
    ('CN', '2026-09-20', 'workday', 'National Day make-up'),
    ('CN', '2026-09-25', 'holiday', 'Mid-Autumn'),
    ('CN', '2026-09-26', 'holiday', 'Mid-Autumn'),
    ('CN', '2026-09-27', 'holiday', 'Mid-Autumn'),
    ('CN', '2026-10-01', 'holiday', 'National Day'),
    ('CN', '2026-10-02', 'holiday', 'National Day'),
    ('CN', '2026-10-03', 'holiday', 'National Day'),
    ('CN', '2026-10-04', 'holiday', 'National Day'),
    ('CN', '2026-10-05', 'holiday', 'National Day'),
    ('CN', '2026-10-06', 'holiday', 'National Day'),
    ('CN', '2026-10-07', 'holiday', 'National Day'),
    ('CN', '2026-10-10', 'workday', 'National Day make-up');

-- Every incident event is announced on aftercare_events as
-- "<incident id> <account id>", so subscribers in any process hear of it.
CREATE FUNCTION notify_incident_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('aftercare_events',
        NEW.incident_id::text || ' ' || (SELECT account_id::text FROM incidents WHERE id = NEW.incident_id));
    RETURN NULL;
END $$;
CREATE TRIGGER incident_events_notify AFTER INSERT ON incident_events
    FOR EACH ROW EXECUTE FUNCTION notify_incident_event();

-- Who may move incidents through their lifecycle (admin holds '*' already):
-- triage covers acknowledging and reprioritising, work what the engineer
-- does on the job, respond the customer's answer to a hold.
INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'dispatcher', 'incident', 'triage'),
    ('p', 'dispatcher', 'incident', 'dispatch'),
    ('p', 'dispatcher', 'incident', 'work'),
    ('p', 'dispatcher', 'incident', 'respond'),
    ('p', 'dispatcher', 'incident', 'close'),
    ('p', 'dispatcher', 'incident', 'cancel'),
    ('p', 'engineer', 'incident', 'work'),
    ('p', 'account_manager', 'incident', 'respond'),
    ('p', 'account_manager', 'incident', 'close'),
    ('p', 'account_manager', 'incident', 'cancel'),
    ('p', 'customer_it', 'incident', 'respond'),
    ('p', 'customer_it', 'incident', 'close'),
    ('p', 'customer_it', 'incident', 'cancel');

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND (v1, v2) IN (('incident', 'triage'), ('incident', 'dispatch'),
    ('incident', 'work'), ('incident', 'respond'), ('incident', 'close'), ('incident', 'cancel'));
DROP TRIGGER incident_events_notify ON incident_events;
DROP FUNCTION notify_incident_event();
DROP TABLE holidays;
ALTER TABLE escalations DROP COLUMN actions;
DROP INDEX sla_clocks_breached_idx;
ALTER TABLE sla_clocks DROP COLUMN coverage, DROP COLUMN time_zone, DROP COLUMN budget_seconds, DROP COLUMN events,
    DROP COLUMN version, DROP COLUMN updated_at;
