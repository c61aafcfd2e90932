package postgres

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQuoteExpiresAfterItsValidity(t *testing.T) {
	db := mustTestDB(t, nil)
	f := mustRepairFixture(t, db, "QEXPIRY", "platinum", false)
	store := NewQuoteStore(db)
	ctx := context.Background()
	own := asCustomer(f.userID, f.accountID)

	// sentQuote files an incident whose work is not covered and sends it a
	// quote; lapsed moves the quote's validity into the past.
	sentQuote := func(requestID string, lapsed bool) *aftercare.Quote {
		t.Helper()
		inc := mustIncident(t, db, f.bareSerial, requestID, "wang@example.com", aftercare.StatusTriaged)
		q, err := store.CreateQuote(ctx, aftercare.QuoteCreate{IncidentID: inc.ID, CallOut: true})
		require.NoError(t, err)
		q, err = store.MarkQuoteSent(ctx, q.ID)
		require.NoError(t, err)
		if lapsed {
			_, err := db.pool.Exec(ctx, `UPDATE quotes SET sent_at = sent_at - interval '15 days',
				valid_until = valid_until - interval '15 days' WHERE id = $1`, q.ID)
			require.NoError(t, err)
		}
		return q
	}

	t.Run("a sent quote holds for QuoteValidFor", func(t *testing.T) {
		q := sentQuote("qx-1", false)
		require.NotNil(t, q.ValidUntil)
		assert.Equal(t, q.SentAt.Add(aftercare.QuoteValidFor), *q.ValidUntil)
		still, err := store.ExpireQuote(ctx, q.IncidentID)
		require.NoError(t, err)
		require.NotNil(t, still, "a quote still valid is returned as it is")
		assert.Equal(t, aftercare.QuoteSent, still.State)
		approved, err := store.DecideQuote(own, aftercare.QuoteDecision{QuoteID: q.ID, Approve: true})
		require.NoError(t, err)
		assert.Equal(t, aftercare.QuoteApproved, approved.State, "approved within its validity")
		gone, err := store.ExpireQuote(ctx, q.IncidentID)
		require.NoError(t, err)
		assert.Nil(t, gone, "an answered quote does not expire")
	})

	t.Run("approval after the validity, before the workflow expired it", func(t *testing.T) {
		q := sentQuote("qx-2", true)
		_, err := store.DecideQuote(own, aftercare.QuoteDecision{QuoteID: q.ID, Approve: true})
		assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err))
		assert.Contains(t, aftercare.ErrorMessage(err), "expired unanswered")
		found, err := store.FindQuoteByID(ctx, q.ID)
		require.NoError(t, err)
		assert.Equal(t, aftercare.QuoteSent, found.State, "refusing changed nothing")
		rejected, err := store.DecideQuote(own, aftercare.QuoteDecision{QuoteID: q.ID, Note: "too dear"})
		require.NoError(t, err, "a lapsed quote may still be declined, with the customer's reason")
		assert.Equal(t, aftercare.QuoteRejected, rejected.State)
	})

	t.Run("expired, then approval refused", func(t *testing.T) {
		q := sentQuote("qx-3", true)
		expired, err := store.ExpireQuote(ctx, q.IncidentID)
		require.NoError(t, err)
		require.NotNil(t, expired)
		assert.Equal(t, aftercare.QuoteExpired, expired.State)
		assert.Equal(t, "expired unanswered", expired.DecisionNote)
		require.NotNil(t, expired.DecidedAt)
		again, err := store.ExpireQuote(ctx, q.IncidentID)
		require.NoError(t, err)
		assert.Nil(t, again, "expiring again does nothing")

		for _, d := range []aftercare.QuoteDecision{{QuoteID: q.ID, Approve: true}, {QuoteID: q.ID, Note: "no"}} {
			_, err = store.DecideQuote(own, d)
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "%+v", d)
			assert.Contains(t, aftercare.ErrorMessage(err), "expired unanswered")
		}
		var audits int
		require.NoError(t, db.pool.QueryRow(ctx, `
			SELECT count(*) FROM audit_events WHERE object_type = 'quote' AND object_id = $1 AND action = 'quote.expire'`,
			q.ID).Scan(&audits))
		assert.Equal(t, 1, audits, "the expiry is audited once")
		_, err = store.CreateQuote(ctx, aftercare.QuoteCreate{IncidentID: q.IncidentID, CallOut: true})
		assert.NoError(t, err, "an expired quote is not open: a new one may be prepared")
	})

	t.Run("an incident without a sent quote", func(t *testing.T) {
		inc := mustIncident(t, db, f.bareSerial, "qx-4", "wang@example.com", aftercare.StatusAwaitingCustomer)
		got, err := store.ExpireQuote(ctx, inc.ID)
		require.NoError(t, err)
		assert.Nil(t, got)
		_, err = store.ExpireQuote(ctx, "not-an-id")
		assert.Equal(t, aftercare.ENOTFOUND, aftercare.ErrorCode(err))
	})
}
