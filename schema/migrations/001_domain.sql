-- The whole domain of DESIGN.md §3: who the customers are, what they own and
-- buy, who serves them, the incidents, their clocks, and the bookkeeping
-- (audit and outbox) that keeps PostgreSQL and Temporal consistent.

CREATE TABLE regions (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name text NOT NULL
);

CREATE TABLE product_lines (
    code text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]*$'),
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('pc', 'server', 'storage'))
);

CREATE TABLE accounts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]*$'),
    display_name text NOT NULL,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'service_director', 'account_manager', 'dispatcher', 'engineer', 'customer_it')),
    account_id uuid REFERENCES accounts (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    disabled_at timestamptz,
    CHECK ((role = 'customer_it') = (account_id IS NOT NULL))
);

CREATE TABLE sites (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES accounts (id),
    name text NOT NULL,
    address text NOT NULL,
    city text NOT NULL,
    country text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    region text NOT NULL REFERENCES regions (code),
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    time_zone text NOT NULL CHECK (time_zone <> ''),
    UNIQUE (account_id, name)
);
CREATE INDEX sites_region_idx ON sites (region);

CREATE TABLE assets (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    account_id uuid NOT NULL REFERENCES accounts (id),
    site_id uuid NOT NULL REFERENCES sites (id),
    serial_number text NOT NULL UNIQUE CHECK (serial_number ~ '^[A-Z0-9][A-Z0-9-]{3,39}$'),
    product_line text NOT NULL REFERENCES product_lines (code),
    model text NOT NULL,
    shipped_on date NOT NULL,
    warranty_ends_on date NOT NULL CHECK (warranty_ends_on >= shipped_on)
);
CREATE INDEX assets_account_idx ON assets (account_id);
CREATE INDEX assets_site_idx ON assets (site_id);

CREATE TABLE contracts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number text NOT NULL UNIQUE,
    account_id uuid NOT NULL REFERENCES accounts (id),
    tier text NOT NULL CHECK (tier IN ('platinum', 'premium', 'standard')),
    status text NOT NULL CHECK (status IN ('draft', 'active', 'expiring', 'renewed', 'expired', 'cancelled')),
    starts_on date NOT NULL,
    ends_on date NOT NULL CHECK (ends_on > starts_on),
    account_manager_id uuid REFERENCES users (id),
    -- Service credits as a percentage of the monthly fee per breached
    -- committed time, capped per month; NULL where the contract has none.
    credit_percent_per_breach numeric(5, 2) CHECK (credit_percent_per_breach BETWEEN 0 AND 100),
    credit_cap_percent numeric(5, 2) CHECK (credit_cap_percent BETWEEN 0 AND 100),
    -- Per-contract overrides of the tier's SLA targets, keyed "P1.response".
    sla_overrides jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(sla_overrides) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contracts_account_idx ON contracts (account_id);
CREATE INDEX contracts_manager_idx ON contracts (account_manager_id);

CREATE TABLE contract_assets (
    contract_id uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    asset_id uuid NOT NULL REFERENCES assets (id),
    PRIMARY KEY (contract_id, asset_id)
);
CREATE INDEX contract_assets_asset_idx ON contract_assets (asset_id);

CREATE TABLE entitlements (
    contract_id uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('on_site', 'advance_parts_replacement', 'accidental_damage_protection',
        'keep_your_drive', 'sealed_battery', 'data_recovery', 'extended_warranty')),
    -- Claims allowed per contract year; NULL is unlimited.
    annual_limit integer CHECK (annual_limit > 0),
    -- For extended_warranty: the date the warranty is extended to.
    extends_to date,
    PRIMARY KEY (contract_id, kind),
    CHECK ((kind = 'extended_warranty') = (extends_to IS NOT NULL))
);

CREATE TABLE depots (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    city text NOT NULL,
    region text NOT NULL REFERENCES regions (code),
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    time_zone text NOT NULL CHECK (time_zone <> '')
);

CREATE TABLE engineers (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code text NOT NULL UNIQUE,
    name text NOT NULL,
    user_id uuid UNIQUE REFERENCES users (id),
    region text NOT NULL REFERENCES regions (code),
    home_depot_id uuid NOT NULL REFERENCES depots (id),
    -- The highest tier the engineer is cleared for; clearance for a tier
    -- includes every less demanding one.
    tier_clearance text NOT NULL CHECK (tier_clearance IN ('platinum', 'premium', 'standard')),
    capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 20),
    time_zone text NOT NULL CHECK (time_zone <> ''),
    -- Weekly shift windows in the engineer's zone:
    -- [{"day": 1, "start": "08:00", "end": "20:00"}, ...], day 0 = Sunday.
    shifts jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(shifts) = 'array'),
    lat double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lng double precision NOT NULL CHECK (lng BETWEEN -180 AND 180),
    located_at timestamptz NOT NULL DEFAULT now(),
    -- Bumped on every change that dispatch indexes (location, skills, stock,
    -- load), so workers can follow changes by version.
    version bigint NOT NULL DEFAULT 1
);
CREATE INDEX engineers_region_idx ON engineers (region);

CREATE TABLE engineer_skills (
    engineer_id uuid NOT NULL REFERENCES engineers (id) ON DELETE CASCADE,
    product_line text NOT NULL REFERENCES product_lines (code),
    level smallint NOT NULL CHECK (level BETWEEN 1 AND 3),
    PRIMARY KEY (engineer_id, product_line)
);

CREATE TABLE parts (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    fru text NOT NULL UNIQUE CHECK (fru ~ '^[A-Z0-9]{5,12}$'),
    description text NOT NULL,
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$')
);

CREATE TABLE part_product_lines (
    part_id uuid NOT NULL REFERENCES parts (id) ON DELETE CASCADE,
    product_line text NOT NULL REFERENCES product_lines (code),
    PRIMARY KEY (part_id, product_line)
);
CREATE INDEX part_product_lines_line_idx ON part_product_lines (product_line);

-- Stock of one part at one place: a depot or an engineer's van.
CREATE TABLE stock (
    id bigserial PRIMARY KEY,
    part_id uuid NOT NULL REFERENCES parts (id),
    depot_id uuid REFERENCES depots (id),
    engineer_id uuid REFERENCES engineers (id),
    on_hand integer NOT NULL CHECK (on_hand >= 0),
    reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0 AND reserved <= on_hand),
    CHECK ((depot_id IS NULL) <> (engineer_id IS NULL))
);
CREATE UNIQUE INDEX stock_depot_part_idx ON stock (depot_id, part_id) WHERE depot_id IS NOT NULL;
CREATE UNIQUE INDEX stock_van_part_idx ON stock (engineer_id, part_id) WHERE engineer_id IS NOT NULL;
CREATE INDEX stock_part_idx ON stock (part_id);

CREATE TABLE incidents (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    account_id uuid NOT NULL REFERENCES accounts (id),
    site_id uuid NOT NULL REFERENCES sites (id),
    asset_id uuid NOT NULL REFERENCES assets (id),
    contract_id uuid REFERENCES contracts (id),
    -- The tier the incident is served at: the contract's, or standard
    -- under base warranty.
    tier text NOT NULL CHECK (tier IN ('platinum', 'premium', 'standard')),
    priority text NOT NULL CHECK (priority IN ('P1', 'P2', 'P3', 'P4')),
    category text NOT NULL CHECK (category IN ('hardware_failure', 'performance', 'software', 'physical_damage',
        'data_loss', 'installation', 'question')),
    symptoms text NOT NULL CHECK (length(symptoms) BETWEEN 1 AND 4000),
    status text NOT NULL CHECK (status IN ('new', 'triaged', 'quoted', 'approved', 'dispatched', 'en_route',
        'on_site', 'repaired', 'verified', 'resolved', 'closed', 'awaiting_customer', 'cancelled')),
    contact_name text NOT NULL,
    contact_email text NOT NULL,
    contact_phone text NOT NULL DEFAULT '',
    client_request_id text NOT NULL CHECK (length(client_request_id) BETWEEN 1 AND 200),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    workflow_id text NOT NULL UNIQUE,
    workflow_started_at timestamptz,
    UNIQUE (account_id, client_request_id)
);
CREATE INDEX incidents_account_number_idx ON incidents (account_id, number DESC);
CREATE INDEX incidents_status_idx ON incidents (status, number DESC);
CREATE INDEX incidents_site_idx ON incidents (site_id);
CREATE INDEX incidents_asset_idx ON incidents (asset_id);

-- Everything that happened to an incident: lifecycle transitions, pauses and
-- resumes of clocks (with who and why), priority changes. SLA state can be
-- recomputed from these rows.
CREATE TABLE incident_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id uuid NOT NULL REFERENCES incidents (id),
    kind text NOT NULL,
    from_status text,
    to_status text,
    reason text NOT NULL DEFAULT '',
    actor_id uuid REFERENCES users (id),
    at timestamptz NOT NULL DEFAULT now(),
    data jsonb NOT NULL DEFAULT '{}',
    -- Set by activities so a retried write is applied once.
    idempotency_key text UNIQUE
);
CREATE INDEX incident_events_incident_idx ON incident_events (incident_id, id);

CREATE TABLE sla_clocks (
    incident_id uuid NOT NULL REFERENCES incidents (id),
    kind text NOT NULL CHECK (kind IN ('response', 'on_site', 'restore')),
    target text NOT NULL,
    started_at timestamptz NOT NULL,
    deadline timestamptz NOT NULL,
    paused_seconds bigint NOT NULL DEFAULT 0 CHECK (paused_seconds >= 0),
    state text NOT NULL CHECK (state IN ('running', 'paused', 'met', 'breached')),
    stopped_at timestamptz,
    PRIMARY KEY (incident_id, kind)
);
CREATE INDEX sla_clocks_open_deadline_idx ON sla_clocks (deadline) WHERE state IN ('running', 'paused');

CREATE TABLE escalations (
    incident_id uuid NOT NULL,
    clock text NOT NULL,
    level smallint NOT NULL CHECK (level BETWEEN 1 AND 100),
    percent smallint NOT NULL CHECK (percent BETWEEN 1 AND 100),
    due_at timestamptz NOT NULL,
    fired_at timestamptz NOT NULL,
    notified text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (incident_id, clock, level),
    FOREIGN KEY (incident_id, clock) REFERENCES sla_clocks (incident_id, kind)
);

CREATE TABLE assignments (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id uuid NOT NULL REFERENCES incidents (id),
    engineer_id uuid NOT NULL REFERENCES engineers (id),
    state text NOT NULL CHECK (state IN ('proposed', 'accepted', 'en_route', 'on_site', 'completed', 'declined',
        'cancelled', 'overridden')),
    eta timestamptz NOT NULL,
    distance_km double precision NOT NULL CHECK (distance_km >= 0),
    -- The ranked candidates and the rejections behind the decision.
    decision jsonb NOT NULL DEFAULT '{}',
    override_reason text,
    decided_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX assignments_one_active_idx ON assignments (incident_id)
    WHERE state IN ('proposed', 'accepted', 'en_route', 'on_site');
CREATE INDEX assignments_engineer_active_idx ON assignments (engineer_id)
    WHERE state IN ('proposed', 'accepted', 'en_route', 'on_site');

CREATE TABLE part_reservations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id uuid NOT NULL REFERENCES assignments (id),
    stock_id bigint NOT NULL REFERENCES stock (id),
    quantity integer NOT NULL CHECK (quantity > 0),
    state text NOT NULL CHECK (state IN ('reserved', 'consumed', 'released')),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX part_reservations_assignment_idx ON part_reservations (assignment_id);

CREATE TABLE quotes (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id uuid NOT NULL REFERENCES incidents (id),
    state text NOT NULL CHECK (state IN ('draft', 'sent', 'approved', 'rejected', 'expired')),
    currency text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    decided_at timestamptz,
    decided_by uuid REFERENCES users (id)
);
CREATE INDEX quotes_incident_idx ON quotes (incident_id);

CREATE TABLE quote_lines (
    quote_id uuid NOT NULL REFERENCES quotes (id) ON DELETE CASCADE,
    line smallint NOT NULL CHECK (line > 0),
    kind text NOT NULL CHECK (kind IN ('part', 'labour', 'call_out')),
    part_id uuid REFERENCES parts (id),
    description text NOT NULL,
    quantity numeric(10, 2) NOT NULL CHECK (quantity > 0),
    unit_price numeric(12, 2) NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (quote_id, line),
    CHECK ((kind = 'part') = (part_id IS NOT NULL))
);

CREATE TABLE surveys (
    incident_id uuid PRIMARY KEY REFERENCES incidents (id),
    token text NOT NULL UNIQUE,
    contact_email text NOT NULL,
    sent_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL CHECK (expires_at > sent_at),
    score smallint CHECK (score BETWEEN 1 AND 5),
    comment text,
    answered_at timestamptz,
    CHECK ((score IS NULL) = (answered_at IS NULL))
);

CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor_id uuid REFERENCES users (id),
    actor_role text NOT NULL,
    action text NOT NULL,
    object_type text NOT NULL,
    object_id text NOT NULL,
    before jsonb,
    after jsonb,
    request_id text NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_object_idx ON audit_events (object_type, object_id, id);
CREATE INDEX audit_events_at_idx ON audit_events (at);

-- Messages written in the same transaction as the change they announce and
-- delivered afterwards (workflow starts, webhooks), at least once, keyed so
-- that delivery is idempotent.
CREATE TABLE outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic text NOT NULL,
    key text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    delivered_at timestamptz,
    UNIQUE (topic, key)
);
CREATE INDEX outbox_pending_idx ON outbox (topic, available_at) WHERE delivered_at IS NULL;

---- create above / drop below ----

DROP TABLE outbox, audit_events, surveys, quote_lines, quotes, part_reservations, assignments, escalations,
    sla_clocks, incident_events, incidents, stock, part_product_lines, parts, engineer_skills, engineers, depots,
    entitlements, contract_assets, contracts, assets, sites, users, accounts, product_lines, regions;
