-- The standard repair flow (DESIGN.md §5): a price list by tier and
-- region that quotes are built from, what a quote records beyond its lines,
-- the repair record (diagnosis, installed parts traced to the stock row they
-- came from, test results, returns of failed parts), survey suppression, and
-- the permissions of the quote, repair and survey fields.

-- Parts that hold customer data: under keep-your-drive they stay with the
-- customer instead of going back to the depot.
ALTER TABLE parts ADD COLUMN is_drive boolean GENERATED ALWAYS AS (description ~* '(\mhdd\M|\mssd\M|\mdrive)') STORED;

-- The standardised price list: one price per part, per hour of labour and
-- per call-out, for each tier and region.
CREATE TABLE price_list (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('part', 'labour', 'call_out')),
    part_id uuid REFERENCES parts (id),
    tier text NOT NULL CHECK (tier IN ('platinum', 'premium', 'standard')),
    region text NOT NULL REFERENCES regions (code),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    CHECK ((kind = 'part') = (part_id IS NOT NULL))
);
CREATE UNIQUE INDEX price_list_entry_idx ON price_list (tier, region, kind, part_id) NULLS NOT DISTINCT;

-- What a quote was priced at and who sent and answered it.
ALTER TABLE quotes
    ADD COLUMN tier text CHECK (tier IN ('platinum', 'premium', 'standard')),
    ADD COLUMN region text REFERENCES regions (code),
    ADD COLUMN created_by uuid REFERENCES users (id),
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN sent_by uuid REFERENCES users (id),
    ADD COLUMN decision_note text NOT NULL DEFAULT '';
-- An incident has at most one quote being prepared or waiting for an answer.
CREATE UNIQUE INDEX quotes_one_open_idx ON quotes (incident_id) WHERE state IN ('draft', 'sent');

-- The engineer's diagnosis of an incident.
CREATE TABLE repair_diagnoses (
    incident_id uuid PRIMARY KEY REFERENCES incidents (id),
    diagnosis text NOT NULL CHECK (length(diagnosis) BETWEEN 1 AND 4000),
    diagnosed_by uuid REFERENCES users (id),
    diagnosed_at timestamptz NOT NULL DEFAULT now()
);

-- Every part installed, traced to the stock row (van or depot) it was
-- consumed from, the reservation it used if any, and the engineer.
CREATE TABLE installed_parts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id),
    part_id uuid NOT NULL REFERENCES parts (id),
    serial_number text NOT NULL CHECK (serial_number ~ '^[A-Z0-9][A-Z0-9-]{2,39}$'),
    stock_id bigint NOT NULL REFERENCES stock (id),
    -- Where the stock row is, copied so the trace never changes.
    depot_id uuid REFERENCES depots (id),
    van_engineer_id uuid REFERENCES engineers (id),
    reservation_id bigint REFERENCES part_reservations (id),
    assignment_id uuid REFERENCES assignments (id),
    engineer_id uuid REFERENCES engineers (id),
    installed_by uuid REFERENCES users (id),
    installed_at timestamptz NOT NULL DEFAULT now(),
    -- The serial of the failed part taken out, '' if none was.
    removed_serial_number text NOT NULL DEFAULT '',
    UNIQUE (part_id, serial_number),
    CHECK ((depot_id IS NULL) <> (van_engineer_id IS NULL))
);
CREATE INDEX installed_parts_incident_idx ON installed_parts (incident_id, id);

-- What becomes of each failed part removed: back to a depot, or kept by the
-- customer under keep-your-drive.
CREATE TABLE part_returns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    installed_part_id bigint NOT NULL UNIQUE REFERENCES installed_parts (id),
    incident_id uuid NOT NULL REFERENCES incidents (id),
    part_id uuid NOT NULL REFERENCES parts (id),
    serial_number text NOT NULL,
    disposition text NOT NULL CHECK (disposition IN ('return_to_depot', 'kept_by_customer')),
    depot_id uuid REFERENCES depots (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((disposition = 'return_to_depot') = (depot_id IS NOT NULL))
);
CREATE INDEX part_returns_incident_idx ON part_returns (incident_id, id);

-- The tests run after a repair; the latest decides whether it may be
-- verified.
CREATE TABLE repair_tests (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id),
    passed boolean NOT NULL,
    notes text NOT NULL DEFAULT '' CHECK (length(notes) <= 4000),
    recorded_by uuid REFERENCES users (id),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX repair_tests_incident_idx ON repair_tests (incident_id, id);

-- surveys.token holds the SHA-256 of the link's token, never the token.
CREATE INDEX surveys_contact_sent_idx ON surveys (lower(contact_email), sent_at);

-- Surveys not sent because the contact had one within seven days.
CREATE TABLE survey_suppressions (
    incident_id uuid PRIMARY KEY REFERENCES incidents (id),
    contact_email text NOT NULL,
    suppressed_at timestamptz NOT NULL,
    -- The incident whose survey the contact had already received.
    because_of uuid NOT NULL REFERENCES incidents (id)
);

INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'account_manager', 'price_list', 'read'),
    ('p', 'dispatcher', 'price_list', 'read'),
    ('p', 'engineer', 'price_list', 'read'),
    ('p', 'customer_it', 'price_list', 'read'),
    ('p', 'account_manager', 'quote', 'read'),
    ('p', 'dispatcher', 'quote', 'read'),
    ('p', 'engineer', 'quote', 'read'),
    ('p', 'customer_it', 'quote', 'read'),
    ('p', 'dispatcher', 'quote', 'write'),
    ('p', 'customer_it', 'quote', 'decide'),
    ('p', 'account_manager', 'repair', 'read'),
    ('p', 'dispatcher', 'repair', 'read'),
    ('p', 'engineer', 'repair', 'read'),
    ('p', 'customer_it', 'repair', 'read'),
    ('p', 'engineer', 'repair', 'write'),
    ('p', 'account_manager', 'survey', 'read'),
    ('p', 'dispatcher', 'survey', 'read'),
    ('p', 'customer_it', 'survey', 'read'),
    ('p', 'customer_it', 'survey', 'answer')
ON CONFLICT DO NOTHING;

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 IN ('price_list', 'quote', 'repair', 'survey');
DROP TABLE survey_suppressions, repair_tests, part_returns, installed_parts, repair_diagnoses, price_list;
DROP INDEX surveys_contact_sent_idx;
DROP INDEX quotes_one_open_idx;
ALTER TABLE quotes DROP COLUMN tier, DROP COLUMN region, DROP COLUMN created_by, DROP COLUMN sent_at,
    DROP COLUMN sent_by, DROP COLUMN decision_note;
ALTER TABLE parts DROP COLUMN is_drive;
