-- What an engineer may see follows from their assignments. Each assignment
-- carries its incident's account, site and asset (copied by a trigger, as
-- they never change for an incident) so that scoping an engineer's reads of
-- any of those nouns is one indexed join.
ALTER TABLE assignments
    ADD COLUMN account_id uuid REFERENCES accounts (id),
    ADD COLUMN site_id uuid REFERENCES sites (id),
    ADD COLUMN asset_id uuid REFERENCES assets (id);

UPDATE assignments x SET account_id = i.account_id, site_id = i.site_id, asset_id = i.asset_id
FROM incidents i WHERE i.id = x.incident_id;

ALTER TABLE assignments
    ALTER COLUMN account_id SET NOT NULL,
    ALTER COLUMN site_id SET NOT NULL,
    ALTER COLUMN asset_id SET NOT NULL;

CREATE FUNCTION assignments_copy_incident() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT i.account_id, i.site_id, i.asset_id INTO NEW.account_id, NEW.site_id, NEW.asset_id
    FROM incidents i WHERE i.id = NEW.incident_id;
    RETURN NEW;
END
$$;

CREATE TRIGGER assignments_copy_incident BEFORE INSERT OR UPDATE OF incident_id ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignments_copy_incident();

CREATE INDEX assignments_engineer_incident_idx ON assignments (engineer_id, incident_id);
CREATE INDEX assignments_engineer_site_idx ON assignments (engineer_id, site_id);
CREATE INDEX assignments_engineer_asset_idx ON assignments (engineer_id, asset_id);
CREATE INDEX assignments_engineer_account_idx ON assignments (engineer_id, account_id);

---- create above / drop below ----

DROP TRIGGER assignments_copy_incident ON assignments;
DROP FUNCTION assignments_copy_incident();
DROP INDEX assignments_engineer_incident_idx, assignments_engineer_site_idx, assignments_engineer_asset_idx,
    assignments_engineer_account_idx;
ALTER TABLE assignments DROP COLUMN account_id, DROP COLUMN site_id, DROP COLUMN asset_id;
