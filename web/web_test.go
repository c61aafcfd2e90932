package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
)

func get(h http.Handler, target string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
	return w
}

func TestHandlerServesPagesAndAssets(t *testing.T) {
	h := handler(fstest.MapFS{
		"dist/app/index.html":          {Data: []byte("<title>app</title>")},
		"dist/app/console/index.html":  {Data: []byte("<title>console</title>")},
		"dist/app/assets/main-1a2b.js": {Data: []byte("console.log(1)")},
	})

	for _, target := range []string{"/", "/board", "/it/incidents/42", "/../../etc/passwd"} {
		w := get(h, target)
		assert.Equal(t, http.StatusOK, w.Code, target)
		assert.Equal(t, "<title>app</title>", w.Body.String(), target)
		assert.Equal(t, "no-cache", w.Header().Get("Cache-Control"), target)
		assert.Contains(t, w.Header().Get("Content-Security-Policy"), "default-src 'self'", target)
	}

	w := get(h, "/console/")
	assert.Equal(t, "<title>console</title>", w.Body.String())
	w = get(h, "/console")
	assert.Equal(t, http.StatusMovedPermanently, w.Code)
	assert.Equal(t, "/console/", w.Header().Get("Location"))

	w = get(h, "/assets/main-1a2b.js")
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, "console.log(1)", w.Body.String())
	assert.Contains(t, w.Header().Get("Cache-Control"), "immutable")

	w = get(h, "/assets/missing.js")
	assert.Equal(t, http.StatusNotFound, w.Code, "a missing asset is not answered with the page")
}

func TestHandlerSaysHowToBuildWhenNotBuilt(t *testing.T) {
	h := handler(fstest.MapFS{"dist/README.md": {Data: []byte("x")}})
	w := get(h, "/")
	assert.Equal(t, http.StatusServiceUnavailable, w.Code)
	assert.Contains(t, w.Body.String(), "make build")
}
