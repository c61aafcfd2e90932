// Package web serves the web app: the pages and assets Vite builds from
// this folder's TypeScript into dist/app, embedded into the binary so that
// it needs nothing beside it (no CDN, no tile server). The GraphQL console
// is one of its pages, at /console/.
package web

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// dist holds the built app; dist/README.md keeps the folder present
// before the first build, so that the Go code always compiles.
//
//go:embed all:dist
var dist embed.FS

// contentSecurityPolicy lets pages load only what the binary serves, and
// talk only to it.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Handler serves the built app: files under /assets/ for a year (their
// names carry their content's hash), the console at /console/, and the
// app's page at every other path, so that its own routes survive a reload.
// Before the app is built it answers 503 saying how to build it.
func Handler() http.Handler {
	return handler(dist)
}

func handler(files fs.FS) http.Handler {
	app, err := fs.Sub(files, "dist/app")
	if err != nil {
		panic(err)
	}
	serveFile := http.FileServerFS(app)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		p := path.Clean("/" + r.URL.Path)
		switch {
		case strings.HasPrefix(p, "/assets/") && exists(app, p[1:]):
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
			serveFile.ServeHTTP(w, r)
		case strings.HasPrefix(p, "/assets/"):
			http.NotFound(w, r)
		case r.URL.Path == "/console":
			http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
		case p == "/console" || strings.HasPrefix(p, "/console/"):
			page(w, r, app, "console/index.html")
		default:
			page(w, r, app, "index.html")
		}
	})
}

// page serves one of the app's HTML pages, which browsers must ask for
// afresh so that a new build's assets are found.
func page(w http.ResponseWriter, r *http.Request, app fs.FS, name string) {
	b, err := fs.ReadFile(app, name)
	if err != nil {
		http.Error(w, "The web app is not built: run `make build` (it runs `npm ci && npm run build` in web/).",
			http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}

func exists(app fs.FS, name string) bool {
	st, err := fs.Stat(app, name)
	return err == nil && !st.IsDir()
}
