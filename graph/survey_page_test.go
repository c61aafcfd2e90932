package graph

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/graph/generated"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
)

// surveyPageQuery finds the GraphQL document the survey page posts.
var surveyPageQuery = regexp.MustCompile(`query: "(mutation AnswerSurvey[^"]*)"`)

func TestSurveyPageIsServedWithoutEchoingTheToken(t *testing.T) {
	srv := httptest.NewServer(NewHandler(&Resolver{}, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()
	for _, path := range []string{
		"/survey/sv_Q2h1bmt5VG9rZW5WYWx1ZUZvclRlc3RpbmdfXzEyMzQ1Njc4OTA",
		"/survey/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
		"/survey/",
	} {
		t.Run(path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + path)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			assert.Equal(t, "text/html; charset=utf-8", resp.Header.Get("Content-Type"))
			assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"), "the link's page is not cached")
			assert.Equal(t, "no-referrer", resp.Header.Get("Referrer-Policy"), "the token does not leak in a Referer")
			assert.Equal(t, surveyPageHTML, body, "the same page whatever the path: nothing of it is echoed")
			segment := path[strings.LastIndex(path, "/")+1:]
			if segment != "" {
				assert.NotContains(t, string(body), segment)
				assert.NotContains(t, string(body), "<script>alert(1)")
			}
		})
	}
}

func TestSurveyPagePolicyAllowsOnlyItsOwnInlineCode(t *testing.T) {
	csp := surveyPagePolicy
	for _, tag := range []string{"script", "style"} {
		m := regexp.MustCompile(`(?s)<`+tag+`>(.*?)</`+tag+`>`).FindAllSubmatch(surveyPageHTML, -1)
		require.Len(t, m, 1, "one inline %s", tag)
		sum := sha256.Sum256(m[0][1])
		assert.Contains(t, csp, tag+"-src 'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	assert.Contains(t, csp, "default-src 'none'")
	assert.Contains(t, csp, "connect-src 'self'", "the page talks to its own origin only")
	assert.NotContains(t, string(surveyPageHTML), "src=\"http", "no external asset")
	assert.NotContains(t, string(surveyPageHTML), "href=\"http", "no external asset")
}

// TestSurveyPageSendsAValidAnswerSurvey checks the page's side of the
// contract: the mutation it posts is valid against the schema, with the
// token as the bearer credential and the page's own origin's /query.
func TestSurveyPageSendsAValidAnswerSurvey(t *testing.T) {
	m := surveyPageQuery.FindSubmatch(surveyPageHTML)
	require.NotNil(t, m, "the page posts an AnswerSurvey mutation")
	schema := generated.NewExecutableSchema(generated.Config{Resolvers: &Resolver{}}).Schema()
	_, errs := gqlparser.LoadQueryWithRules(schema, string(m[1]), nil)
	assert.Empty(t, errs, "the page's mutation is valid against the schema")
	page := string(surveyPageHTML)
	assert.Contains(t, page, `"Authorization": "Bearer " + token`)
	assert.Contains(t, page, `new URL("../query", location.href)`, "/survey/<token> posts to /query beside it")
	for _, code := range []string{"ECONFLICT", "ENOTFOUND", "EINVALID"} {
		assert.Contains(t, page, `case "`+code+`"`, "the page explains %s", code)
	}
}
