-- KPIs (DESIGN.md §1): SLA attainment per clock, mean time to
-- restore, first-time fix, repeat visits, CSAT, breaches and service credits
-- by account, region, engineer and service provider, per month.
--
-- Three layers, each derived from the one before:
--   kpi_incident_base  a view: one row of facts per incident, computed from
--                      the base tables (incidents, sites, sla_clocks,
--                      incident_events, assignments, surveys, escalations,
--                      engineers);
--   incident_facts     the same rows stored, refreshed by triggers on every
--                      base table they come from;
--   kpi_monthly and    additive counters per UTC month and key, kept by
--   kpi_by_*           applying each fact row's change (old contributions
--                      out, new ones in).
-- The KPI query sums counters; the base view stays the definition the
-- store's tests and the benchmark's naive query compare against.

-- Who employs field engineers: the maker's own field service or an
-- authorised partner company.
CREATE TABLE service_providers (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9-]*$'),
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('own', 'partner'))
);

INSERT INTO service_providers (id, code, name, kind) VALUES
    ('5e7a1c00-0000-4000-8000-000000000001', 'AFTERCARE-FS', 'Aftercare Field Service', 'own'),
    ('5e7a1c00-0000-4000-8000-000000000002', 'HUATONG', 'Huatong Technical Services', 'partner'),
    ('5e7a1c00-0000-4000-8000-000000000003', 'PACRIM', 'Pacific Rim IT Support', 'partner'),
    ('5e7a1c00-0000-4000-8000-000000000004', 'NORTHSTAR', 'Northstar Field Engineering', 'partner');

-- Every engineer works for one provider, the maker's own unless a seed or
-- an admin says otherwise.
ALTER TABLE engineers ADD COLUMN provider_id uuid NOT NULL DEFAULT '5e7a1c00-0000-4000-8000-000000000001'
    REFERENCES service_providers (id);
CREATE INDEX engineers_provider_idx ON engineers (provider_id);

-- The facts view looks an incident's assignments up by incident.
CREATE INDEX assignments_incident_idx ON assignments (incident_id, created_at DESC);

-- One incident's facts, computed from the base tables:
--   engineer_id   the engineer of the incident's latest assignment that was
--                 not declined, cancelled or overridden (who did the work);
--   provider_id   that engineer's provider;
--   <clock>_*     each clock's state, stop and deadline;
--   <clock>_credit the service credit its breach earned, in percent of the
--                 monthly fee (escalations.service_credit_percent);
--   resolved_at   when the incident first became resolved;
--   visits        arrivals on site (transitions to on_site from dispatched
--                 or en_route; a return to on_site after waiting on the
--                 customer is no new visit);
--   repeat_visit  another incident was filed for the same asset within 30
--                 days after resolved_at;
--   survey_*      the satisfaction survey's score and when it was answered.
CREATE VIEW kpi_incident_base AS
SELECT i.id AS incident_id, i.account_id, s.region, w.engineer_id, e.provider_id, i.asset_id, i.created_at,
    rc.state AS response_state, rc.stopped_at AS response_stopped_at, rc.deadline AS response_deadline,
    oc.state AS on_site_state, oc.stopped_at AS on_site_stopped_at, oc.deadline AS on_site_deadline,
    xc.state AS restore_state, xc.stopped_at AS restore_stopped_at, xc.deadline AS restore_deadline,
    ev.resolved_at, ev.visits,
    ev.resolved_at IS NOT NULL AND EXISTS (
        SELECT 1 FROM incidents j
        WHERE j.asset_id = i.asset_id AND j.id <> i.id
          AND j.created_at > ev.resolved_at AND j.created_at <= ev.resolved_at + interval '30 days') AS repeat_visit,
    sv.score AS survey_score, sv.answered_at AS survey_answered_at,
    cr.response_credit, cr.on_site_credit, cr.restore_credit
FROM incidents i
JOIN sites s ON s.id = i.site_id
LEFT JOIN sla_clocks rc ON rc.incident_id = i.id AND rc.kind = 'response'
LEFT JOIN sla_clocks oc ON oc.incident_id = i.id AND oc.kind = 'on_site'
LEFT JOIN sla_clocks xc ON xc.incident_id = i.id AND xc.kind = 'restore'
LEFT JOIN LATERAL (
    SELECT x.engineer_id FROM assignments x
    WHERE x.incident_id = i.id AND x.state NOT IN ('declined', 'cancelled', 'overridden')
    ORDER BY x.created_at DESC, x.id DESC LIMIT 1) w ON true
LEFT JOIN engineers e ON e.id = w.engineer_id
CROSS JOIN LATERAL (
    SELECT min(v.at) FILTER (WHERE v.to_status = 'resolved') AS resolved_at,
        count(*) FILTER (WHERE v.to_status = 'on_site' AND v.from_status IN ('dispatched', 'en_route'))::int AS visits
    FROM incident_events v WHERE v.incident_id = i.id AND v.to_status IS NOT NULL) ev
LEFT JOIN surveys sv ON sv.incident_id = i.id AND sv.answered_at IS NOT NULL
CROSS JOIN LATERAL (
    SELECT sum(c.service_credit_percent) FILTER (WHERE c.clock = 'response') AS response_credit,
        sum(c.service_credit_percent) FILTER (WHERE c.clock = 'on_site') AS on_site_credit,
        sum(c.service_credit_percent) FILTER (WHERE c.clock = 'restore') AS restore_credit
    FROM escalations c WHERE c.incident_id = i.id AND c.service_credit_percent IS NOT NULL) cr;

-- The stored facts, one row per incident, with the columns of the view.
CREATE TABLE incident_facts AS SELECT * FROM kpi_incident_base WITH NO DATA;
ALTER TABLE incident_facts ADD PRIMARY KEY (incident_id);
CREATE INDEX incident_facts_asset_idx ON incident_facts (asset_id, resolved_at);
CREATE INDEX incident_facts_engineer_idx ON incident_facts (engineer_id);

-- What one incident adds to the counters of each month: one row per
-- measure, in the month (UTC) of the instant it belongs to.
--   clock attainment (<clock>_met, <clock>_breached)  when the clock stopped;
--   restored, restore_seconds (created → restore stop)  when restore stopped;
--   resolved, visited (≥ 1 visit), first_time_fix (exactly one visit),
--     repeat_visit                                    when resolved;
--   survey_answered, survey_satisfied (score 4–5), survey_score
--                                                     when answered;
--   breach, credit                                    at the breached deadline.
CREATE FUNCTION kpi_contributions(f incident_facts)
RETURNS TABLE (month date, measure text, value double precision)
LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', c.at AT TIME ZONE 'UTC')::date, c.measure, c.value
    FROM (VALUES
        (f.response_stopped_at, 'response_' || f.response_state, 1::float8),
        (f.on_site_stopped_at, 'on_site_' || f.on_site_state, 1),
        (f.restore_stopped_at, 'restore_' || f.restore_state, 1),
        (f.restore_stopped_at, CASE WHEN f.restore_state IN ('met', 'breached') THEN 'restored' END, 1),
        (f.restore_stopped_at, CASE WHEN f.restore_state IN ('met', 'breached') THEN 'restore_seconds' END,
            extract(epoch FROM f.restore_stopped_at - f.created_at)::float8),
        (f.resolved_at, 'resolved', 1),
        (f.resolved_at, CASE WHEN f.visits >= 1 THEN 'visited' END, 1),
        (f.resolved_at, CASE WHEN f.visits = 1 THEN 'first_time_fix' END, 1),
        (f.resolved_at, CASE WHEN f.repeat_visit THEN 'repeat_visit' END, 1),
        (f.survey_answered_at, 'survey_answered', 1),
        (f.survey_answered_at, CASE WHEN f.survey_score >= 4 THEN 'survey_satisfied' END, 1),
        (f.survey_answered_at, 'survey_score', f.survey_score::float8),
        (f.response_deadline, CASE WHEN f.response_state = 'breached' THEN 'breach' END, 1),
        (f.on_site_deadline, CASE WHEN f.on_site_state = 'breached' THEN 'breach' END, 1),
        (f.restore_deadline, CASE WHEN f.restore_state = 'breached' THEN 'breach' END, 1),
        (f.response_deadline, CASE WHEN f.response_credit IS NOT NULL THEN 'credit' END, f.response_credit::float8),
        (f.on_site_deadline, CASE WHEN f.on_site_credit IS NOT NULL THEN 'credit' END, f.on_site_credit::float8),
        (f.restore_deadline, CASE WHEN f.restore_credit IS NOT NULL THEN 'credit' END, f.restore_credit::float8)
    ) AS c (at, measure, value)
    WHERE c.at IS NOT NULL AND c.measure IN ('response_met', 'response_breached', 'on_site_met', 'on_site_breached',
        'restore_met', 'restore_breached', 'restored', 'restore_seconds', 'resolved', 'visited', 'first_time_fix',
        'repeat_visit', 'survey_answered', 'survey_satisfied', 'survey_score', 'breach', 'credit')
$$;

-- The counters, per UTC month and key. Every column but the key is a sum,
-- so a change is applied by adding its difference. kpi_monthly keys by
-- every dimension at once and serves callers scoped to accounts or to an
-- engineer, whose slice is small; with many accounts and engineers it has
-- about a row per incident. The rollups kpi_by_account, kpi_by_engineer and
-- kpi_by_provider key by one dimension and the region, a few rows per key
-- and month, and serve everyone else: directors and admins, and
-- dispatchers by region.
CREATE TABLE kpi_monthly (
    month date NOT NULL,
    account_id uuid NOT NULL,
    region text NOT NULL,
    engineer_id uuid,
    provider_id uuid,
    response_met bigint NOT NULL DEFAULT 0,
    response_breached bigint NOT NULL DEFAULT 0,
    on_site_met bigint NOT NULL DEFAULT 0,
    on_site_breached bigint NOT NULL DEFAULT 0,
    restore_met bigint NOT NULL DEFAULT 0,
    restore_breached bigint NOT NULL DEFAULT 0,
    restored bigint NOT NULL DEFAULT 0,
    restore_seconds double precision NOT NULL DEFAULT 0,
    resolved bigint NOT NULL DEFAULT 0,
    visited bigint NOT NULL DEFAULT 0,
    first_time_fixes bigint NOT NULL DEFAULT 0,
    repeat_visits bigint NOT NULL DEFAULT 0,
    surveys_answered bigint NOT NULL DEFAULT 0,
    surveys_satisfied bigint NOT NULL DEFAULT 0,
    survey_score_sum bigint NOT NULL DEFAULT 0,
    breaches bigint NOT NULL DEFAULT 0,
    credit_percent double precision NOT NULL DEFAULT 0,
    UNIQUE NULLS NOT DISTINCT (month, account_id, region, engineer_id, provider_id)
);
CREATE INDEX kpi_monthly_account_idx ON kpi_monthly (account_id, month);
CREATE INDEX kpi_monthly_engineer_idx ON kpi_monthly (engineer_id, month);

CREATE TABLE kpi_by_account (LIKE kpi_monthly INCLUDING DEFAULTS);
ALTER TABLE kpi_by_account DROP COLUMN engineer_id, DROP COLUMN provider_id,
    ADD UNIQUE (month, account_id, region);
CREATE INDEX kpi_by_account_account_idx ON kpi_by_account (account_id, month);

CREATE TABLE kpi_by_engineer (LIKE kpi_monthly INCLUDING DEFAULTS);
ALTER TABLE kpi_by_engineer DROP COLUMN account_id,
    ADD UNIQUE NULLS NOT DISTINCT (month, engineer_id, provider_id, region);
CREATE INDEX kpi_by_engineer_engineer_idx ON kpi_by_engineer (engineer_id, month);

CREATE TABLE kpi_by_provider (LIKE kpi_monthly INCLUDING DEFAULTS);
ALTER TABLE kpi_by_provider DROP COLUMN account_id, DROP COLUMN engineer_id,
    ADD UNIQUE NULLS NOT DISTINCT (month, provider_id, region);

-- kpi_measures names the counter columns.
CREATE FUNCTION kpi_measures() RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY['response_met', 'response_breached', 'on_site_met', 'on_site_breached', 'restore_met',
        'restore_breached', 'restored', 'restore_seconds', 'resolved', 'visited', 'first_time_fixes', 'repeat_visits',
        'surveys_answered', 'surveys_satisfied', 'survey_score_sum', 'breaches', 'credit_percent']
$$;

-- kpi_merge adds counter rows to a counters table, summed by its key
-- columns, in key order so that concurrent writers lock rows alike.
CREATE FUNCTION kpi_merge(target text, keys text, deltas kpi_monthly[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('INSERT INTO %I AS t (%s, %s) SELECT %s, %s FROM unnest($1) d GROUP BY %s ORDER BY %s '
            'ON CONFLICT (%s) DO UPDATE SET %s',
        target, keys, array_to_string(kpi_measures(), ', '), keys,
        (SELECT string_agg(format('sum(d.%I)', m), ', ') FROM unnest(kpi_measures()) m), keys, keys, keys,
        (SELECT string_agg(format('%I = t.%I + EXCLUDED.%I', m, m, m), ', ') FROM unnest(kpi_measures()) m))
    USING deltas;
END $$;

-- kpi_add adds the contributions of the facts in plus to every counters
-- table and takes away those in minus; keys whose counters do not change
-- are not touched.
CREATE FUNCTION kpi_add(minus incident_facts[], plus incident_facts[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    deltas kpi_monthly[];
BEGIN
    deltas := ARRAY(SELECT s.d FROM (
        SELECT ROW(c.month, (f.fact).account_id, (f.fact).region, (f.fact).engineer_id, (f.fact).provider_id,
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'response_met'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'response_breached'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'on_site_met'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'on_site_breached'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'restore_met'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'restore_breached'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'restored'), 0),
            coalesce(sum(f.sign * c.value) FILTER (WHERE c.measure = 'restore_seconds'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'resolved'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'visited'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'first_time_fix'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'repeat_visit'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'survey_answered'), 0),
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'survey_satisfied'), 0),
            coalesce(sum(f.sign * c.value) FILTER (WHERE c.measure = 'survey_score'), 0)::bigint,
            coalesce(sum(f.sign) FILTER (WHERE c.measure = 'breach'), 0),
            coalesce(sum(f.sign * c.value) FILTER (WHERE c.measure = 'credit'), 0))::kpi_monthly AS d
        FROM (SELECT m::incident_facts AS fact, -1 AS sign FROM unnest(minus) m
              UNION ALL SELECT p::incident_facts, 1 FROM unnest(plus) p) f,
            LATERAL kpi_contributions(f.fact) c
        GROUP BY c.month, (f.fact).account_id, (f.fact).region, (f.fact).engineer_id, (f.fact).provider_id) s
        WHERE EXISTS (SELECT 1 FROM jsonb_each(to_jsonb(s.d)) j
            WHERE j.key = ANY(kpi_measures()) AND (j.value)::text::float8 <> 0));
    IF cardinality(deltas) = 0 THEN
        RETURN;
    END IF;
    PERFORM kpi_merge('kpi_monthly', 'month, account_id, region, engineer_id, provider_id', deltas);
    PERFORM kpi_merge('kpi_by_account', 'month, account_id, region', deltas);
    PERFORM kpi_merge('kpi_by_engineer', 'month, engineer_id, provider_id, region', deltas);
    PERFORM kpi_merge('kpi_by_provider', 'month, provider_id, region', deltas);
END $$;

-- kpi_refresh recomputes the facts of some incidents and moves the monthly
-- counters by the difference. Each incident is locked (an advisory lock,
-- in ID order) before its facts are read, so a concurrent refresh of the
-- same incident waits and then reads what this one committed.
CREATE FUNCTION kpi_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    before incident_facts[];
    after incident_facts[];
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(6010, hashtext(u.id::text)) FROM (SELECT DISTINCT unnest(ids) AS id ORDER BY 1) u;
    before := ARRAY(SELECT f FROM incident_facts f WHERE f.incident_id = ANY(ids));
    DELETE FROM incident_facts WHERE incident_id = ANY(ids);
    INSERT INTO incident_facts SELECT * FROM kpi_incident_base b WHERE b.incident_id = ANY(ids);
    after := ARRAY(SELECT f FROM incident_facts f WHERE f.incident_id = ANY(ids));
    PERFORM kpi_add(before, after);
END $$;

-- kpi_rebuild recomputes every incident's facts and the monthly counters
-- from the base tables, after a bulk load that held the triggers.
CREATE FUNCTION kpi_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE incident_facts, kpi_monthly, kpi_by_account, kpi_by_engineer, kpi_by_provider IN EXCLUSIVE MODE;
    TRUNCATE incident_facts, kpi_monthly, kpi_by_account, kpi_by_engineer, kpi_by_provider;
    INSERT INTO incident_facts SELECT * FROM kpi_incident_base;
    PERFORM kpi_add('{}', array_agg(f)) FROM incident_facts f GROUP BY left(f.incident_id::text, 2);
END $$;

-- The triggers: each base table's statement refreshes the incidents whose
-- facts it may have changed, and no others.
CREATE FUNCTION kpi_follow_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A new incident has facts of its own, and makes earlier incidents
    -- of its asset resolved in the 30 days before it repeat visits.
    PERFORM kpi_refresh(ARRAY(
        SELECT n.id FROM new_rows n
        UNION
        SELECT f.incident_id FROM new_rows n JOIN incident_facts f ON f.asset_id = n.asset_id
        WHERE f.resolved_at >= n.created_at - interval '30 days' AND f.resolved_at < n.created_at));
    RETURN NULL;
END $$;
CREATE TRIGGER incidents_kpi AFTER INSERT ON incidents REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_incidents();

CREATE FUNCTION kpi_follow_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Only arrivals on site and resolutions are facts (visits, resolved_at).
    PERFORM kpi_refresh(ARRAY(SELECT DISTINCT incident_id FROM new_rows WHERE to_status IN ('on_site', 'resolved')));
    RETURN NULL;
END $$;
CREATE TRIGGER incident_events_kpi AFTER INSERT ON incident_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_events();

CREATE FUNCTION kpi_follow_clocks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh(ARRAY(SELECT DISTINCT incident_id FROM new_rows));
    ELSE
        PERFORM kpi_refresh(ARRAY(
            SELECT DISTINCT n.incident_id FROM new_rows n JOIN old_rows o ON o.incident_id = n.incident_id AND o.kind = n.kind
            WHERE (n.state, n.stopped_at, n.deadline) IS DISTINCT FROM (o.state, o.stopped_at, o.deadline)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER sla_clocks_insert_kpi AFTER INSERT ON sla_clocks REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_clocks();
CREATE TRIGGER sla_clocks_update_kpi AFTER UPDATE ON sla_clocks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_clocks();

CREATE FUNCTION kpi_follow_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh(ARRAY(SELECT DISTINCT incident_id FROM new_rows));
    ELSE
        PERFORM kpi_refresh(ARRAY(
            SELECT n.incident_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.state, n.engineer_id, n.incident_id) IS DISTINCT FROM (o.state, o.engineer_id, o.incident_id)
            UNION
            SELECT o.incident_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.incident_id <> o.incident_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER assignments_insert_kpi AFTER INSERT ON assignments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_assignments();
CREATE TRIGGER assignments_update_kpi AFTER UPDATE ON assignments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_assignments();

CREATE FUNCTION kpi_follow_surveys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh(ARRAY(SELECT DISTINCT incident_id FROM new_rows WHERE answered_at IS NOT NULL));
    ELSE
        PERFORM kpi_refresh(ARRAY(
            SELECT DISTINCT n.incident_id FROM new_rows n JOIN old_rows o ON o.incident_id = n.incident_id
            WHERE (n.score, n.answered_at) IS DISTINCT FROM (o.score, o.answered_at)));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER surveys_insert_kpi AFTER INSERT ON surveys REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_surveys();
CREATE TRIGGER surveys_update_kpi AFTER UPDATE ON surveys REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_surveys();

CREATE FUNCTION kpi_follow_escalations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM kpi_refresh(ARRAY(SELECT DISTINCT incident_id FROM new_rows WHERE service_credit_percent IS NOT NULL));
    ELSE
        PERFORM kpi_refresh(ARRAY(
            SELECT DISTINCT n.incident_id FROM new_rows n
            JOIN old_rows o ON (o.incident_id, o.clock, o.level) = (n.incident_id, n.clock, n.level)
            WHERE n.service_credit_percent IS DISTINCT FROM o.service_credit_percent));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER escalations_insert_kpi AFTER INSERT ON escalations REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_escalations();
CREATE TRIGGER escalations_update_kpi AFTER UPDATE ON escalations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_escalations();

-- An engineer who moves to another provider takes their incidents along.
CREATE FUNCTION kpi_follow_engineers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kpi_refresh(ARRAY(
        SELECT f.incident_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN incident_facts f ON f.engineer_id = n.id
        WHERE n.provider_id IS DISTINCT FROM o.provider_id));
    RETURN NULL;
END $$;
CREATE TRIGGER engineers_kpi AFTER UPDATE ON engineers REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kpi_follow_engineers();

-- KPIs are read by everyone who serves or buys service, within their
-- domains (admin and service_director hold them already).
INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'account_manager', 'kpi', 'read'),
    ('p', 'dispatcher', 'kpi', 'read'),
    ('p', 'engineer', 'kpi', 'read'),
    ('p', 'customer_it', 'kpi', 'read');

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = 'kpi';
DROP TRIGGER engineers_kpi ON engineers;
DROP TRIGGER escalations_insert_kpi ON escalations;
DROP TRIGGER escalations_update_kpi ON escalations;
DROP TRIGGER surveys_insert_kpi ON surveys;
DROP TRIGGER surveys_update_kpi ON surveys;
DROP TRIGGER assignments_insert_kpi ON assignments;
DROP TRIGGER assignments_update_kpi ON assignments;
DROP TRIGGER sla_clocks_insert_kpi ON sla_clocks;
DROP TRIGGER sla_clocks_update_kpi ON sla_clocks;
DROP TRIGGER incident_events_kpi ON incident_events;
DROP TRIGGER incidents_kpi ON incidents;
DROP FUNCTION kpi_follow_engineers(), kpi_follow_escalations(), kpi_follow_surveys(), kpi_follow_assignments(),
    kpi_follow_clocks(), kpi_follow_events(), kpi_follow_incidents(), kpi_rebuild(), kpi_refresh(uuid[]),
    kpi_add(incident_facts[], incident_facts[]), kpi_merge(text, text, kpi_monthly[]), kpi_measures(),
    kpi_contributions(incident_facts);
DROP TABLE kpi_by_provider, kpi_by_engineer, kpi_by_account, kpi_monthly, incident_facts;
DROP VIEW kpi_incident_base;
DROP INDEX assignments_incident_idx;
ALTER TABLE engineers DROP COLUMN provider_id;
DROP TABLE service_providers;
