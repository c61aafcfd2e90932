-- An engineer's job follows its incident (DESIGN.md §5): every change of
-- the incident moves its active job in the change's own transaction
-- (postgres/job.go, followIncident), and an incident that has ended holds
-- no active job.

-- An ended incident's active job ends as the incident's end ends it:
-- completed when the engineer got on site and the incident was resolved or
-- closed, cancelled otherwise. Every reservation of a job that is not
-- active goes back to the van or depot it was taken from.
WITH ended AS (
    UPDATE assignments x
    SET state = CASE WHEN x.state = 'on_site' AND i.status IN ('resolved', 'closed') THEN 'completed' ELSE 'cancelled' END,
        updated_at = now()
    FROM incidents i
    WHERE i.id = x.incident_id AND i.status IN ('resolved', 'closed', 'cancelled')
      AND x.state IN ('proposed', 'accepted', 'en_route', 'on_site')
    RETURNING x.id),
released AS (
    UPDATE part_reservations r SET state = 'released'
    FROM assignments x
    WHERE x.id = r.assignment_id AND r.state = 'reserved'
      AND (x.state NOT IN ('proposed', 'accepted', 'en_route', 'on_site') OR x.id IN (SELECT id FROM ended))
    RETURNING r.stock_id, r.quantity)
UPDATE stock st SET reserved = st.reserved - r.quantity
FROM (SELECT stock_id, sum(quantity) AS quantity FROM released GROUP BY stock_id) r
WHERE st.id = r.stock_id;

-- The schema holds the rule too: at commit, no incident that is resolved,
-- closed or cancelled holds a job that is proposed, accepted, en route or
-- on site (23514, check_violation, otherwise). It is checked at commit
-- because a change writes the incident's status before it ends the job.
-- An incident holds at most one active job: assignments_one_active_idx
-- (migration 001) is unique over the active ones.
CREATE FUNCTION check_ended_incident_holds_no_job() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    incident uuid;
BEGIN
    IF TG_TABLE_NAME = 'incidents' THEN
        incident := NEW.id;
    ELSE
        incident := NEW.incident_id;
    END IF;
    IF EXISTS (
        SELECT 1 FROM incidents i JOIN assignments x ON x.incident_id = i.id
        WHERE i.id = incident AND i.status IN ('resolved', 'closed', 'cancelled')
          AND x.state IN ('proposed', 'accepted', 'en_route', 'on_site')) THEN
        RAISE EXCEPTION 'incident % has ended but holds an active job', incident USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER assignments_active_on_open_incident AFTER INSERT OR UPDATE OF state ON assignments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.state IN ('proposed', 'accepted', 'en_route', 'on_site'))
    EXECUTE FUNCTION check_ended_incident_holds_no_job();
CREATE CONSTRAINT TRIGGER incidents_end_without_active_job AFTER UPDATE OF status ON incidents
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (NEW.status IN ('resolved', 'closed', 'cancelled'))
    EXECUTE FUNCTION check_ended_incident_holds_no_job();

-- Engineers read and work their own jobs: myJobs, acceptJob, declineJob,
-- departForJob, arriveForJob, completeJob.
INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'engineer', 'job', 'read'),
    ('p', 'engineer', 'job', 'work')
ON CONFLICT DO NOTHING;

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND v0 = 'engineer' AND v1 = 'job';
DROP TRIGGER incidents_end_without_active_job ON incidents;
DROP TRIGGER assignments_active_on_open_incident ON assignments;
DROP FUNCTION check_ended_incident_holds_no_job();
