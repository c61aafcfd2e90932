-- Tier SLA policies an admin has set (DESIGN.md §4, §6): the whole table of
-- targets of one tier, its parts-pause setting and escalation ladder, as
-- package sla encodes a Policy in JSON. A tier without a row follows the
-- defaults of DESIGN.md. Incidents filed afterwards follow the row; open
-- ones when recomputed.
CREATE TABLE tier_policies (
    tier text PRIMARY KEY CHECK (tier IN ('platinum', 'premium', 'standard')),
    policy jsonb NOT NULL CHECK (jsonb_typeof(policy) = 'object'),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by uuid REFERENCES users (id)
);

---- create above / drop below ----

DROP TABLE tier_policies;
