package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aftercare/aftercare"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// surveyInvitation waits for the survey invitation of an incident to reach
// the webhook receiver and returns its link.
func surveyInvitation(t *testing.T, hook *receiver, incidentID string) string {
	t.Helper()
	var invitation map[string]any
	waitFor(t, 30*time.Second, "the survey invitation at the webhook", func() bool {
		hook.mu.Lock()
		defer hook.mu.Unlock()
		for _, body := range hook.first {
			if body["kind"] == aftercare.SurveyInvitationKind && body["incident_id"] == incidentID {
				invitation = body
				return true
			}
		}
		return false
	})
	assert.Equal(t, "zhao.lei@example.com", invitation["to"], "to the incident's contact")
	assert.NotZero(t, invitation["number"], "with the incident's number")
	link, _ := invitation["link"].(string)
	return link
}

// surveyPageQuery finds the GraphQL document the survey page posts.
var surveyPageQuery = regexp.MustCompile(`query: "(mutation AnswerSurvey[^"]*)"`)

// surveyPage is the page a survey link opens, as far as the API sees it:
// the mutation its script posts.
type surveyPage struct {
	query string
}

// surveyPageOf opens a survey link's page and reads the mutation it posts.
func surveyPageOf(t *testing.T, link string) *surveyPage {
	t.Helper()
	resp, err := http.Get(link)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
	m := surveyPageQuery.FindSubmatch(body)
	require.NotNil(t, m, "the page posts answerSurvey")
	return &surveyPage{query: string(m[1])}
}

// answer sends what the page's script sends when the form is submitted:
// the same document and variables, the token as the bearer credential,
// from the API's own origin, with no cookies.
func (p *surveyPage) answer(t *testing.T, baseURL, token string, score int, comment string) *gqlResponse {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": p.query,
		"variables": map[string]any{"token": token, "score": score, "comment": comment}})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, baseURL+"/query", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Origin", baseURL)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := &gqlResponse{Status: resp.StatusCode}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
	return out
}
