package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// PriceListService reads the standardised price list.
type PriceListService struct {
	db *DB
}

var _ aftercare.PriceListService = (*PriceListService)(nil)

// NewPriceListService returns a PriceListService backed by db.
func NewPriceListService(db *DB) *PriceListService {
	return &PriceListService{db: db}
}

const priceSelect = `
	SELECT pl.kind, coalesce(p.id::text, ''), coalesce(p.fru, ''),
		CASE pl.kind WHEN 'labour' THEN 'Labour, per hour' WHEN 'call_out' THEN 'Call-out, per visit' ELSE p.description END,
		pl.tier, pl.region, (pl.unit_price * 100)::bigint, pl.currency
	FROM price_list pl
	LEFT JOIN parts p ON p.id = pl.part_id`

func scanPrice(row pgx.CollectableRow) (*aftercare.PriceListEntry, error) {
	var e aftercare.PriceListEntry
	err := row.Scan(&e.Kind, &e.PartID, &e.FRU, &e.Description, &e.Tier, &e.Region, &e.UnitPrice, &e.Currency)
	return &e, err
}

// FindPriceList returns the prices of a tier and region: labour, call-out,
// then parts by FRU.
func (s *PriceListService) FindPriceList(ctx context.Context, f aftercare.PriceListFilter) (_ []*aftercare.PriceListEntry, err error) {
	defer wrap(&err, fmt.Sprintf("PriceListService.FindPriceList(ctx, %q, %q)", f.Tier, f.Region))
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var q filter
	q.add("pl.tier = ?", f.Tier)
	q.add("pl.region = ?", f.Region)
	if f.FRU != "" {
		q.add("(pl.kind <> 'part' OR p.fru = ?)", strings.ToUpper(strings.TrimSpace(f.FRU)))
	}
	rows, err := s.db.pool.Query(ctx, priceSelect+q.where()+` ORDER BY array_position(ARRAY['labour', 'call_out', 'part'], pl.kind), p.fru`, q.args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanPrice)
}

// QuoteStore keeps quotes in PostgreSQL.
type QuoteStore struct {
	db *DB
}

var _ aftercare.QuoteStore = (*QuoteStore)(nil)

// NewQuoteStore returns a QuoteStore backed by db.
func NewQuoteStore(db *DB) *QuoteStore {
	return &QuoteStore{db: db}
}

const quoteSelect = `
	SELECT q.id, q.incident_id, i.account_id, q.state, coalesce(q.tier, i.tier), coalesce(q.region, ''), q.currency,
		q.created_at, coalesce(q.created_by::text, ''), q.sent_at, coalesce(q.sent_by::text, ''), q.decided_at,
		coalesce(q.decided_by::text, ''), q.decision_note, q.valid_until,
		coalesce((SELECT jsonb_agg(jsonb_build_object('line', l.line, 'kind', l.kind, 'part', coalesce(l.part_id::text, ''),
			'fru', coalesce(p.fru, ''), 'description', l.description, 'quantity', l.quantity,
			'unit', (l.unit_price * 100)::bigint, 'total', round(l.quantity * l.unit_price * 100)::bigint) ORDER BY l.line)
			FROM quote_lines l LEFT JOIN parts p ON p.id = l.part_id WHERE l.quote_id = q.id), '[]')
	FROM quotes q
	JOIN incidents i ON i.id = q.incident_id`

func scanQuote(row pgx.CollectableRow) (*aftercare.Quote, error) {
	var q aftercare.Quote
	var lines []struct {
		Line        int     `json:"line"`
		Kind        string  `json:"kind"`
		Part        string  `json:"part"`
		FRU         string  `json:"fru"`
		Description string  `json:"description"`
		Quantity    float64 `json:"quantity"`
		Unit        int64   `json:"unit"`
		Total       int64   `json:"total"`
	}
	err := row.Scan(&q.ID, &q.IncidentID, &q.AccountID, &q.State, &q.Tier, &q.Region, &q.Currency, &q.CreatedAt,
		&q.CreatedBy, &q.SentAt, &q.SentBy, &q.DecidedAt, &q.DecidedBy, &q.DecisionNote, &q.ValidUntil, &lines)
	for _, l := range lines {
		q.Lines = append(q.Lines, aftercare.QuoteLine{Line: l.Line, Kind: aftercare.PriceKind(l.Kind), PartID: l.Part,
			FRU: l.FRU, Description: l.Description, Quantity: l.Quantity, UnitPrice: l.Unit, Total: l.Total, Currency: q.Currency})
		q.Total += l.Total
	}
	return &q, err
}

// FindQuoteByID returns a quote of an incident in the caller's scope, or
// ENOTFOUND.
func (s *QuoteStore) FindQuoteByID(ctx context.Context, id string) (_ *aftercare.Quote, err error) {
	defer wrap(&err, fmt.Sprintf("QuoteStore.FindQuoteByID(ctx, %q)", id))
	return findQuote(ctx, s.db.pool, id)
}

func findQuote(ctx context.Context, q querier, id string) (*aftercare.Quote, error) {
	return findOne(ctx, q, quoteSelect, "q.id", "quote", id, &scopeIncidents, scanQuote)
}

// FindQuotes returns an incident's quotes, newest first, or ENOTFOUND for an
// incident outside the caller's scope.
func (s *QuoteStore) FindQuotes(ctx context.Context, incidentID string) (_ []*aftercare.Quote, err error) {
	defer wrap(&err, fmt.Sprintf("QuoteStore.FindQuotes(ctx, %q)", incidentID))
	if _, err := findIncidentByID(ctx, s.db.pool, incidentID); err != nil {
		return nil, err
	}
	rows, err := s.db.pool.Query(ctx, quoteSelect+` WHERE q.incident_id = $1 ORDER BY q.created_at DESC, q.id`, incidentID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanQuote)
}

// FindQuotesOfIncidents returns the quotes of each incident, as
// FindQuotes, in two queries: the incidents the caller sees, then their
// quotes. An incident outside the scope gets nil.
func (s *QuoteStore) FindQuotesOfIncidents(ctx context.Context, incidentIDs []string) (_ [][]*aftercare.Quote, err error) {
	defer wrap(&err, fmt.Sprintf("QuoteStore.FindQuotesOfIncidents(ctx, %d IDs)", len(incidentIDs)))
	seen, ids, err := seenIDs(ctx, s.db.pool, "incidents i", "i.id", incidentIDs, scopeIncidents)
	if err != nil {
		return nil, err
	}
	found, err := findAnyOf(ctx, s.db.pool, quoteSelect, &filter{}, "q.incident_id", ids, "q.created_at DESC, q.id", scanQuote)
	if err != nil {
		return nil, err
	}
	return groupBy(incidentIDs, found, func(q *aftercare.Quote) string { return q.IncidentID }, seen), nil
}

// CreateQuote prices a draft quote from the price list of the incident's
// tier and its site's region: the call-out, the labour, then each part.
// Covered work is not quoted; the incident must be triaged and have no
// other quote open.
func (s *QuoteStore) CreateQuote(ctx context.Context, c aftercare.QuoteCreate) (_ *aftercare.Quote, err error) {
	defer wrap(&err, fmt.Sprintf("QuoteStore.CreateQuote(ctx, %q)", c.IncidentID))
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.Quote
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = createQuote(ctx, tx, c)
		return err
	})
	return out, err
}

// lockIncident locks an incident in the caller's scope and returns it.
func lockIncident(ctx context.Context, tx pgx.Tx, id string) (*aftercare.Incident, error) {
	if _, err := findIncidentByID(ctx, tx, id); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE`, id); err != nil {
		return nil, err
	}
	return findIncidentByID(ctx, tx, id) // as it is now that it is locked
}

func createQuote(ctx context.Context, tx pgx.Tx, c aftercare.QuoteCreate) (*aftercare.Quote, error) {
	inc, err := lockIncident(ctx, tx, c.IncidentID)
	if err != nil {
		return nil, err
	}
	if err := inc.CheckQuotable(); err != nil {
		return nil, err
	}
	w := &quoteWriter{tx: tx, inc: inc, id: newID(), actor: aftercare.UserFromContext(ctx)}
	if err := tx.QueryRow(ctx, `SELECT region FROM sites WHERE id = $1`, inc.SiteID).Scan(&w.region); err != nil {
		return nil, err
	}
	parts := c.Parts
	if len(parts) == 0 {
		for _, n := range inc.NeededParts {
			var fru string
			if err := tx.QueryRow(ctx, `SELECT fru FROM parts WHERE id = $1`, n.PartID).Scan(&fru); err != nil {
				return nil, err
			}
			parts = append(parts, aftercare.PartRequest{FRU: fru, Quantity: n.Quantity})
		}
	}
	if len(parts) == 0 && c.LabourHours == 0 && !c.CallOut {
		return nil, aftercare.Errorf(aftercare.EINVALID, "a quote needs parts, labour or a call-out")
	}
	if c.CallOut {
		if err := w.add(ctx, aftercare.PriceCallOut, "", 1); err != nil {
			return nil, err
		}
	}
	if c.LabourHours > 0 {
		if err := w.add(ctx, aftercare.PriceLabour, "", c.LabourHours); err != nil {
			return nil, err
		}
	}
	for _, p := range parts {
		if err := w.add(ctx, aftercare.PricePart, p.FRU, float64(p.Quantity)); err != nil {
			return nil, err
		}
	}
	q, err := findQuote(ctx, tx, w.id)
	if err != nil {
		return nil, err
	}
	if err := writeAudit(ctx, tx, w.actor, "quote.create", "quote", w.id, nil, q); err != nil {
		return nil, err
	}
	return q, nil
}

// quoteWriter writes one draft quote line by line from the price list of
// the incident's tier and region. The quote row itself is written with the
// first line, in that line's currency; every later line must be priced in
// the same one.
type quoteWriter struct {
	tx       pgx.Tx
	inc      *aftercare.Incident
	id       string
	actor    *aftercare.User
	region   string
	currency string
	lines    int
}

// add prices qty of a kind of line (a part by FRU, labour, a call-out) and
// writes it.
func (w *quoteWriter) add(ctx context.Context, kind aftercare.PriceKind, fru string, qty float64) error {
	var partID *string
	var desc, cur string
	err := w.tx.QueryRow(ctx, `
		SELECT p.id, CASE pl.kind WHEN 'labour' THEN 'Labour (hours)' WHEN 'call_out' THEN 'Call-out' ELSE p.description END,
			pl.currency
		FROM price_list pl LEFT JOIN parts p ON p.id = pl.part_id
		WHERE pl.tier = $1 AND pl.region = $2 AND pl.kind = $3 AND ($3 <> 'part' OR p.fru = $4)`,
		w.inc.Tier, w.region, kind, strings.ToUpper(fru)).Scan(&partID, &desc, &cur)
	if errors.Is(err, pgx.ErrNoRows) {
		what := string(kind)
		if kind == aftercare.PricePart {
			what = "part " + strings.ToUpper(fru)
		}
		return aftercare.Errorf(aftercare.EINVALID, "the %s price list of region %s has no price for %s", w.inc.Tier, w.region, what)
	}
	if err != nil {
		return err
	}
	if w.currency != "" && cur != w.currency {
		return aftercare.Errorf(aftercare.EINVALID, "the price of %s is in %s, the quote in %s", desc, cur, w.currency)
	}
	if w.currency == "" {
		w.currency = cur
		if _, err := w.tx.Exec(ctx, `
			INSERT INTO quotes (id, incident_id, state, currency, tier, region, created_by)
			VALUES ($1, $2, 'draft', $3, $4, $5, $6)`, w.id, w.inc.ID, cur, w.inc.Tier, w.region, actorRef(w.actor)); err != nil {
			if aftercare.ErrorCode(mapError(err)) == aftercare.ECONFLICT {
				return aftercare.Errorf(aftercare.ECONFLICT, "incident %d already has a quote in preparation or awaiting an answer", w.inc.Number)
			}
			return err
		}
	}
	w.lines++
	_, err = w.tx.Exec(ctx, `
		INSERT INTO quote_lines (quote_id, line, kind, part_id, description, quantity, unit_price)
		SELECT $1, $2, $3, $4, $5, $6, pl.unit_price FROM price_list pl
		WHERE pl.tier = $7 AND pl.region = $8 AND pl.kind = $3 AND pl.part_id IS NOT DISTINCT FROM $4::uuid`,
		w.id, w.lines, kind, partID, desc, qty, w.inc.Tier, w.region)
	return err
}

// MarkQuoteSent moves a draft quote to sent, valid for
// aftercare.QuoteValidFor. A quote already sent is returned as it is, so a
// send interrupted before the incident moved can be repeated.
func (s *QuoteStore) MarkQuoteSent(ctx context.Context, id string) (_ *aftercare.Quote, err error) {
	defer wrap(&err, fmt.Sprintf("QuoteStore.MarkQuoteSent(ctx, %q)", id))
	var out *aftercare.Quote
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockQuote(ctx, tx, id)
		if err != nil {
			return err
		}
		changes, err := before.CheckSend()
		if err != nil {
			return err
		}
		if !changes {
			out = before
			return nil
		}
		actor := aftercare.UserFromContext(ctx)
		if _, err := tx.Exec(ctx, `
			UPDATE quotes SET state = 'sent', sent_at = now(), sent_by = $2,
				valid_until = now() + $3 * interval '1 microsecond'
			WHERE id = $1`,
			id, actorRef(actor), aftercare.QuoteValidFor.Microseconds()); err != nil {
			return err
		}
		if out, err = findQuote(ctx, tx, id); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "quote.send", "quote", id, map[string]any{"state": before.State},
			map[string]any{"state": out.State, "total": out.Total, "currency": out.Currency, "valid_until": out.ValidUntil})
	})
	return out, err
}

// DecideQuote records the customer's answer to a sent quote. The same
// answer again returns the quote as it is; any other change is ECONFLICT,
// and so is approving a quote past its validity (whether or not its
// workflow has expired it yet). A lapsed quote may still be rejected: the
// outcome, a cancelled incident, is the same, and the reason is kept.
func (s *QuoteStore) DecideQuote(ctx context.Context, d aftercare.QuoteDecision) (_ *aftercare.Quote, err error) {
	defer wrap(&err, fmt.Sprintf("QuoteStore.DecideQuote(ctx, %q)", d.QuoteID))
	d.Normalize()
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.Quote
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		before, err := lockQuote(ctx, tx, d.QuoteID)
		if err != nil {
			return err
		}
		var now time.Time
		if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
			return err
		}
		to, changes, err := before.CheckDecision(d, now)
		if err != nil {
			return err
		}
		if !changes {
			out = before
			return nil
		}
		actor := aftercare.UserFromContext(ctx)
		if _, err := tx.Exec(ctx, `
			UPDATE quotes SET state = $2, decided_at = now(), decided_by = $3, decision_note = $4 WHERE id = $1`,
			d.QuoteID, to, actorRef(actor), d.Note); err != nil {
			return err
		}
		if out, err = findQuote(ctx, tx, d.QuoteID); err != nil {
			return err
		}
		return writeAudit(ctx, tx, actor, "quote."+map[bool]string{true: "approve", false: "reject"}[d.Approve], "quote",
			d.QuoteID, map[string]any{"state": before.State}, map[string]any{"state": out.State, "note": d.Note})
	})
	return out, err
}

// ExpireQuote expires the incident's sent quote if its validity has
// passed, with an audit event by the system, and returns it. A sent quote
// still valid (the caller's clock ran ahead of the database's) is returned
// as it is, for the caller to wait until its ValidUntil; with no sent quote
// (answered in time, expired already, or never sent) it returns nil.
func (s *QuoteStore) ExpireQuote(ctx context.Context, incidentID string) (_ *aftercare.Quote, err error) {
	defer wrap(&err, fmt.Sprintf("QuoteStore.ExpireQuote(ctx, %q)", incidentID))
	if !validID(incidentID) {
		return nil, aftercare.Errorf(aftercare.ENOTFOUND, "incident %q not found", incidentID)
	}
	var out *aftercare.Quote
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		var id string
		var lapsed bool
		err := tx.QueryRow(ctx, `
			SELECT id, valid_until <= now() FROM quotes WHERE incident_id = $1 AND state = 'sent' FOR UPDATE`,
			incidentID).Scan(&id, &lapsed)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if lapsed {
			if _, err := tx.Exec(ctx, `
				UPDATE quotes SET state = 'expired', decided_at = now(), decision_note = 'expired unanswered'
				WHERE id = $1`, id); err != nil {
				return err
			}
		}
		if out, err = findQuote(ctx, tx, id); err != nil || !lapsed {
			return err
		}
		return writeAudit(ctx, tx, nil, "quote.expire", "quote", id, map[string]any{"state": aftercare.QuoteSent},
			map[string]any{"state": out.State, "valid_until": out.ValidUntil})
	})
	return out, err
}

// lockQuote locks a quote in the caller's scope and returns it.
func lockQuote(ctx context.Context, tx pgx.Tx, id string) (*aftercare.Quote, error) {
	if _, err := findQuote(ctx, tx, id); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `SELECT 1 FROM quotes WHERE id = $1 FOR UPDATE`, id); err != nil {
		return nil, err
	}
	return findQuote(ctx, tx, id)
}

// actorRef returns a user's ID for a users foreign key: nil for the system or
// a caller who is not a user.
func actorRef(u *aftercare.User) *string {
	if u == nil || u.ID == "" {
		return nil
	}
	return &u.ID
}

// requireApprovedQuote refuses to dispatch work that is not covered until
// the customer has approved its quote: ECONFLICT, worded so the dispatcher
// and the workflow's own dispatching treat it as the incident's state. Work
// whose entitlement claim the contract's workflow has not counted yet is
// refused too (aftercare.ClaimPendingMessage), since a refused claim leaves it uncovered.
func requireApprovedQuote(ctx context.Context, tx pgx.Tx, incidentID string) error {
	var waiting, pending bool
	if err := tx.QueryRow(ctx, `
		SELECT coalesce(i.coverage->>'covered' = 'false', false)
			AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.incident_id = i.id AND q.state = 'approved'),
			coalesce(i.coverage->>'claim_status' = $2, false)
		FROM incidents i WHERE i.id = $1`, incidentID, aftercare.ClaimPending).Scan(&waiting, &pending); err != nil {
		return err
	}
	if pending {
		return aftercare.Errorf(aftercare.ECONFLICT, "%s", aftercare.ClaimPendingMessage)
	}
	if waiting {
		return aftercare.Errorf(aftercare.ECONFLICT,
			"incident is awaiting an approved quote: its work is not covered, so it is not dispatched before the customer approves")
	}
	return nil
}
