-- A reading is stored once: the same component's reading at the same
-- time, sent again (a retried batch, a device resending what it kept), is
-- accepted and not stored twice. Partitions are made under an advisory
-- lock, so concurrent intakes making the same month do not collide.
DELETE FROM health_readings a USING health_readings b
WHERE a.tableoid = b.tableoid AND a.asset_id = b.asset_id AND a.kind = b.kind AND a.slot = b.slot
  AND a.taken_at = b.taken_at AND a.ctid > b.ctid;
DROP INDEX health_readings_component_idx;
CREATE UNIQUE INDEX health_readings_component_idx ON health_readings (asset_id, kind, slot, taken_at);

CREATE OR REPLACE FUNCTION ensure_health_reading_partitions(from_at timestamptz, to_at timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    m date := date_trunc('month', from_at AT TIME ZONE 'UTC')::date;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('health_readings partitions'));
    WHILE m <= (to_at AT TIME ZONE 'UTC')::date LOOP
        EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF health_readings FOR VALUES FROM (%L) TO (%L)',
            'health_readings_' || to_char(m, 'YYYY_MM'), m::timestamp AT TIME ZONE 'UTC',
            (m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
        m := (m + interval '1 month')::date;
    END LOOP;
END
$$;

---- create above / drop below ----

CREATE OR REPLACE FUNCTION ensure_health_reading_partitions(from_at timestamptz, to_at timestamptz)
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
DROP INDEX health_readings_component_idx;
CREATE INDEX health_readings_component_idx ON health_readings (asset_id, kind, slot, taken_at);
