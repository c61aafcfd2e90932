-- Access control (DESIGN.md §8): casbin policies and role assignments, API
-- keys for corporate IT systems.

-- casbin rules. p rules give a role an action on an object type:
--   ('p', role, object, action); '*' matches any object or action.
-- g rules give a subject a role in a domain:
--   ('g', 'user:<id>', role, domain) with domain '*' (everything),
--   'account:<id>', 'region:<code>' or 'engineer:<id>'.
CREATE TABLE casbin_rule (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ptype text NOT NULL CHECK (ptype IN ('p', 'g')),
    v0 text NOT NULL,
    v1 text NOT NULL,
    v2 text NOT NULL,
    v3 text NOT NULL DEFAULT '',
    UNIQUE (ptype, v0, v1, v2, v3),
    CHECK (ptype <> 'g' OR v2 = '*' OR v2 ~ '^(account|region|engineer):.+$')
);
CREATE INDEX casbin_rule_subject_idx ON casbin_rule (v0) WHERE ptype = 'g';

INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'admin', '*', '*'),
    ('p', 'service_director', '*', 'read'),
    ('p', 'account_manager', 'profile', 'read'),
    ('p', 'account_manager', 'account', 'read'),
    ('p', 'account_manager', 'site', 'read'),
    ('p', 'account_manager', 'asset', 'read'),
    ('p', 'account_manager', 'contract', 'read'),
    ('p', 'account_manager', 'incident', 'read'),
    ('p', 'account_manager', 'incident', 'create'),
    ('p', 'account_manager', 'part', 'read'),
    ('p', 'account_manager', 'api_key', 'read'),
    ('p', 'dispatcher', 'profile', 'read'),
    ('p', 'dispatcher', 'account', 'read'),
    ('p', 'dispatcher', 'site', 'read'),
    ('p', 'dispatcher', 'asset', 'read'),
    ('p', 'dispatcher', 'incident', 'read'),
    ('p', 'dispatcher', 'engineer', 'read'),
    ('p', 'dispatcher', 'depot', 'read'),
    ('p', 'dispatcher', 'part', 'read'),
    ('p', 'engineer', 'profile', 'read'),
    ('p', 'engineer', 'site', 'read'),
    ('p', 'engineer', 'asset', 'read'),
    ('p', 'engineer', 'incident', 'read'),
    ('p', 'engineer', 'engineer', 'read'),
    ('p', 'engineer', 'depot', 'read'),
    ('p', 'engineer', 'part', 'read'),
    ('p', 'customer_it', 'profile', 'read'),
    ('p', 'customer_it', 'account', 'read'),
    ('p', 'customer_it', 'site', 'read'),
    ('p', 'customer_it', 'asset', 'read'),
    ('p', 'customer_it', 'contract', 'read'),
    ('p', 'customer_it', 'incident', 'read'),
    ('p', 'customer_it', 'incident', 'create'),
    ('p', 'customer_it', 'part', 'read'),
    ('p', 'customer_it', 'api_key', 'read'),
    ('p', 'customer_it', 'api_key', 'create'),
    ('p', 'customer_it', 'api_key', 'revoke');

-- API keys of corporate IT systems. A key acts as its user (a customer_it
-- user of the key's account). Only the SHA-256 of the secret is kept.
CREATE TABLE api_keys (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL REFERENCES users (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by uuid REFERENCES users (id),
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id);

---- create above / drop below ----

DROP TABLE api_keys, casbin_rule;
