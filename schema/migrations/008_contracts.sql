-- Contracts and entitlements at work: what an incident's asset was
-- entitled to when it was filed (aftercare.Coverage, written by
-- CreateIncident), each contract's life as its workflow mirrors it
-- (activation, renewal, cancellation, renewal reminders to the account
-- manager), the claims counted against limited entitlements, and the
-- permissions of the contract mutations and the entitlement check.

-- The coverage computed at filing; '{}' for incidents filed before it was
-- recorded.
ALTER TABLE incidents ADD COLUMN coverage jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(coverage) = 'object');

-- activated_at: the contract was signed (activated); a draft so signed
-- becomes active on its start date. renewal_of: the contract this one
-- renews.
ALTER TABLE contracts
    ADD COLUMN activated_at timestamptz,
    ADD COLUMN renewal_of uuid REFERENCES contracts (id),
    ADD COLUMN created_by uuid REFERENCES users (id);
CREATE UNIQUE INDEX contracts_renewal_of_idx ON contracts (renewal_of) WHERE renewal_of IS NOT NULL;

-- Everything that happened to a contract, as its workflow recorded it;
-- the idempotency key makes a retried write apply once.
CREATE TABLE contract_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contract_id uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    kind text NOT NULL,
    from_status text,
    to_status text,
    reason text NOT NULL DEFAULT '',
    actor_id uuid REFERENCES users (id),
    at timestamptz NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    idempotency_key text NOT NULL UNIQUE
);
CREATE INDEX contract_events_contract_idx ON contract_events (contract_id, id);

-- Renewal reminders to the account manager, once per term end and level.
CREATE TABLE contract_reminders (
    contract_id uuid NOT NULL REFERENCES contracts (id) ON DELETE CASCADE,
    ends_on date NOT NULL,
    days_before smallint NOT NULL CHECK (days_before IN (90, 60, 30)),
    due_on date NOT NULL,
    sent_at timestamptz NOT NULL,
    account_manager_id uuid REFERENCES users (id),
    PRIMARY KEY (contract_id, ends_on, days_before)
);

-- Claims against entitlements with an annual limit, one per incident, as
-- the contract's workflow counted them (it holds the counters; this is
-- their mirror, which filing reads to say what is still in force).
CREATE TABLE entitlement_claims (
    contract_id uuid NOT NULL,
    kind text NOT NULL,
    incident_id uuid NOT NULL REFERENCES incidents (id),
    contract_year integer NOT NULL CHECK (contract_year >= 0),
    claimed_at timestamptz NOT NULL,
    PRIMARY KEY (contract_id, kind, incident_id),
    FOREIGN KEY (contract_id, kind) REFERENCES entitlements (contract_id, kind) ON DELETE CASCADE
);
CREATE INDEX entitlement_claims_year_idx ON entitlement_claims (contract_id, contract_year);

INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'account_manager', 'contract', 'manage'),
    ('p', 'account_manager', 'entitlement', 'read'),
    ('p', 'dispatcher', 'entitlement', 'read'),
    ('p', 'customer_it', 'entitlement', 'read');

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND (v1, v2) IN (('contract', 'manage'), ('entitlement', 'read'));
DROP TABLE entitlement_claims, contract_reminders, contract_events;
ALTER TABLE contracts DROP COLUMN activated_at, DROP COLUMN renewal_of, DROP COLUMN created_by;
ALTER TABLE incidents DROP COLUMN coverage;
