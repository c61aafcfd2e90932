-- Master data through the API (README, "Master data"): what an
-- administrator needs to bring a customer, site, asset, engineer, depot,
-- authorised service provider or part into service without SQL or the
-- seed, and what dispatch needs to follow it.

-- The service regions: China's seven customary regions and one for every
-- place abroad. The city list the product ships (data/cities.csv) names
-- the region of each city, and new sites and depots are placed in the
-- region of the nearest listed city of their country (package territory),
-- so the regions ship with the product, not with the demo data.
INSERT INTO regions (code, name) VALUES
    ('north', 'North China'),
    ('northeast', 'Northeast China'),
    ('east', 'East China'),
    ('south', 'South China'),
    ('central', 'Central China'),
    ('southwest', 'Southwest China'),
    ('northwest', 'Northwest China'),
    ('intl', 'International')
ON CONFLICT (code) DO NOTHING;

-- A depot's country places it in a region as a site's does; depots
-- loaded before it have none.
ALTER TABLE depots ADD COLUMN country text CHECK (country ~ '^[A-Z]{2}$');

-- A certification is valid through its expiry date in the engineer's time
-- zone; from the next local midnight the engineer no longer qualifies on
-- the product line (dispatch's certification_expired). NULL never expires.
-- The skills triggers of 005_dispatch.sql stamp the engineer, so a new or
-- renewed expiry reaches the dispatch index like any other skill change.
ALTER TABLE engineer_skills ADD COLUMN expires_on date;

-- Authorised service providers (授权服务中心): the region a partner is
-- authorised in (NULL: every region, as the maker's own field service) and
-- where the authorisation stands. Only an active provider's engineers are
-- dispatched; suspended may become active again; terminated is final.
ALTER TABLE service_providers
    ADD COLUMN region text REFERENCES regions (code),
    ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'terminated')),
    ADD COLUMN status_changed_at timestamptz,
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT now();

-- A provider's status decides whether its engineers are dispatched, so a
-- change of status is a change of each of its engineers for the fleet's
-- change feed: their rows take a new version and this transaction's xid
-- (stamp_fleet_change, 013_fleet_feed.sql).
CREATE FUNCTION providers_fleet_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE engineers SET version = nextval('fleet_version_seq') WHERE provider_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER service_providers_fleet_change AFTER UPDATE OF status ON service_providers
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION providers_fleet_change();

-- An account's managers are found by their role assignments in its domain.
CREATE INDEX casbin_rule_domain_idx ON casbin_rule (v2, v1) WHERE ptype = 'g';

-- Admins hold every permission already ('*', '*'). Account managers keep
-- the sites and assets of their own accounts (the store scopes the writes
-- to the accounts of their domains) and put assets under their contracts
-- (contract manage, 008_contracts.sql); they, dispatchers and engineers read
-- the product lines; dispatchers and engineers read the service providers
-- whose engineers they work with.
INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'account_manager', 'site', 'write'),
    ('p', 'account_manager', 'asset', 'write'),
    ('p', 'account_manager', 'product_line', 'read'),
    ('p', 'dispatcher', 'product_line', 'read'),
    ('p', 'dispatcher', 'provider', 'read'),
    ('p', 'engineer', 'product_line', 'read'),
    ('p', 'engineer', 'provider', 'read')
ON CONFLICT DO NOTHING;

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND (v0, v1, v2) IN (('account_manager', 'site', 'write'),
    ('account_manager', 'asset', 'write'), ('account_manager', 'product_line', 'read'),
    ('dispatcher', 'product_line', 'read'), ('dispatcher', 'provider', 'read'), ('engineer', 'product_line', 'read'),
    ('engineer', 'provider', 'read'));
DROP INDEX casbin_rule_domain_idx;
DROP TRIGGER service_providers_fleet_change ON service_providers;
DROP FUNCTION providers_fleet_change();
ALTER TABLE service_providers DROP COLUMN region, DROP COLUMN status, DROP COLUMN status_changed_at, DROP COLUMN created_at;
ALTER TABLE engineer_skills DROP COLUMN expires_on;
ALTER TABLE depots DROP COLUMN country;
-- The regions stay: sites, depots and engineers refer to them.
