package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

const indexFile = "index.html"

// Vite names everything under assets/ by content hash, so those files never
// change and may be cached for a year. Everything else (index.html above all)
// must be revalidated so a new release is picked up on the next load.
const (
	cacheImmutable  = "public, max-age=31536000, immutable"
	cacheRevalidate = "no-cache"
)

// contentSecurityPolicy keeps the page to its own origin. The refresh token
// lives in localStorage, so refusing third-party and inline scripts is the
// main defence against it being read by injected code.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; " +
	"base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// reservedPrefixes are owned by the API: an unknown path there is a 404, never
// the dashboard, so API clients get a clear answer.
var reservedPrefixes = []string{"v1/"}

// NewHandler serves the dashboard build in fsys (the contents of dist/):
// files as they are, index.html for unknown page paths so client-side routes
// survive a reload, and 404 for missing assets. If fsys holds no index.html
// the app was not built and every request gets a page saying how to build it.
func NewHandler(fsys fs.FS) http.Handler {
	if st, err := fs.Stat(fsys, indexFile); err != nil || st.IsDir() {
		return notBuilt{}
	}
	return &handler{fsys: fsys}
}

type handler struct {
	fsys    fs.FS
	etags   sync.Map // file name -> quoted ETag
	gzipped sync.Map // file name -> gzip-compressed contents
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" {
		name = indexFile
	}
	switch {
	case isReserved(name):
		http.NotFound(w, r)
	case h.serveFile(w, r, name):
	case looksLikeFile(name):
		http.NotFound(w, r)
	default:
		h.serveFile(w, r, indexFile)
	}
}

// serveFile writes the named file and reports whether it existed.
func (h *handler) serveFile(w http.ResponseWriter, r *http.Request, name string) bool {
	data, err := fs.ReadFile(h.fsys, name)
	if err != nil {
		return false
	}
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		hdr.Set("Content-Type", ct)
	}
	if name == indexFile {
		hdr.Set("Content-Security-Policy", contentSecurityPolicy)
		hdr.Set("Referrer-Policy", "same-origin")
	}
	body, suffix := data, ""
	if compressible(name, data) {
		hdr.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			body, suffix = h.gzip(name, data), "-gzip"
			hdr.Set("Content-Encoding", "gzip")
		}
	}
	if strings.HasPrefix(name, "assets/") {
		hdr.Set("Cache-Control", cacheImmutable)
	} else {
		hdr.Set("Cache-Control", cacheRevalidate)
		hdr.Set("ETag", h.etag(name, data, suffix))
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	return true
}

// etag is computed once per file: embedded files never change while the
// process runs. Each encoding of a file gets its own tag.
func (h *handler) etag(name string, data []byte, suffix string) string {
	if v, ok := h.etags.Load(name); ok {
		return `"` + v.(string) + suffix + `"`
	}
	sum := sha256.Sum256(data)
	tag := hex.EncodeToString(sum[:12])
	h.etags.Store(name, tag)
	return `"` + tag + suffix + `"`
}

// gzip compresses a file once and keeps the result: the bundle is a few
// hundred kilobytes of text that shrinks to a third.
func (h *handler) gzip(name string, data []byte) []byte {
	if v, ok := h.gzipped.Load(name); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = zw.Write(data)                                    // writes to a bytes.Buffer do not fail
	_ = zw.Close()
	out := buf.Bytes()
	h.gzipped.Store(name, out)
	return out
}

// minGzipSize is where compressing stops paying for the extra header bytes.
const minGzipSize = 1024

var textExts = map[string]bool{".html": true, ".js": true, ".mjs": true, ".css": true, ".svg": true, ".json": true, ".txt": true, ".map": true, ".webmanifest": true}

func compressible(name string, data []byte) bool {
	return len(data) >= minGzipSize && textExts[path.Ext(name)]
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) listed without q=0.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		if coding != "gzip" && coding != "*" {
			continue
		}
		return qualityOf(params) > 0
	}
	return false
}

func qualityOf(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return q
		}
	}
	return 1
}

func isReserved(name string) bool {
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name+"/", p) {
			return true
		}
	}
	return false
}

// looksLikeFile tells a request for a missing file (an old hashed asset, a
// favicon) from a client-side route, which has no extension.
func looksLikeFile(name string) bool {
	return strings.HasPrefix(name, "assets/") || path.Ext(name) != ""
}

// notBuilt answers when the binary was compiled before `make web`.
type notBuilt struct{}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OmniFy</title></head>
<body><h1>OmniFy dashboard is not built</h1>
<p>This binary was compiled without the dashboard build. Run <code>make web</code>
(or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>) and rebuild omnify.
The API is available under <code>/v1</code>.</p></body></html>
`

func (notBuilt) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", cacheRevalidate)
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(notBuiltPage))
	}
}
