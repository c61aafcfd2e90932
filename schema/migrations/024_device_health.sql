-- Device health: managed devices (or corporate IT's monitoring) report
-- readings of their components in batches; each batch is assessed for
-- failure risk, and a component whose risk passes the threshold raises a
-- health warning. Where the asset's contract includes proactive monitoring
-- (platinum by default), the warning files an incident by itself with the
-- part it needs named, once per asset and component until that incident is
-- resolved. Corporate IT can dismiss a warning with a reason, which is kept
-- as a label for evaluating the rules.

-- Readings are partitioned by month of taken_at, so they stay fast to
-- write and to read by asset as they grow, and old months are dropped
-- whole (drop_health_reading_partitions). Partitions are created ahead by
-- ensure_health_reading_partitions, which intake calls for the months it
-- writes. Values that do not apply to a component are null.
CREATE TABLE health_readings (
    asset_id uuid NOT NULL,
    taken_at timestamptz NOT NULL,
    kind text NOT NULL CHECK (kind IN ('drive', 'memory', 'psu', 'fan', 'battery')),
    slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 255),
    -- Drive: SMART 5, 187, 188, 197, 198, power-on hours, the drive's
    -- own verdict.
    reallocated integer,
    reported_uncorrectable integer,
    command_timeouts bigint,
    pending integer,
    offline_uncorrectable integer,
    power_on_hours integer,
    smart_failing boolean,
    -- Memory: corrected and uncorrected ECC errors.
    ecc_corrected bigint,
    ecc_uncorrected bigint,
    -- PSU and fan: a reported fault; temperature in °C (any component).
    faulted boolean,
    temperature_c real,
    -- Battery: charge cycles and capacity left in percent of design.
    cycles integer,
    capacity_percent real
) PARTITION BY RANGE (taken_at);
CREATE INDEX health_readings_component_idx ON health_readings (asset_id, kind, slot, taken_at);

-- ensure_health_reading_partitions creates the monthly partitions that
-- cover [from_at, to_at], leaving those that exist.
CREATE FUNCTION ensure_health_reading_partitions(from_at timestamptz, to_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', from_at AT TIME ZONE 'UTC')::date;
BEGIN
    WHILE m <= (to_at AT TIME ZONE 'UTC')::date LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF health_readings FOR VALUES FROM (%L) TO (%L)',
            'health_readings_' || to_char(m, 'YYYY_MM'), m::timestamp AT TIME ZONE 'UTC',
            (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
        m := (m + interval '1 month')::date;
    END LOOP;
END
$$;

-- drop_health_reading_partitions drops the monthly partitions that end at
-- or before before_at, and returns their names.
CREATE FUNCTION drop_health_reading_partitions(before_at timestamptz)
RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    p record;
BEGIN
    FOR p IN
        SELECT c.relname FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class t ON t.oid = i.inhparent
        WHERE t.relname = 'health_readings' AND c.relname ~ '^health_readings_[0-9]{4}_[0-9]{2}$'
          AND (to_date(substr(c.relname, 17), 'YYYY_MM') + interval '1 month')::timestamp AT TIME ZONE 'UTC' <= before_at
        ORDER BY c.relname
    LOOP
        EXECUTE format('DROP TABLE %I', p.relname);
        RETURN NEXT p.relname;
    END LOOP;
END
$$;

SELECT ensure_health_reading_partitions(now() - interval '1 month', now() + interval '1 month');

-- The component a spare part replaces, where it is one readings are taken
-- of: a warning names the part that fits the asset.
ALTER TABLE parts ADD COLUMN component text CHECK (component IN ('drive', 'memory', 'psu', 'fan', 'battery'));
UPDATE parts SET component = CASE
    WHEN description ~* '(SSD|HDD|Drive Pack)' THEN 'drive'
    WHEN description ~* 'DIMM' THEN 'memory'
    WHEN description ~* 'Power Supply' THEN 'psu'
    WHEN description ~* 'Fan' THEN 'fan'
    WHEN description ~* 'Battery' THEN 'battery'
END;

-- Whether a contract includes proactive monitoring; null follows the tier
-- (platinum does).
ALTER TABLE contracts ADD COLUMN proactive_monitoring boolean;

CREATE TABLE health_warnings (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    asset_id uuid NOT NULL REFERENCES assets (id),
    account_id uuid NOT NULL REFERENCES accounts (id),
    kind text NOT NULL CHECK (kind IN ('drive', 'memory', 'psu', 'fan', 'battery')),
    slot smallint NOT NULL CHECK (slot BETWEEN 0 AND 255),
    -- The assessment that raised it: risk 0 to 1 and the readings that
    -- moved, in words.
    score real NOT NULL CHECK (score > 0 AND score <= 1),
    reasons text NOT NULL,
    part_id uuid REFERENCES parts (id),
    -- The proactive incident it filed, when the contract monitors.
    incident_id uuid REFERENCES incidents (id),
    state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved', 'dismissed')),
    raised_at timestamptz NOT NULL DEFAULT now(),
    -- Resolved: the incident it filed was resolved, closed or cancelled.
    resolved_at timestamptz,
    -- Dismissed by corporate IT, with a reason kept as a label.
    dismissed_at timestamptz,
    dismissed_by uuid REFERENCES users (id),
    dismiss_reason text CHECK (length(dismiss_reason) <= 500),
    CHECK ((state = 'resolved') = (resolved_at IS NOT NULL)),
    CHECK ((state = 'dismissed') = (dismissed_at IS NOT NULL AND dismiss_reason IS NOT NULL))
);
-- One open warning per asset and component: the same risk reported again,
-- from any number of concurrent batches, raises nothing new.
CREATE UNIQUE INDEX health_warnings_open_idx ON health_warnings (asset_id, kind, slot) WHERE state = 'open';
CREATE INDEX health_warnings_account_idx ON health_warnings (account_id, id DESC);
CREATE INDEX health_warnings_incident_idx ON health_warnings (incident_id) WHERE incident_id IS NOT NULL;
CREATE INDEX health_warnings_dismissed_idx ON health_warnings (asset_id, kind, slot, dismissed_at)
    WHERE state = 'dismissed';

-- A warning ends when the incident it filed is resolved, closed or
-- cancelled; the component may warn again after.
CREATE FUNCTION resolve_health_warnings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE health_warnings SET state = 'resolved', resolved_at = now()
    WHERE incident_id = NEW.id AND state = 'open';
    RETURN NULL;
END
$$;
CREATE TRIGGER incidents_resolve_health_warnings AFTER UPDATE OF status ON incidents
    FOR EACH ROW WHEN (NEW.status IN ('resolved', 'closed', 'cancelled') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION resolve_health_warnings();

-- A proactive incident is of its own category.
ALTER TABLE incidents DROP CONSTRAINT incidents_category_check,
    ADD CONSTRAINT incidents_category_check CHECK (category IN ('hardware_failure', 'performance', 'software',
        'physical_damage', 'data_loss', 'installation', 'question', 'predicted_failure'));

-- Corporate IT is notified of its devices' warnings.
ALTER TABLE notifications
    DROP CONSTRAINT notifications_of_kind,
    DROP CONSTRAINT notifications_reason_check,
    DROP CONSTRAINT notifications_kind_check,
    ADD COLUMN health_warning_id bigint REFERENCES health_warnings (id),
    ADD UNIQUE (health_warning_id, recipient),
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('escalation', 'stock_alert', 'health_warning')),
    ADD CONSTRAINT notifications_reason_check CHECK (reason IN ('assigned_engineer', 'dispatcher', 'duty_manager',
        'account_manager', 'service_director', 'customer_contact', 'customer_it')),
    ADD CONSTRAINT notifications_of_kind CHECK (CASE kind
        WHEN 'escalation' THEN incident_id IS NOT NULL AND clock IS NOT NULL AND level IS NOT NULL
            AND percent IS NOT NULL AND stock_id IS NULL AND stock_crossing IS NULL AND health_warning_id IS NULL
        WHEN 'stock_alert' THEN incident_id IS NULL AND clock IS NULL AND level IS NULL AND percent IS NULL
            AND stock_id IS NOT NULL AND stock_crossing IS NOT NULL AND health_warning_id IS NULL
        ELSE clock IS NULL AND level IS NULL AND percent IS NULL AND stock_id IS NULL AND stock_crossing IS NULL
            AND health_warning_id IS NOT NULL END);

-- Parts plans read each region's consumption over months.
CREATE INDEX stock_movements_consumption_idx ON stock_movements (at) WHERE kind = 'consumption';

-- Corporate IT reports its devices' health and reads and dismisses their
-- warnings; account managers, dispatchers and directors read them.
-- Dispatchers read their regions' parts plans and apply them.
INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'customer_it', 'health', 'report'),
    ('p', 'customer_it', 'health', 'read'),
    ('p', 'customer_it', 'health', 'dismiss'),
    ('p', 'account_manager', 'health', 'read'),
    ('p', 'dispatcher', 'health', 'read'),
    ('p', 'service_director', 'health', 'read'),
    ('p', 'dispatcher', 'parts_plan', 'read'),
    ('p', 'dispatcher', 'parts_plan', 'apply'),
    ('p', 'service_director', 'parts_plan', 'read')
ON CONFLICT DO NOTHING;

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 IN ('health', 'parts_plan');
DROP INDEX stock_movements_consumption_idx;
DELETE FROM notifications WHERE kind = 'health_warning';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_of_kind,
    DROP CONSTRAINT notifications_reason_check,
    DROP CONSTRAINT notifications_kind_check,
    DROP COLUMN health_warning_id,
    ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('escalation', 'stock_alert')),
    ADD CONSTRAINT notifications_reason_check CHECK (reason IN ('assigned_engineer', 'dispatcher', 'duty_manager',
        'account_manager', 'service_director', 'customer_contact')),
    ADD CONSTRAINT notifications_of_kind CHECK (CASE kind
        WHEN 'escalation' THEN incident_id IS NOT NULL AND clock IS NOT NULL AND level IS NOT NULL
            AND percent IS NOT NULL AND stock_id IS NULL AND stock_crossing IS NULL
        ELSE incident_id IS NULL AND clock IS NULL AND level IS NULL AND percent IS NULL
            AND stock_id IS NOT NULL AND stock_crossing IS NOT NULL END);
ALTER TABLE incidents DROP CONSTRAINT incidents_category_check,
    ADD CONSTRAINT incidents_category_check CHECK (category IN ('hardware_failure', 'performance', 'software',
        'physical_damage', 'data_loss', 'installation', 'question'));
DROP TRIGGER incidents_resolve_health_warnings ON incidents;
DROP FUNCTION resolve_health_warnings();
DROP TABLE health_warnings;
ALTER TABLE contracts DROP COLUMN proactive_monitoring;
ALTER TABLE parts DROP COLUMN component;
DROP FUNCTION drop_health_reading_partitions(timestamptz);
DROP FUNCTION ensure_health_reading_partitions(timestamptz, timestamptz);
DROP TABLE health_readings;
