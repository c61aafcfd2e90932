package graph

import (
	"bytes"
	"crypto/sha256"
	_ "embed" // the survey page
	"encoding/base64"
	"net/http"
)

// surveyPageHTML is the page a survey link opens: self-contained (its
// style and script inline, no other asset), it reads the token from its
// own path in the browser and posts answerSurvey to the API with it.
//
//go:embed survey_page.html
var surveyPageHTML []byte

// surveyPagePolicy is the page's Content-Security-Policy: nothing loads or
// runs but its own inline style and script (allowed by their hashes), it
// talks only to its own origin, and no other site may frame it.
var surveyPagePolicy = "default-src 'none'; " +
	"script-src " + inlineHash(surveyPageHTML, "<script>", "</script>") + "; " +
	"style-src " + inlineHash(surveyPageHTML, "<style>", "</style>") + "; " +
	"connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"

// inlineHash returns the CSP source ('sha256-…') of the text between the
// first open and close tags of page.
func inlineHash(page []byte, open, close string) string {
	_, rest, ok := bytes.Cut(page, []byte(open))
	body, _, ok2 := bytes.Cut(rest, []byte(close))
	if !ok || !ok2 {
		panic("survey page: no " + open + " element")
	}
	sum := sha256.Sum256(body)
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// surveyPage serves the survey page for any path under /survey/. The
// response is the same bytes whatever the path: the token is never echoed
// by the server, only read by the page's script. The page is not cached
// and sends no Referer, so the link's token does not leak to caches or
// other sites; nothing on this path is logged.
func surveyPage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", surveyPagePolicy)
		_, _ = w.Write(surveyPageHTML)
	})
}
