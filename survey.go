package aftercare

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Survey timing: how long a survey link stays valid, and how long after a
// survey the same contact of the same account gets no other.
const (
	SurveyValidFor        = 14 * 24 * time.Hour
	SurveySuppressionSpan = 7 * 24 * time.Hour
)

// SurveyTokenPrefix starts every survey token, so a survey link's token is
// told apart from a signed-in user's credentials.
const SurveyTokenPrefix = "sv_"

// RoleSurveyRespondent is the role of whoever holds a survey link and calls
// the API with its token instead of an account. It is no user's role and may
// only answer the survey the token names.
const RoleSurveyRespondent Role = "survey_respondent"

// SurveyRespondent returns the caller of a survey link: not a user, the
// holder of a survey token.
func SurveyRespondent() *User {
	return &User{Username: "survey-link", DisplayName: "Survey respondent", Role: RoleSurveyRespondent}
}

// Survey asks the customer contact of a resolved incident how satisfied
// they were (DESIGN.md §1): one answer per incident, before it expires.
type Survey struct {
	IncidentID   string
	AccountID    string
	ContactEmail string
	SentAt       time.Time
	ExpiresAt    time.Time
	// Score (1–5), Comment and AnsweredAt are set once answered.
	Score      int
	Comment    string
	AnsweredAt *time.Time
	// Token is the secret of the survey link, known only when the survey is
	// created; the database keeps its hash.
	Token string
}

// CheckAnswerable returns an ECONFLICT error unless the survey may be
// answered at now: it takes one answer, before its link expires.
func (v *Survey) CheckAnswerable(now time.Time) error {
	switch {
	case v.AnsweredAt != nil:
		return Errorf(ECONFLICT, "this survey was already answered on %s; it takes one answer",
			v.AnsweredAt.UTC().Format(time.DateOnly))
	case !now.Before(v.ExpiresAt):
		return Errorf(ECONFLICT, "this survey link expired on %s", v.ExpiresAt.UTC().Format(time.DateOnly))
	}
	return nil
}

// SurveySuppression records a survey not sent because the contact had
// received one about another incident of the same account within
// SurveySuppressionSpan.
type SurveySuppression struct {
	IncidentID   string
	ContactEmail string
	SuppressedAt time.Time
	// BecauseOf is the incident whose survey the contact had received.
	BecauseOf string
}

// SurveyOutcome is what resolving an incident did about its survey: sent
// one, or suppressed it.
type SurveyOutcome struct {
	Survey     *Survey
	Suppressed *SurveySuppression
}

// SurveyInvitationKind is the kind of the notification that invites a
// contact to a survey: delivered to the configured webhooks (a mailer)
// with the contact's address, the incident's number and the survey link.
const SurveyInvitationKind = "survey.invitation"

// SurveyLinkPath is the path of the survey page under the API's public
// URL; the survey token follows it.
const SurveyLinkPath = "/survey/"

// SurveyLink returns the link a contact opens to answer a survey: the
// page at SurveyLinkPath under base, the public URL customers reach the
// API at, followed by the token (URL-safe base64, so it needs no
// escaping).
func SurveyLink(base, token string) string {
	return strings.TrimRight(base, "/") + SurveyLinkPath + token
}

// MaxSurveyCommentLength bounds a survey comment, in characters.
const MaxSurveyCommentLength = 2000

// SurveyAnswer is a customer's answer to a survey, by its token.
type SurveyAnswer struct {
	Token   string
	Score   int
	Comment string
}

// Validate returns EINVALID when the answer is out of range.
func (a *SurveyAnswer) Validate() error {
	a.Token = strings.TrimSpace(a.Token)
	a.Comment = strings.TrimSpace(a.Comment)
	switch {
	case a.Token == "":
		return Errorf(EINVALID, "the survey token is required")
	case a.Score < 1 || a.Score > 5:
		return Errorf(EINVALID, "score must be 1 to 5, not %d", a.Score)
	case utf8.RuneCountInString(a.Comment) > MaxSurveyCommentLength:
		return Errorf(EINVALID, "comment must be at most %d characters", MaxSurveyCommentLength)
	}
	return nil
}

// SurveyService sends satisfaction surveys and takes their answers.
type SurveyService interface {
	// CreateSurvey sends the survey of a resolved incident at now, once:
	// again it returns what the first call did. A contact who received a
	// survey about another of the account's incidents within
	// SurveySuppressionSpan gets none; the suppression is recorded instead.
	// Other accounts' surveys never suppress one.
	CreateSurvey(ctx context.Context, incidentID string, now time.Time) (*SurveyOutcome, error)
	// AnswerSurvey records the answer to the survey the token names:
	// ENOTFOUND for an unknown token, ECONFLICT for an expired or already
	// answered survey.
	AnswerSurvey(ctx context.Context, answer SurveyAnswer) (*Survey, error)
	// AuthenticateSurveyToken returns EUNAUTHORIZED unless token is the
	// token of a survey that was sent: whoever holds a survey link is known
	// before anything they send is looked at.
	AuthenticateSurveyToken(ctx context.Context, token string) error
	// FindSurvey returns what became of an incident's survey (an empty
	// outcome before it resolved), or ENOTFOUND for an incident the caller
	// may not see.
	FindSurvey(ctx context.Context, incidentID string) (*SurveyOutcome, error)
	// FindSurveys is FindSurvey for many incidents, in three queries: the
	// outcome of each, in the order of incidentIDs, nil where FindSurvey
	// would answer ENOTFOUND.
	FindSurveys(ctx context.Context, incidentIDs []string) ([]*SurveyOutcome, error)
}
