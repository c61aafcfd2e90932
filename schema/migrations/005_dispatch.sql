-- Dispatch (DESIGN.md §7): what an incident needs, a version on everything
-- the in-memory dispatch index follows, and the permissions of dispatching.

-- The certification level and the parts a repair needs. Filing may name the
-- parts (diagnostics, advance parts replacement); dispatchers may set them.
ALTER TABLE incidents
    ADD COLUMN min_level smallint NOT NULL DEFAULT 1 CHECK (min_level BETWEEN 1 AND 3);

CREATE TABLE incident_parts (
    incident_id uuid NOT NULL REFERENCES incidents (id),
    part_id uuid NOT NULL REFERENCES parts (id),
    quantity integer NOT NULL CHECK (quantity BETWEEN 1 AND 100),
    PRIMARY KEY (incident_id, part_id)
);

-- Every change the dispatch index follows (an engineer's location, skills,
-- shifts or load; van or depot stock) gives the engineer or depot a new
-- version from one sequence, so workers catch up with "version > last seen".
CREATE SEQUENCE fleet_version_seq;
ALTER TABLE engineers ALTER COLUMN version SET DEFAULT nextval('fleet_version_seq');
UPDATE engineers SET version = nextval('fleet_version_seq');
ALTER TABLE depots ADD COLUMN version bigint NOT NULL DEFAULT nextval('fleet_version_seq');
CREATE INDEX engineers_version_idx ON engineers (version);
CREATE INDEX depots_version_idx ON depots (version);

CREATE FUNCTION bump_engineer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('fleet_version_seq');
    RETURN NEW;
END
$$;
CREATE TRIGGER engineers_version BEFORE UPDATE ON engineers
    FOR EACH ROW WHEN (OLD.version = NEW.version) EXECUTE FUNCTION bump_engineer_version();

-- Stock and skills are bumped per statement from transition tables, so that
-- bulk loads (COPY of a million stock rows) bump each engineer or depot once.
CREATE FUNCTION bump_fleet_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'stock' THEN
        UPDATE depots SET version = nextval('fleet_version_seq')
        WHERE id IN (SELECT depot_id FROM changed WHERE depot_id IS NOT NULL);
    END IF;
    UPDATE engineers SET version = nextval('fleet_version_seq')
    WHERE id IN (SELECT engineer_id FROM changed WHERE engineer_id IS NOT NULL);
    RETURN NULL;
END
$$;
CREATE TRIGGER stock_insert_fleet_version AFTER INSERT ON stock REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();
CREATE TRIGGER stock_update_fleet_version AFTER UPDATE ON stock REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();
CREATE TRIGGER stock_delete_fleet_version AFTER DELETE ON stock REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();
CREATE TRIGGER engineer_skills_insert_fleet_version AFTER INSERT ON engineer_skills REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();
CREATE TRIGGER engineer_skills_update_fleet_version AFTER UPDATE ON engineer_skills REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();
CREATE TRIGGER engineer_skills_delete_fleet_version AFTER DELETE ON engineer_skills REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();
CREATE TRIGGER assignments_insert_fleet_version AFTER INSERT ON assignments REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();
CREATE TRIGGER assignments_update_fleet_version AFTER UPDATE ON assignments REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION bump_fleet_version();

INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'dispatcher', 'dispatch', 'read'),
    ('p', 'dispatcher', 'dispatch', 'write'),
    ('p', 'engineer', 'dispatch', 'read'),
    ('p', 'engineer', 'assignment', 'decline'),
    ('p', 'engineer', 'location', 'report')
ON CONFLICT DO NOTHING;

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND (v1 IN ('dispatch', 'location') OR (v1 = 'assignment' AND v2 = 'decline'));
DROP TRIGGER assignments_insert_fleet_version ON assignments;
DROP TRIGGER assignments_update_fleet_version ON assignments;
DROP TRIGGER engineer_skills_insert_fleet_version ON engineer_skills;
DROP TRIGGER engineer_skills_update_fleet_version ON engineer_skills;
DROP TRIGGER engineer_skills_delete_fleet_version ON engineer_skills;
DROP TRIGGER stock_insert_fleet_version ON stock;
DROP TRIGGER stock_update_fleet_version ON stock;
DROP TRIGGER stock_delete_fleet_version ON stock;
DROP FUNCTION bump_fleet_version();
DROP TRIGGER engineers_version ON engineers;
DROP FUNCTION bump_engineer_version();
DROP INDEX engineers_version_idx, depots_version_idx;
ALTER TABLE depots DROP COLUMN version;
ALTER TABLE engineers ALTER COLUMN version SET DEFAULT 1;
DROP SEQUENCE fleet_version_seq;
DROP TABLE incident_parts;
ALTER TABLE incidents DROP COLUMN min_level;
