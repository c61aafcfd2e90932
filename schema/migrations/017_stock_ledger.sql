-- Stock is a ledger (DESIGN.md §3): every movement of a part at a depot or
-- in a van is a row of stock_movements, and a stock row's on_hand,
-- reserved and held_for_vendor are the sums of its movements' deltas.
--
-- The ledger is the only way in: inserting a movement applies it to its
-- stock row (apply_stock_movement, under the row's lock, so the row's
-- CHECKs refuse a movement that would take anything below zero and the
-- whole statement fails), and a stock row refuses any other change of
-- its quantities (guard_stock_quantities): it is created empty and filled
-- by movements. Movements are never changed or deleted.
--
-- Reorder points: a depot's stock row may carry one; the row is below it
-- while its available units (on hand less reserved) are fewer. The
-- movement, or the raised reorder point, that takes a row below records
-- the crossing (stock_alerts) and notifies the dispatchers of the depot's
-- region, once per crossing: the row must come back to its reorder point
-- before it can cross again.

-- Units of the row's part held at a depot for the vendor: removed parts
-- received back as defective, not on hand and never dispatched.
ALTER TABLE stock
    ALTER COLUMN on_hand SET DEFAULT 0,
    ADD COLUMN held_for_vendor integer NOT NULL DEFAULT 0 CHECK (held_for_vendor >= 0),
    ADD COLUMN reorder_point integer CHECK (reorder_point BETWEEN 0 AND 1000000),
    ADD COLUMN below_reorder_point boolean NOT NULL DEFAULT false,
    -- How many times the row has fallen below its reorder point; numbers
    -- its stock_alerts.
    ADD COLUMN reorder_alerts integer NOT NULL DEFAULT 0 CHECK (reorder_alerts >= 0),
    ADD CONSTRAINT stock_reorder_point_at_depot CHECK (reorder_point IS NULL OR depot_id IS NOT NULL);

-- Whether a row with these quantities is below its reorder point.
CREATE FUNCTION stock_below_reorder_point(on_hand integer, reserved integer, reorder_point integer)
RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT reorder_point IS NOT NULL AND on_hand - reserved < reorder_point
$$;

-- What becomes of a failed part returned to a depot: received as good
-- stock (on hand) or as defective (held for the vendor), by whom, when.
ALTER TABLE part_returns
    ADD COLUMN condition text CHECK (condition IN ('good', 'defective')),
    ADD COLUMN received_at timestamptz,
    ADD COLUMN received_by uuid REFERENCES users (id),
    ADD COLUMN receipt_note text NOT NULL DEFAULT '' CHECK (length(receipt_note) <= 500),
    ADD CONSTRAINT part_returns_receipt CHECK ((condition IS NULL) = (received_at IS NULL)
        AND (condition IS NULL OR disposition = 'return_to_depot'));
CREATE INDEX part_returns_awaiting_idx ON part_returns (depot_id, id)
    WHERE disposition = 'return_to_depot' AND received_at IS NULL;

-- Movement IDs are drawn by apply_stock_movement while it holds the stock
-- row's lock, so one row's movements are numbered in the order they were
-- applied (the column default serves loads that bypass it).
CREATE SEQUENCE stock_movements_id_seq;
CREATE TABLE stock_movements (
    id bigint PRIMARY KEY DEFAULT nextval('stock_movements_id_seq'),
    stock_id bigint NOT NULL REFERENCES stock (id),
    kind text NOT NULL CHECK (kind IN ('opening', 'receipt', 'transfer_out', 'transfer_in', 'reservation', 'release',
        'consumption', 'return', 'adjustment', 'vendor_shipment')),
    on_hand_delta integer NOT NULL DEFAULT 0,
    reserved_delta integer NOT NULL DEFAULT 0,
    held_delta integer NOT NULL DEFAULT 0,
    -- The row's quantities once the movement applied.
    on_hand_after integer NOT NULL DEFAULT 0,
    reserved_after integer NOT NULL DEFAULT 0,
    held_after integer NOT NULL DEFAULT 0,
    actor_id uuid REFERENCES users (id),
    at timestamptz NOT NULL DEFAULT now(),
    reason text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    -- What the movement belongs to: the job and its incident for
    -- reservations, releases and consumptions; the return for a returned
    -- part, with its serial number; the other half of a transfer.
    assignment_id uuid REFERENCES assignments (id),
    incident_id uuid REFERENCES incidents (id),
    reservation_id bigint REFERENCES part_reservations (id),
    part_return_id bigint REFERENCES part_returns (id),
    serial_number text,
    transfer_id uuid,
    -- Whether this movement took the row below its reorder point.
    fell_below_reorder_point boolean NOT NULL DEFAULT false,
    CHECK ((on_hand_delta, reserved_delta, held_delta) <> (0, 0, 0)),
    CHECK (CASE kind
        WHEN 'opening' THEN on_hand_delta >= 0 AND reserved_delta >= 0 AND held_delta >= 0
        WHEN 'receipt' THEN on_hand_delta > 0 AND reserved_delta = 0 AND held_delta = 0
        WHEN 'transfer_out' THEN on_hand_delta < 0 AND reserved_delta = 0 AND held_delta = 0 AND transfer_id IS NOT NULL
        WHEN 'transfer_in' THEN on_hand_delta > 0 AND reserved_delta = 0 AND held_delta = 0 AND transfer_id IS NOT NULL
        WHEN 'reservation' THEN on_hand_delta = 0 AND reserved_delta > 0 AND held_delta = 0 AND assignment_id IS NOT NULL
        WHEN 'release' THEN on_hand_delta = 0 AND reserved_delta < 0 AND held_delta = 0 AND assignment_id IS NOT NULL
        WHEN 'consumption' THEN on_hand_delta < 0 AND reserved_delta IN (0, on_hand_delta) AND held_delta = 0
            AND assignment_id IS NOT NULL
        WHEN 'return' THEN reserved_delta = 0 AND (on_hand_delta, held_delta) IN ((1, 0), (0, 1))
            AND part_return_id IS NOT NULL AND serial_number IS NOT NULL
        WHEN 'adjustment' THEN on_hand_delta <> 0 AND reserved_delta = 0 AND held_delta = 0 AND reason <> ''
        WHEN 'vendor_shipment' THEN on_hand_delta = 0 AND reserved_delta = 0 AND held_delta < 0 AND reason <> ''
    END)
);
ALTER SEQUENCE stock_movements_id_seq OWNED BY stock_movements.id;
CREATE INDEX stock_movements_stock_idx ON stock_movements (stock_id, id);

-- The rows stocked before the ledger began open it with their balance.
INSERT INTO stock_movements (stock_id, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, reason)
SELECT id, 'opening', on_hand, reserved, on_hand, reserved, 'balance when the ledger began'
FROM stock WHERE on_hand > 0 OR reserved > 0 ORDER BY id;

-- apply_stock_movement applies a movement about to be inserted to its
-- stock row: it locks the row, numbers the movement, records the row's
-- quantities after it and whether it took the row below its reorder
-- point, and writes them to the row.
CREATE FUNCTION apply_stock_movement() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    s stock;
    below boolean;
BEGIN
    SELECT * INTO s FROM stock WHERE id = NEW.stock_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'stock row % does not exist', NEW.stock_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    NEW.id := nextval('stock_movements_id_seq');
    NEW.on_hand_after := s.on_hand + NEW.on_hand_delta;
    NEW.reserved_after := s.reserved + NEW.reserved_delta;
    NEW.held_after := s.held_for_vendor + NEW.held_delta;
    below := stock_below_reorder_point(NEW.on_hand_after, NEW.reserved_after, s.reorder_point);
    NEW.fell_below_reorder_point := below AND NOT s.below_reorder_point;
    PERFORM set_config('aftercare.stock_ledger', 'apply', true);
    UPDATE stock SET on_hand = NEW.on_hand_after, reserved = NEW.reserved_after, held_for_vendor = NEW.held_after,
        below_reorder_point = below, reorder_alerts = reorder_alerts + NEW.fell_below_reorder_point::integer
    WHERE id = NEW.stock_id;
    PERFORM set_config('aftercare.stock_ledger', '', true);
    RETURN NEW;
END
$$;
CREATE TRIGGER stock_movements_apply BEFORE INSERT ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION apply_stock_movement();

CREATE FUNCTION refuse_stock_movement_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock movement % is part of the ledger and never changes', OLD.id;
END
$$;
CREATE TRIGGER stock_movements_append_only BEFORE UPDATE OR DELETE ON stock_movements
    FOR EACH ROW EXECUTE FUNCTION refuse_stock_movement_change();

-- guard_stock_quantities refuses a stock row created with quantities, or
-- a change of its quantities, that is not a movement being applied.
CREATE FUNCTION guard_stock_quantities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('aftercare.stock_ledger', true) IS DISTINCT FROM 'apply' AND (
        (TG_OP = 'INSERT' AND (NEW.on_hand, NEW.reserved, NEW.held_for_vendor) <> (0, 0, 0))
        OR (TG_OP = 'UPDATE' AND (NEW.on_hand, NEW.reserved, NEW.held_for_vendor)
            IS DISTINCT FROM (OLD.on_hand, OLD.reserved, OLD.held_for_vendor))) THEN
        RAISE EXCEPTION 'stock row % changes its quantities only through stock_movements', NEW.id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER stock_quantities_follow_ledger BEFORE INSERT OR UPDATE OF on_hand, reserved, held_for_vendor ON stock
    FOR EACH ROW EXECUTE FUNCTION guard_stock_quantities();

-- Each time a depot's stock row falls below its reorder point: the
-- movement that took it there (NULL when raising the reorder point did),
-- and the row's available units and reorder point at that moment.
CREATE TABLE stock_alerts (
    stock_id bigint NOT NULL REFERENCES stock (id),
    crossing integer NOT NULL CHECK (crossing > 0),
    movement_id bigint REFERENCES stock_movements (id),
    available integer NOT NULL,
    reorder_point integer NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stock_id, crossing)
);

-- Notifications are of an escalation (migration 011) or of a stock alert.
ALTER TABLE notifications
    ADD COLUMN kind text NOT NULL DEFAULT 'escalation' CHECK (kind IN ('escalation', 'stock_alert')),
    ALTER COLUMN incident_id DROP NOT NULL,
    ALTER COLUMN clock DROP NOT NULL,
    ALTER COLUMN level DROP NOT NULL,
    ALTER COLUMN percent DROP NOT NULL,
    ADD COLUMN stock_id bigint,
    ADD COLUMN stock_crossing integer,
    ADD FOREIGN KEY (stock_id, stock_crossing) REFERENCES stock_alerts (stock_id, crossing),
    ADD UNIQUE (stock_id, stock_crossing, recipient),
    ADD CONSTRAINT notifications_of_kind CHECK (CASE kind
        WHEN 'escalation' THEN incident_id IS NOT NULL AND clock IS NOT NULL AND level IS NOT NULL
            AND percent IS NOT NULL AND stock_id IS NULL AND stock_crossing IS NULL
        ELSE incident_id IS NULL AND clock IS NULL AND level IS NULL AND percent IS NULL
            AND stock_id IS NOT NULL AND stock_crossing IS NOT NULL END);

-- Notifications bound for every webhook the worker that takes them is
-- configured with: its webhook relay turns each into one
-- notification.webhook message per URL.
-- Payload: {"key": ..., "body": {...}}.

-- alert_stock records a stock row's latest crossing of its reorder point
-- (once: a second call for the same crossing does nothing) and routes it
-- to the dispatchers of the depot's region, one notification each, and
-- to the webhooks, with the recipients in the body.
CREATE FUNCTION alert_stock(stock_row bigint, movement bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    s record;
    recipients jsonb;
    alert_key text;
BEGIN
    SELECT st.id, st.part_id, p.fru, st.depot_id, d.code AS depot_code, d.region, st.on_hand, st.reserved,
        st.reorder_point, st.reorder_alerts
    INTO s FROM stock st JOIN depots d ON d.id = st.depot_id JOIN parts p ON p.id = st.part_id
    WHERE st.id = stock_row AND st.reorder_alerts > 0;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    INSERT INTO stock_alerts (stock_id, crossing, movement_id, available, reorder_point)
    VALUES (s.id, s.reorder_alerts, movement, s.on_hand - s.reserved, s.reorder_point)
    ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    WITH dispatchers AS (
        SELECT DISTINCT u.id, u.email, u.display_name
        FROM casbin_rule g JOIN users u ON 'user:' || u.id = g.v0
        WHERE g.ptype = 'g' AND g.v1 = 'dispatcher' AND g.v2 = 'region:' || s.region AND u.disabled_at IS NULL),
    sent AS (
        INSERT INTO notifications (kind, stock_id, stock_crossing, recipient, user_id, email, name, reason, actions,
            created_at)
        SELECT 'stock_alert', s.id, s.reorder_alerts, 'user:' || u.id, u.id, u.email, u.display_name, 'dispatcher',
            '{}', now()
        FROM dispatchers u ORDER BY u.display_name, u.id
        RETURNING id, user_id, name, email)
    SELECT coalesce(jsonb_agg(jsonb_build_object('notification_id', id, 'reason', 'dispatcher', 'user_id', user_id,
        'name', name, 'email', email) ORDER BY id), '[]')
    INTO recipients FROM sent;
    alert_key := 'stock-alert:' || s.id || ':' || s.reorder_alerts;
    INSERT INTO outbox (topic, key, payload) VALUES ('notification.broadcast', alert_key, jsonb_build_object('key', alert_key,
        'body', jsonb_build_object('kind', 'stock.below_reorder_point', 'stock_id', s.id, 'crossing', s.reorder_alerts,
            'movement_id', movement, 'depot_id', s.depot_id, 'depot_code', s.depot_code, 'region', s.region,
            'part_id', s.part_id, 'fru', s.fru, 'on_hand', s.on_hand, 'reserved', s.reserved,
            'available', s.on_hand - s.reserved, 'reorder_point', s.reorder_point, 'at', now(),
            'recipients', recipients)))
    ON CONFLICT (topic, key) DO NOTHING;
    PERFORM pg_notify('aftercare_outbox', 'notification.webhook');
END
$$;

CREATE FUNCTION alert_stock_movement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM alert_stock(NEW.stock_id, NEW.id);
    RETURN NULL;
END
$$;
CREATE TRIGGER stock_movements_alert AFTER INSERT ON stock_movements
    FOR EACH ROW WHEN (NEW.fell_below_reorder_point) EXECUTE FUNCTION alert_stock_movement();

-- Dispatchers keep their regions' depots and vans stocked and receive
-- returned parts; engineers read their own van's ledger.
INSERT INTO casbin_rule (ptype, v0, v1, v2) VALUES
    ('p', 'dispatcher', 'stock', 'read'),
    ('p', 'dispatcher', 'stock', 'write'),
    ('p', 'engineer', 'stock', 'read')
ON CONFLICT DO NOTHING;

---- create above / drop below ----

DELETE FROM casbin_rule WHERE ptype = 'p' AND v1 = 'stock';
DROP TRIGGER stock_movements_alert ON stock_movements;
DROP FUNCTION alert_stock_movement();
DROP FUNCTION alert_stock(bigint, bigint);
DELETE FROM outbox WHERE topic = 'notification.broadcast';
DELETE FROM notifications WHERE kind <> 'escalation';
ALTER TABLE notifications
    DROP CONSTRAINT notifications_of_kind,
    DROP COLUMN stock_crossing,
    DROP COLUMN stock_id,
    DROP COLUMN kind,
    ALTER COLUMN incident_id SET NOT NULL,
    ALTER COLUMN clock SET NOT NULL,
    ALTER COLUMN level SET NOT NULL,
    ALTER COLUMN percent SET NOT NULL;
DROP TABLE stock_alerts;
DROP TRIGGER stock_quantities_follow_ledger ON stock;
DROP FUNCTION guard_stock_quantities();
DROP TABLE stock_movements;
DROP FUNCTION refuse_stock_movement_change();
DROP FUNCTION apply_stock_movement();
DROP INDEX part_returns_awaiting_idx;
ALTER TABLE part_returns
    DROP CONSTRAINT part_returns_receipt,
    DROP COLUMN receipt_note,
    DROP COLUMN received_by,
    DROP COLUMN received_at,
    DROP COLUMN condition;
DROP FUNCTION stock_below_reorder_point(integer, integer, integer);
ALTER TABLE stock
    ALTER COLUMN on_hand DROP DEFAULT,
    DROP CONSTRAINT stock_reorder_point_at_depot,
    DROP COLUMN reorder_alerts,
    DROP COLUMN below_reorder_point,
    DROP COLUMN reorder_point,
    DROP COLUMN held_for_vendor;
