-- Notifications (DESIGN.md §6): each fired escalation level is routed to the
-- people its actions name, one row per recipient, written in the same
-- transaction as the escalation and delivered with it through the webhook
-- outbox. Signed-in users read their own.
--
-- Who receives what, by the level's actions (the default ladder in brackets):
--   warn_engineer          the engineer of the incident's active assignment (50 %)
--   warn_dispatcher        the dispatchers of the site's region (50 %)
--   escalate_duty_manager  the region's duty manager; the service directors
--                          stand in where the region has none (75 %)
--   notify_account_manager the contract's account manager; the account's
--                          assigned managers where the contract names none (90 %)
--   breach                 every service director and the incident's customer
--                          contact (by email; linked to the account's corporate
--                          IT user of that email, if there is one) (100 %)

-- The duty manager of each region: the one manager on call for escalations
-- there, as a service organisation keeps a duty roster. Admins set it with
-- setDutyManager; it must be a service director or a dispatcher.
CREATE TABLE duty_managers (
    region text PRIMARY KEY REFERENCES regions (code),
    user_id uuid NOT NULL REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE notifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id uuid NOT NULL,
    clock text NOT NULL,
    level smallint NOT NULL,
    percent smallint NOT NULL CHECK (percent BETWEEN 1 AND 100),
    -- Who: 'user:<id>' for a user, 'email:<address>' for a customer contact
    -- who is no user; the key that makes a level notify each recipient once.
    recipient text NOT NULL CHECK (recipient ~ '^(user|email):.+$'),
    user_id uuid REFERENCES users (id),
    email text NOT NULL,
    name text NOT NULL,
    reason text NOT NULL CHECK (reason IN ('assigned_engineer', 'dispatcher', 'duty_manager', 'account_manager',
        'service_director', 'customer_contact')),
    actions text[] NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (incident_id, clock, level, recipient),
    FOREIGN KEY (incident_id, clock, level) REFERENCES escalations (incident_id, clock, level),
    CHECK ((recipient LIKE 'user:%') = (user_id IS NOT NULL))
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id DESC) WHERE user_id IS NOT NULL;

INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'admin', 'notification', 'read'),
    ('p', 'service_director', 'notification', 'read'),
    ('p', 'account_manager', 'notification', 'read'),
    ('p', 'dispatcher', 'notification', 'read'),
    ('p', 'engineer', 'notification', 'read'),
    ('p', 'customer_it', 'notification', 'read'),
    ('p', 'admin', 'duty_manager', 'update');

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND (v1 = 'notification' AND v2 = 'read' OR v1 = 'duty_manager');
DROP TABLE notifications, duty_managers;
