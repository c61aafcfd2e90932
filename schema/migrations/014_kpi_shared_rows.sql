-- Two of an incident's facts (migration 010) are read from rows that other
-- writers change:
--   repeat_visit  from the other incidents of its asset: filing one makes
--                 earlier incidents of the asset resolved in the 30 days
--                 before it repeat visits;
--   provider_id   from its engineer's row: moving an engineer to another
--                 provider moves the engineer's incidents.
-- Each side reads the other under READ COMMITTED, so two transactions that
-- write both sides at once would each read the other's side as it was and
-- neither would refresh the facts the other changed. The writers of each
-- pair are therefore serialised on an advisory lock of the row they share,
-- taken in a statement of its own before the other side is read: the one
-- that waits then reads, in a new snapshot, what the other committed.
--   6011, asset     held shared by every refresh of an incident of the
--                   asset, and exclusively by filing an incident for it;
--   6012, engineer  held shared by a change of an incident's assignments
--                   for every engineer ever assigned to the incident (the
--                   one its facts name afterwards is among them), and
--                   exclusively by a change of the engineer's provider.
--                   One statement may move thousands of engineers (a
--                   partner's whole staff; the seed gives a third of all
--                   engineers a partner), so engineers share 1024 locks
--                   by hash: a transaction holds at most that many.
-- Locks are taken engineer, asset, incident (6010), each kind in key order.

-- kpi_lock takes the transaction's advisory locks of one kind (space) on
-- the given rows, or on the given number of buckets they hash into,
-- shared or exclusive, in key order.
CREATE FUNCTION kpi_lock(space integer, ids uuid[], exclusive boolean, buckets integer DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    keys integer[];
BEGIN
    keys := ARRAY(SELECT DISTINCT CASE WHEN buckets IS NULL THEN h ELSE abs(h % buckets) END
        FROM unnest(ids) u (id), hashtext(u.id::text) h WHERE u.id IS NOT NULL ORDER BY 1);
    IF exclusive THEN
        PERFORM pg_advisory_xact_lock(space, k) FROM unnest(keys) k;
    ELSE
        PERFORM pg_advisory_xact_lock_shared(space, k) FROM unnest(keys) k;
    END IF;
END $$;

-- kpi_refresh recomputes the facts of some incidents and moves the monthly
-- counters by the difference. It holds their assets' locks shared, then
-- each incident's lock, before it reads: a concurrent refresh of the same
-- incident, or a filing for the same asset, waits, and one that went first
-- has committed what this one reads.
CREATE OR REPLACE FUNCTION kpi_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    before incident_facts[];
    after incident_facts[];
BEGIN
    IF coalesce(cardinality(ids), 0) = 0 THEN
        RETURN;
    END IF;
    PERFORM kpi_lock(6011, ARRAY(SELECT i.asset_id FROM incidents i WHERE i.id = ANY(ids)), false);
    PERFORM kpi_lock(6010, ids, true);
    before := ARRAY(SELECT f FROM incident_facts f WHERE f.incident_id = ANY(ids));
    DELETE FROM incident_facts WHERE incident_id = ANY(ids);
    INSERT INTO incident_facts SELECT * FROM kpi_incident_base b WHERE b.incident_id = ANY(ids);
    after := ARRAY(SELECT f FROM incident_facts f WHERE f.incident_id = ANY(ids));
    PERFORM kpi_add(before, after);
END $$;

CREATE OR REPLACE FUNCTION kpi_follow_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A new incident has facts of its own, and makes earlier incidents
    -- of its asset resolved in the 30 days before it repeat visits. Their
    -- facts are read once every refresh of the asset's incidents under
    -- way has committed, and later ones wait for this filing.
    PERFORM kpi_lock(6011, ARRAY(SELECT n.asset_id FROM new_rows n), true);
    PERFORM kpi_refresh(ARRAY(
        SELECT n.id FROM new_rows n
        UNION
        SELECT f.incident_id FROM new_rows n JOIN incident_facts f ON f.asset_id = n.asset_id
        WHERE f.resolved_at >= n.created_at - interval '30 days' AND f.resolved_at < n.created_at));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION kpi_follow_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids uuid[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT incident_id FROM new_rows);
    ELSE
        ids := ARRAY(
            SELECT n.incident_id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.state, n.engineer_id, n.incident_id) IS DISTINCT FROM (o.state, o.engineer_id, o.incident_id)
            UNION
            SELECT o.incident_id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.incident_id <> o.incident_id);
    END IF;
    -- The incidents' facts may name any engineer ever assigned to them,
    -- with that engineer's provider as it stands: a provider change under
    -- way commits first, and one that starts later waits for these facts.
    PERFORM kpi_lock(6012, ARRAY(SELECT a.engineer_id FROM assignments a WHERE a.incident_id = ANY(ids)), false, 1024);
    PERFORM kpi_refresh(ids);
    RETURN NULL;
END $$;

-- An engineer who moves to another provider takes their incidents along:
-- those whose facts name the engineer once every change of assignments
-- that may name the engineer has committed.
CREATE OR REPLACE FUNCTION kpi_follow_engineers() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved uuid[];
BEGIN
    moved := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.provider_id IS DISTINCT FROM o.provider_id);
    IF cardinality(moved) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM kpi_lock(6012, moved, true, 1024);
    PERFORM kpi_refresh(ARRAY(SELECT f.incident_id FROM incident_facts f WHERE f.engineer_id = ANY(moved)));
    RETURN NULL;
END $$;

---- create above / drop below ----

CREATE OR REPLACE FUNCTION kpi_follow_engineers() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kpi_refresh(ARRAY(
        SELECT f.incident_id FROM new_rows n JOIN old_rows o ON o.id = n.id
        JOIN incident_facts f ON f.engineer_id = n.id
        WHERE n.provider_id IS DISTINCT FROM o.provider_id));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION kpi_follow_assignments() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION kpi_follow_incidents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kpi_refresh(ARRAY(
        SELECT n.id FROM new_rows n
        UNION
        SELECT f.incident_id FROM new_rows n JOIN incident_facts f ON f.asset_id = n.asset_id
        WHERE f.resolved_at >= n.created_at - interval '30 days' AND f.resolved_at < n.created_at));
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION kpi_refresh(ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
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

DROP FUNCTION kpi_lock(integer, uuid[], boolean, integer);
