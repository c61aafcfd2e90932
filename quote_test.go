package aftercare_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/aftercare/aftercare"
)

func TestQuoteCheckDecision(t *testing.T) {
	until := time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC)
	before, at := until.Add(-time.Second), until
	quote := func(s aftercare.QuoteState) *aftercare.Quote { return &aftercare.Quote{State: s, ValidUntil: &until} }
	approve, reject := aftercare.QuoteDecision{Approve: true}, aftercare.QuoteDecision{Note: "too dear"}
	const expired = "the quote expired unanswered at 2026-03-16T09:00:00Z (quotes hold 14 days); it can no longer be approved, ask for a new quote"
	tests := []struct {
		name    string
		quote   *aftercare.Quote
		d       aftercare.QuoteDecision
		now     time.Time
		to      aftercare.QuoteState
		changes bool
		err     string
	}{
		{"approve a sent quote", quote(aftercare.QuoteSent), approve, before, aftercare.QuoteApproved, true, ""},
		{"reject a sent quote", quote(aftercare.QuoteSent), reject, before, aftercare.QuoteRejected, true, ""},
		{"approve again", quote(aftercare.QuoteApproved), approve, at, aftercare.QuoteApproved, false, ""},
		{"reject again", quote(aftercare.QuoteRejected), reject, at, aftercare.QuoteRejected, false, ""},
		{"approve as it lapses", quote(aftercare.QuoteSent), approve, at, "", false, expired},
		{"reject a lapsed quote", quote(aftercare.QuoteSent), reject, at, aftercare.QuoteRejected, true, ""},
		{"approve an expired quote", quote(aftercare.QuoteExpired), approve, before, "", false, expired},
		{"reject an expired quote", quote(aftercare.QuoteExpired), reject, before, "", false, expired},
		{"approve a rejected quote", quote(aftercare.QuoteRejected), approve, before, "", false,
			"the quote is rejected; only a sent quote can be approved"},
		{"reject a draft", quote(aftercare.QuoteDraft), reject, before, "", false,
			"the quote is draft; only a sent quote can be rejected"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			to, changes, err := tt.quote.CheckDecision(tt.d, tt.now)
			if tt.err != "" {
				assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "CheckDecision(%+v) = %v, want ECONFLICT", tt.d, err)
				got := aftercare.ErrorMessage(err)
				assert.Equal(t, tt.err, got, "CheckDecision(%+v) = %q, want %q", tt.d, got, tt.err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.to, to, "CheckDecision(%+v) = %q, want %q", tt.d, to, tt.to)
			assert.Equal(t, tt.changes, changes, "CheckDecision(%+v) changes = %v, want %v", tt.d, changes, tt.changes)
		})
	}
}

func TestQuoteCheckSend(t *testing.T) {
	tests := []struct {
		state   aftercare.QuoteState
		changes bool
		err     string
	}{
		{aftercare.QuoteDraft, true, ""},
		{aftercare.QuoteSent, false, ""},
		{aftercare.QuoteApproved, false, "the quote is approved; only a draft is sent"},
		{aftercare.QuoteExpired, false, "the quote is expired; only a draft is sent"},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			changes, err := (&aftercare.Quote{State: tt.state}).CheckSend()
			if tt.err != "" {
				assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "CheckSend(%s) = %v, want ECONFLICT", tt.state, err)
				assert.Equal(t, tt.err, aftercare.ErrorMessage(err))
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.changes, changes, "CheckSend(%s) = %v, want %v", tt.state, changes, tt.changes)
		})
	}
}

func TestQuoteDecisionValidate(t *testing.T) {
	tests := []struct {
		name string
		d    aftercare.QuoteDecision
		want string
	}{
		{"approval without a note", aftercare.QuoteDecision{Approve: true}, ""},
		{"rejection with a reason", aftercare.QuoteDecision{Note: "  too dear "}, ""},
		{"rejection without a reason", aftercare.QuoteDecision{Note: "   "}, "a rejection needs a reason"},
		{"note too long", aftercare.QuoteDecision{Approve: true, Note: strings.Repeat("x", aftercare.MaxRepairTextLength+1)},
			"the note must be at most 4000 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.d
			d.Normalize()
			err := d.Validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, aftercare.EINVALID, aftercare.ErrorCode(err), "Validate(%+v) = %v, want EINVALID", tt.d, err)
			assert.Equal(t, tt.want, aftercare.ErrorMessage(err))
		})
	}
}

func TestIncidentCheckQuotable(t *testing.T) {
	notCovered := &aftercare.Coverage{Reason: "out of warranty"}
	covered := &aftercare.Coverage{Covered: true, Reason: "hardware failure under base warranty until 2026-06-30"}
	tests := []struct {
		name     string
		coverage *aftercare.Coverage
		status   aftercare.IncidentStatus
		want     string
	}{
		{"triaged and not covered", notCovered, aftercare.StatusTriaged, ""},
		{"no coverage recorded", nil, aftercare.StatusTriaged,
			"incident 7 was filed before coverage was recorded; it is served as covered and is not quoted"},
		{"covered", covered, aftercare.StatusTriaged,
			"the work of incident 7 is covered (hardware failure under base warranty until 2026-06-30); covered work is not quoted"},
		{"not yet triaged", notCovered, aftercare.StatusNew,
			"incident 7 is new; a quote is prepared once it is triaged, before dispatch"},
		{"already quoted", notCovered, aftercare.StatusQuoted,
			"incident 7 is quoted; a quote is prepared once it is triaged, before dispatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&aftercare.Incident{Number: 7, Status: tt.status, Coverage: tt.coverage}).CheckQuotable()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, aftercare.ECONFLICT, aftercare.ErrorCode(err), "CheckQuotable() = %v, want ECONFLICT", err)
			got := aftercare.ErrorMessage(err)
			assert.Equal(t, tt.want, got, "CheckQuotable() = %q, want %q", got, tt.want)
		})
	}
}
