-- The fleet's change feed (DESIGN.md §7) follows commits, not versions. A
-- version is drawn from fleet_version_seq when a statement runs, so a
-- transaction holding version v can commit after v + 1 has been read:
-- "version > last seen" would pass it over. Every engineer and depot row
-- therefore also records the transaction that last wrote it (fleet_xid),
-- and a reader of the feed continues from the snapshot it last read in:
-- the transactions that snapshot did not see are those at or above its
-- xmax and those in its list of transactions in progress, and the rows
-- they wrote are exactly those to read next (postgres/dispatch.go).
-- Version stays: it orders the committed states of one row, so a reader
-- keeps the newest it has been given.

-- Rows written before this migration carry xid 0, below every snapshot.
ALTER TABLE engineers ADD COLUMN fleet_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE engineers ALTER COLUMN fleet_xid SET DEFAULT pg_current_xact_id();
ALTER TABLE depots ADD COLUMN fleet_xid xid8 NOT NULL DEFAULT '0';
ALTER TABLE depots ALTER COLUMN fleet_xid SET DEFAULT pg_current_xact_id();

-- The feed reads by fleet_xid; nothing reads by version any more, and an
-- index on it would only cost every location report.
DROP INDEX engineers_version_idx, depots_version_idx;
CREATE INDEX engineers_fleet_xid_idx ON engineers (fleet_xid);
CREATE INDEX depots_fleet_xid_idx ON depots (fleet_xid);

-- Every update of an engineer or depot, whoever makes it, takes a new
-- version unless it sets one (the stock, skills and assignments triggers
-- of 005_dispatch.sql do) and records its transaction: a depot moved or
-- renamed is followed like an engineer.
CREATE FUNCTION stamp_fleet_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version = OLD.version THEN
        NEW.version := nextval('fleet_version_seq');
    END IF;
    NEW.fleet_xid := pg_current_xact_id();
    RETURN NEW;
END
$$;
DROP TRIGGER engineers_version ON engineers;
DROP FUNCTION bump_engineer_version();
CREATE TRIGGER engineers_fleet_change BEFORE UPDATE ON engineers
    FOR EACH ROW EXECUTE FUNCTION stamp_fleet_change();
CREATE TRIGGER depots_fleet_change BEFORE UPDATE ON depots
    FOR EACH ROW EXECUTE FUNCTION stamp_fleet_change();

---- create above / drop below ----

DROP TRIGGER depots_fleet_change ON depots;
DROP TRIGGER engineers_fleet_change ON engineers;
DROP FUNCTION stamp_fleet_change();
CREATE FUNCTION bump_engineer_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := nextval('fleet_version_seq');
    RETURN NEW;
END
$$;
CREATE TRIGGER engineers_version BEFORE UPDATE ON engineers
    FOR EACH ROW WHEN (OLD.version = NEW.version) EXECUTE FUNCTION bump_engineer_version();
DROP INDEX engineers_fleet_xid_idx, depots_fleet_xid_idx;
CREATE INDEX engineers_version_idx ON engineers (version);
CREATE INDEX depots_version_idx ON depots (version);
ALTER TABLE depots DROP COLUMN fleet_xid;
ALTER TABLE engineers DROP COLUMN fleet_xid;
