package postgres

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/jackc/pgx/v5"
)

// SurveyService sends satisfaction surveys and records their answers.
type SurveyService struct {
	db *DB
	// PublicURL is the base URL customers reach the API at; invitation
	// links are aftercare.SurveyLink(PublicURL, token).
	PublicURL string
	// Webhooks are the URLs each invitation is delivered to, through the
	// webhook outbox.
	Webhooks []string
}

var _ aftercare.SurveyService = (*SurveyService)(nil)

// NewSurveyService returns a SurveyService backed by db.
func NewSurveyService(db *DB) *SurveyService {
	return &SurveyService{db: db}
}

const surveySelect = `
	SELECT v.incident_id, i.account_id, v.contact_email, v.sent_at, v.expires_at, coalesce(v.score, 0),
		coalesce(v.comment, ''), v.answered_at
	FROM surveys v JOIN incidents i ON i.id = v.incident_id`

func scanSurvey(row pgx.CollectableRow) (*aftercare.Survey, error) {
	var v aftercare.Survey
	err := row.Scan(&v.IncidentID, &v.AccountID, &v.ContactEmail, &v.SentAt, &v.ExpiresAt, &v.Score, &v.Comment, &v.AnsweredAt)
	return &v, err
}

// hashSurveyToken returns what the database keeps of a survey token.
func hashSurveyToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CreateSurvey sends the survey of a resolved incident at now, once.
// Suppression belongs to one account: a contact who had a survey about
// another of the account's incidents within the suppression span gets none,
// and another account's surveys to the same address count for nothing (nor
// is their incident ever named). The contact's surveys within the account
// are serialised by an advisory lock on the account and address, so two
// incidents resolving together cannot both send within the span. A new survey gets a random token, kept only as its hash, and an
// invitation with its link, written to the webhook outbox for each of
// s.Webhooks in the same transaction (the webhook relay delivers it with
// retries and records the delivery).
func (s *SurveyService) CreateSurvey(ctx context.Context, incidentID string, now time.Time) (_ *aftercare.SurveyOutcome, err error) {
	defer wrap(&err, fmt.Sprintf("SurveyService.CreateSurvey(ctx, %q)", incidentID))
	var out *aftercare.SurveyOutcome
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		inc, err := findIncidentByID(ctx, tx, incidentID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('survey:' || $1 || ':' || lower($2), 0))`,
			inc.AccountID, inc.Contact.Email); err != nil {
			return err
		}
		if out, err = findSurveyOutcome(ctx, tx, incidentID); err != nil || out.Survey != nil || out.Suppressed != nil {
			return err // sent or suppressed before: the same outcome
		}
		var recent string
		err = tx.QueryRow(ctx, `
			SELECT v.incident_id FROM surveys v JOIN incidents i ON i.id = v.incident_id
			WHERE i.account_id = $1 AND lower(v.contact_email) = lower($2) AND v.sent_at > $3 AND v.sent_at <= $4
			ORDER BY v.sent_at DESC LIMIT 1`,
			inc.AccountID, inc.Contact.Email, now.Add(-aftercare.SurveySuppressionSpan), now).Scan(&recent)
		switch {
		case err == nil:
			sup := &aftercare.SurveySuppression{IncidentID: incidentID, ContactEmail: inc.Contact.Email, SuppressedAt: now,
				BecauseOf: recent}
			if _, err := tx.Exec(ctx, `
				INSERT INTO survey_suppressions (incident_id, contact_email, suppressed_at, because_of) VALUES ($1, $2, $3, $4)`,
				incidentID, sup.ContactEmail, now, recent); err != nil {
				return err
			}
			out = &aftercare.SurveyOutcome{Suppressed: sup}
			return writeAudit(ctx, tx, nil, "survey.suppress", "survey", incidentID, nil, sup)
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		token := aftercare.SurveyTokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
		expires := now.Add(aftercare.SurveyValidFor)
		if _, err := tx.Exec(ctx, `
			INSERT INTO surveys (incident_id, token, contact_email, sent_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			incidentID, hashSurveyToken(token), inc.Contact.Email, now, expires); err != nil {
			return err
		}
		if len(s.Webhooks) > 0 {
			body, err := json.Marshal(map[string]any{"kind": aftercare.SurveyInvitationKind, "incident_id": incidentID,
				"number": inc.Number, "account_id": inc.AccountID, "to": inc.Contact.Email, "name": inc.Contact.Name,
				"link": aftercare.SurveyLink(s.PublicURL, token), "expires_at": expires})
			if err != nil {
				return err
			}
			if err := enqueueWebhooks(ctx, tx, aftercare.SurveyInvitationKind+":"+incidentID, body, s.Webhooks); err != nil {
				return err
			}
		}
		if out, err = findSurveyOutcome(ctx, tx, incidentID); err != nil {
			return err
		}
		out.Survey.Token = token
		return writeAudit(ctx, tx, nil, "survey.send", "survey", incidentID, nil,
			map[string]any{"contact_email": inc.Contact.Email, "expires_at": expires, "webhooks": len(s.Webhooks)})
	})
	return out, err
}

// AnswerSurvey records the one answer of the survey a token names.
func (s *SurveyService) AnswerSurvey(ctx context.Context, a aftercare.SurveyAnswer) (_ *aftercare.Survey, err error) {
	defer wrap(&err, "SurveyService.AnswerSurvey")
	if err := a.Validate(); err != nil {
		return nil, err
	}
	var out *aftercare.Survey
	err = s.db.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, surveySelect+` WHERE v.token = $1 FOR UPDATE OF v`, hashSurveyToken(a.Token))
		if err != nil {
			return err
		}
		v, err := pgx.CollectExactlyOneRow(rows, scanSurvey)
		if errors.Is(err, pgx.ErrNoRows) {
			return aftercare.Errorf(aftercare.ENOTFOUND, "no survey has this link")
		}
		if err != nil {
			return err
		}
		var now time.Time
		if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
			return err
		}
		if err := v.CheckAnswerable(now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE surveys SET score = $2, comment = $3, answered_at = $4 WHERE incident_id = $1`,
			v.IncidentID, a.Score, a.Comment, now); err != nil {
			return err
		}
		v.Score, v.Comment, v.AnsweredAt = a.Score, a.Comment, &now
		out = v
		return writeAudit(ctx, tx, aftercare.UserFromContext(ctx), "survey.answer", "survey", v.IncidentID, nil,
			map[string]any{"score": a.Score, "comment": a.Comment})
	})
	return out, err
}

// AuthenticateSurveyToken returns EUNAUTHORIZED unless a survey has the
// token.
func (s *SurveyService) AuthenticateSurveyToken(ctx context.Context, token string) (err error) {
	defer wrap(&err, "SurveyService.AuthenticateSurveyToken")
	var known bool
	if err := s.db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT FROM surveys WHERE token = $1)`,
		hashSurveyToken(token)).Scan(&known); err != nil {
		return err
	}
	if !known {
		return aftercare.Errorf(aftercare.EUNAUTHORIZED, "this survey link is unknown")
	}
	return nil
}

// FindSurvey returns what became of an incident's survey, or ENOTFOUND for
// an incident outside the caller's scope.
func (s *SurveyService) FindSurvey(ctx context.Context, incidentID string) (_ *aftercare.SurveyOutcome, err error) {
	defer wrap(&err, fmt.Sprintf("SurveyService.FindSurvey(ctx, %q)", incidentID))
	if _, err := findIncidentByID(ctx, s.db.pool, incidentID); err != nil {
		return nil, err
	}
	return findSurveyOutcome(ctx, s.db.pool, incidentID)
}

// FindSurveys returns what became of the survey of each incident, as
// FindSurvey, in three queries: the incidents the caller sees, then their
// surveys and their suppressions. An incident outside the scope gets nil.
func (s *SurveyService) FindSurveys(ctx context.Context, incidentIDs []string) (_ []*aftercare.SurveyOutcome, err error) {
	defer wrap(&err, fmt.Sprintf("SurveyService.FindSurveys(ctx, %d IDs)", len(incidentIDs)))
	seen, ids, err := seenIDs(ctx, s.db.pool, "incidents i", "i.id", incidentIDs, scopeIncidents)
	if err != nil {
		return nil, err
	}
	found, err := findSurveyOutcomes(ctx, s.db.pool, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*aftercare.SurveyOutcome, len(incidentIDs))
	for i, id := range incidentIDs {
		if seen[rowKey(id)] {
			out[i] = found[rowKey(id)]
		}
	}
	return out, nil
}

// findSurveyOutcome reads an incident's survey or suppression; the caller
// has checked the scope.
func findSurveyOutcome(ctx context.Context, q querier, incidentID string) (*aftercare.SurveyOutcome, error) {
	found, err := findSurveyOutcomes(ctx, q, []string{incidentID})
	if err != nil {
		return nil, err
	}
	return found[rowKey(incidentID)], nil
}

// findSurveyOutcomes reads the survey or else the suppression of incidents
// whose scope the caller has checked, by incident ID in lower case: an
// empty outcome for an incident with neither.
func findSurveyOutcomes(ctx context.Context, q querier, incidentIDs []string) (map[string]*aftercare.SurveyOutcome, error) {
	out := make(map[string]*aftercare.SurveyOutcome, len(incidentIDs))
	for _, id := range incidentIDs {
		out[rowKey(id)] = &aftercare.SurveyOutcome{}
	}
	if len(incidentIDs) == 0 {
		return out, nil
	}
	rows, err := q.Query(ctx, surveySelect+` WHERE v.incident_id = ANY($1::uuid[])`, incidentIDs)
	if err != nil {
		return nil, err
	}
	surveys, err := pgx.CollectRows(rows, scanSurvey)
	if err != nil {
		return nil, err
	}
	for _, v := range surveys {
		out[v.IncidentID].Survey = v
	}
	rows, err = q.Query(ctx, `
		SELECT incident_id, contact_email, suppressed_at, because_of FROM survey_suppressions
		WHERE incident_id = ANY($1::uuid[])`, incidentIDs)
	if err != nil {
		return nil, err
	}
	var sup aftercare.SurveySuppression
	_, err = pgx.ForEachRow(rows, []any{&sup.IncidentID, &sup.ContactEmail, &sup.SuppressedAt, &sup.BecauseOf}, func() error {
		if o := out[sup.IncidentID]; o.Survey == nil {
			found := sup
			o.Suppressed = &found
		}
		return nil
	})
	return out, err
}
