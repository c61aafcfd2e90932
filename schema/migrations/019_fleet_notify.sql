-- The dispatch index of every API and worker process follows the fleet's
-- change feed (013_fleet_feed.sql). So that it follows within moments
-- rather than at its polling interval, every statement that writes
-- engineers or depots announces, at commit, that the feed has moved: a
-- location report, a load change from an assignment, a van's or a depot's
-- stock (their triggers update the engineer or depot row). PostgreSQL
-- sends one notification per transaction however many statements fire it.
CREATE FUNCTION notify_fleet_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('aftercare_fleet', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER engineers_fleet_notify AFTER INSERT OR UPDATE OR DELETE ON engineers
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_change();
CREATE TRIGGER depots_fleet_notify AFTER INSERT OR UPDATE OR DELETE ON depots
    FOR EACH STATEMENT EXECUTE FUNCTION notify_fleet_change();

---- create above / drop below ----

DROP TRIGGER depots_fleet_notify ON depots;
DROP TRIGGER engineers_fleet_notify ON engineers;
DROP FUNCTION notify_fleet_change();
