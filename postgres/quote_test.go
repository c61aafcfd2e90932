package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repairFixture is a fixture with what the repair flow needs beside it: two
// parts (a drive and a power supply), a depot and an engineer with stock of
// both, and the price list of region east.
type repairFixture struct {
	fixture
	driveID, psuID        string
	driveFRU, psuFRU      string
	depotID, engineerID   string
	vanDrive, depotDrive  int64 // stock rows of the drive
	depotPSU              int64
	engineerUserID        string
	keepYourDriveContract bool
}

// mustRepairFixture inserts a repairFixture; keepYourDrive adds that
// entitlement to the contract before anything is filed.
func mustRepairFixture(t *testing.T, db *DB, code, tier string, keepYourDrive bool) repairFixture {
	t.Helper()
	ctx := context.Background()
	f := repairFixture{fixture: mustFixture(t, db, code, tier), driveID: newID(), psuID: newID(), depotID: newID(),
		engineerID: newID(), engineerUserID: newID(), driveFRU: "01DR" + code[:3], psuFRU: "01PS" + code[:3],
		keepYourDriveContract: keepYourDrive}
	exec := func(sql string, args ...any) {
		t.Helper()
		_, err := db.pool.Exec(ctx, sql, args...)
		require.NoError(t, err, sql)
	}
	exec(`INSERT INTO parts (id, fru, description, unit_price, currency) VALUES
		($1, $2, 'ThinkSystem 2.4TB 10K SAS Hot Swap HDD', 3200.00, 'CNY'),
		($3, $4, 'ThinkSystem 1100W Titanium Hot-Swap Power Supply', 2100.00, 'CNY')`,
		f.driveID, f.driveFRU, f.psuID, f.psuFRU)
	exec(`INSERT INTO depots (id, code, name, city, region, lat, lng, time_zone)
		VALUES ($1, $2, 'Shanghai depot', 'Shanghai', 'east', 31.2, 121.4, 'Asia/Shanghai')`, f.depotID, "D-"+code)
	exec(`INSERT INTO users (id, username, display_name, email, role) VALUES ($1, $2, $2, 'eng@example.com', 'engineer')`,
		f.engineerUserID, "eng."+strings.ToLower(code))
	exec(`INSERT INTO engineers (id, code, name, user_id, region, home_depot_id, tier_clearance, capacity, time_zone, lat, lng)
		VALUES ($1, $2, 'Li Wei', $3, 'east', $4, 'platinum', 4, 'Asia/Shanghai', 31.2, 121.4)`,
		f.engineerID, "E-"+code, f.engineerUserID, f.depotID)
	f.vanDrive = mustStockRow(t, db, "engineer_id", f.engineerID, f.driveID, 2)
	f.depotDrive = mustStockRow(t, db, "depot_id", f.depotID, f.driveID, 1)
	f.depotPSU = mustStockRow(t, db, "depot_id", f.depotID, f.psuID, 3)
	if keepYourDrive {
		exec(`INSERT INTO entitlements (contract_id, kind) VALUES ($1, 'keep_your_drive')`, f.contractID)
	}
	exec(`INSERT INTO price_list (kind, part_id, tier, region, unit_price, currency) VALUES
		('labour', NULL, 'standard', 'east', 420.00, 'CNY'), ('call_out', NULL, 'standard', 'east', 600.00, 'CNY'),
		('part', $1, 'standard', 'east', 3200.00, 'CNY'), ('part', $2, 'standard', 'east', 2100.50, 'CNY')
		ON CONFLICT DO NOTHING`, f.driveID, f.psuID)
	return f
}

// mustIncident files an incident for serial and moves it to status.
func mustIncident(t *testing.T, db *DB, serial, requestID, email string, status aftercare.IncidentStatus) *aftercare.Incident {
	t.Helper()
	ctx := context.Background()
	inc, err := NewIncidentService(db).CreateIncident(ctx, aftercare.IncidentCreate{
		SerialNumber: serial, Priority: aftercare.P2, Category: aftercare.CategoryHardwareFailure,
		Symptoms: "disk failed", Contact: aftercare.Contact{Name: "Wang Fang", Email: email}, ClientRequestID: requestID,
	})
	require.NoError(t, err)
	setStatus(t, db, inc.ID, status)
	inc.Status = status
	return inc
}

func setStatus(t *testing.T, db *DB, id string, status aftercare.IncidentStatus) {
	t.Helper()
	_, err := db.pool.Exec(context.Background(), `UPDATE incidents SET status = $2 WHERE id = $1`, id, status)
	require.NoError(t, err)
}

// asCustomer returns a context of the customer IT user of an account.
func asCustomer(userID, accountID string) context.Context {
	ctx := aftercare.NewContextWithUser(context.Background(), &aftercare.User{ID: userID, Role: aftercare.RoleCustomerIT, AccountID: accountID})
	return aftercare.NewContextWithScope(ctx, &aftercare.Scope{UserID: userID, AccountIDs: []string{accountID}})
}

func TestQuoteFromPriceList(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustRepairFixture(t, db, "QUOTE", "platinum", false)
	other := mustFixture(t, db, "OTHER", "standard")
	store := NewQuoteStore(db)
	ctx := context.Background()

	bare := mustIncident(t, db, f.bareSerial, "q-1", "wang@example.com", aftercare.StatusTriaged)
	require.NotNil(t, bare.Coverage, "filing records coverage")
	require.True(t, bare.Coverage.NeedsQuote(), "an asset out of warranty without a contract is not covered: %+v", bare.Coverage)

	t.Run("lines and totals come from the tier's and region's prices", func(t *testing.T) {
		q, err := store.CreateQuote(ctx, aftercare.QuoteCreate{IncidentID: bare.ID, LabourHours: 1.5, CallOut: true,
			Parts: []aftercare.PartRequest{{FRU: f.psuFRU, Quantity: 2}}})
		require.NoError(t, err)
		assert.Equal(t, aftercare.QuoteDraft, q.State)
		assert.Equal(t, "CNY", q.Currency)
		assert.Equal(t, aftercare.TierStandard, q.Tier)
		assert.Equal(t, "east", q.Region)
		require.Len(t, q.Lines, 3)
		assert.Equal(t, aftercare.QuoteLine{Line: 1, Kind: aftercare.PriceCallOut, Description: "Call-out", Quantity: 1,
			UnitPrice: 60000, Total: 60000, Currency: "CNY"}, q.Lines[0])
		assert.Equal(t, aftercare.QuoteLine{Line: 2, Kind: aftercare.PriceLabour, Description: "Labour (hours)", Quantity: 1.5,
			UnitPrice: 42000, Total: 63000, Currency: "CNY"}, q.Lines[1])
		assert.Equal(t, aftercare.QuoteLine{Line: 3, Kind: aftercare.PricePart, PartID: f.psuID, FRU: f.psuFRU,
			Description: "ThinkSystem 1100W Titanium Hot-Swap Power Supply", Quantity: 2, UnitPrice: 210050, Total: 420100,
			Currency: "CNY"}, q.Lines[2])
		assert.Equal(t, int64(60000+63000+420100), q.Total)

		_, err = store.CreateQuote(ctx, aftercare.QuoteCreate{IncidentID: bare.ID, CallOut: true})
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "one open quote per incident: %v", err)

		t.Run("sent, then answered once", func(t *testing.T) {
			_, err := store.DecideQuote(ctx, aftercare.QuoteDecision{QuoteID: q.ID, Approve: true})
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "a draft is not answered")
			sent, err := store.MarkQuoteSent(ctx, q.ID)
			require.NoError(t, err)
			assert.Equal(t, aftercare.QuoteSent, sent.State)
			require.NotNil(t, sent.SentAt)
			again, err := store.MarkQuoteSent(ctx, q.ID)
			require.NoError(t, err)
			assert.Equal(t, sent.SentAt, again.SentAt, "sending again changes nothing")

			tx, err := db.pool.Begin(ctx)
			require.NoError(t, err)
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(requireApprovedQuote(ctx, tx, bare.ID)),
				"uncovered work is not dispatched before approval")
			require.NoError(t, tx.Rollback(ctx))

			foreign := asCustomer(other.userID, other.accountID)
			_, err = store.DecideQuote(foreign, aftercare.QuoteDecision{QuoteID: q.ID, Approve: true})
			assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "another account's quote is not there")
			own := asCustomer(f.userID, f.accountID)
			_, err = store.DecideQuote(own, aftercare.QuoteDecision{QuoteID: q.ID})
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "a rejection needs a reason")
			approved, err := store.DecideQuote(own, aftercare.QuoteDecision{QuoteID: q.ID, Approve: true, Note: "go ahead"})
			require.NoError(t, err)
			assert.Equal(t, aftercare.QuoteApproved, approved.State)
			assert.Equal(t, f.userID, approved.DecidedBy)
			assert.Equal(t, "go ahead", approved.DecisionNote)
			_, err = store.DecideQuote(own, aftercare.QuoteDecision{QuoteID: q.ID, Note: "changed my mind"})
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "an answered quote keeps its answer")

			err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error { return requireApprovedQuote(ctx, tx, bare.ID) })
			assert.NoError(t, err, "approved work may be dispatched")
			var audits int
			require.NoError(t, db.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE object_type = 'quote' AND object_id = $1`,
				q.ID).Scan(&audits))
			assert.Equal(t, 3, audits, "create, send and approve are audited")
		})
	})

	t.Run("refused", func(t *testing.T) {
		covered := mustIncident(t, db, f.coveredSerial, "q-2", "wang@example.com", aftercare.StatusTriaged)
		untriaged := mustIncident(t, db, f.bareSerial, "q-3", "wang@example.com", aftercare.StatusNew)
		triaged := mustIncident(t, db, f.bareSerial, "q-4", "wang@example.com", aftercare.StatusTriaged)
		for _, tc := range []struct {
			name   string
			create aftercare.QuoteCreate
			code   string
		}{
			{"covered work", aftercare.QuoteCreate{IncidentID: covered.ID, CallOut: true}, aftercare.ECONFLICT},
			{"before triage", aftercare.QuoteCreate{IncidentID: untriaged.ID, CallOut: true}, aftercare.ECONFLICT},
			{"nothing to quote", aftercare.QuoteCreate{IncidentID: triaged.ID}, aftercare.EINVALID},
			{"a part without a price", aftercare.QuoteCreate{IncidentID: triaged.ID,
				Parts: []aftercare.PartRequest{{FRU: "09ZZ999", Quantity: 1}}}, aftercare.EINVALID},
			{"labour not in quarter hours", aftercare.QuoteCreate{IncidentID: triaged.ID, LabourHours: 1.1}, aftercare.EINVALID},
			{"an unknown incident", aftercare.QuoteCreate{IncidentID: newID(), CallOut: true}, aftercare.ENOTFOUND},
		} {
			_, err := store.CreateQuote(ctx, tc.create)
			assert.Equal(t, tc.code, aftercare.ErrorCode(err), "%s: %v", tc.name, err)
		}
		_, err := store.CreateQuote(asCustomer(other.userID, other.accountID), aftercare.QuoteCreate{IncidentID: triaged.ID, CallOut: true})
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err), "another account's incident")
	})
}

func TestPriceList(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustRepairFixture(t, db, "PRICE", "platinum", false)
	s := NewPriceListService(db)
	ctx := context.Background()
	all, err := s.FindPriceList(ctx, aftercare.PriceListFilter{Tier: aftercare.TierStandard, Region: "east"})
	require.NoError(t, err)
	var kinds []aftercare.PriceKind
	for _, e := range all {
		kinds = append(kinds, e.Kind)
	}
	assert.Equal(t, []aftercare.PriceKind{aftercare.PriceLabour, aftercare.PriceCallOut, aftercare.PricePart, aftercare.PricePart}, kinds)
	one, err := s.FindPriceList(ctx, aftercare.PriceListFilter{Tier: aftercare.TierStandard, Region: "east", FRU: f.psuFRU})
	require.NoError(t, err)
	require.Len(t, one, 3)
	assert.Equal(t, int64(210050), one[2].UnitPrice)
	_, err = s.FindPriceList(ctx, aftercare.PriceListFilter{Tier: "gold", Region: "east"})
	assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err))
}
