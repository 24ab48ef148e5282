package mirror

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sigaudit/sigaudit/source"
)

// Server serves a tree laid out by Build or BuildHistory the way
// python.org does, for benchmarks and request-counting tests: files under
// FTPPath with Apache-style directory listings (sort links with query
// strings, a parent link, one <a> per entry), the release_file API at
// APIPath from the tree's api.json, Delay added before every answer. It
// counts requests (by path and status) and connections. Hook ConnState
// into the http.Server that serves it.
type Server struct {
	root  *os.Root
	Delay time.Duration
	// Synthetic serves an empty artifact placeholder as as many
	// deterministic bytes as the API's filesize says (a download costs
	// what python.org's would, without storing it).
	Synthetic bool

	sizes    map[string]int64
	mu       sync.Mutex
	byPath   map[string]int
	byStatus map[int]int
	reqs     atomic.Int64
	conns    atomic.Int64
	open     atomic.Int64
	peak     atomic.Int64
	bytes    atomic.Int64
	aborted  atomic.Int64
}

// Paths the Server answers on.
const (
	FTPPath = "/ftp/python/"
	APIPath = "/api/v2/downloads/release_file/"
)

// NewServer serves the tree at dir.
func NewServer(dir string) (*Server, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	s := &Server{root: r, sizes: map[string]int64{}}
	if b, err := r.ReadFile("api.json"); err == nil {
		var rows []source.APIRow
		if json.Unmarshal(b, &rows) == nil {
			for _, row := range rows {
				if u, err := url.Parse(row.URL); err == nil {
					s.sizes[path.Base(path.Dir(u.Path))+"/"+path.Base(u.Path)] = int64(row.Size)
				}
			}
		}
	}
	s.Reset()
	return s, nil
}

// Close releases the tree.
func (s *Server) Close() error { return s.root.Close() }

// Stats are what a Server counted since the last Reset.
type Stats struct {
	Requests    int64
	Connections int64 // opened
	PeakOpen    int64 // most connections open at once
	Bytes       int64 // body bytes sent
	Aborted     int64 // answers the client stopped reading (write failed)
	NotFound    int
	ByPath      map[string]int
	ByStatus    map[int]int
}

// Repeated lists the paths requested more than once, with their counts.
func (st Stats) Repeated() []string {
	var out []string
	for p, n := range st.ByPath {
		if n > 1 {
			out = append(out, fmt.Sprintf("%s x%d", p, n))
		}
	}
	sort.Strings(out)
	return out
}

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Requests: s.reqs.Load(), Connections: s.conns.Load(), PeakOpen: s.peak.Load(), Bytes: s.bytes.Load(),
		Aborted: s.aborted.Load(), NotFound: s.byStatus[http.StatusNotFound], ByPath: map[string]int{}, ByStatus: map[int]int{}}
	for p, n := range s.byPath {
		st.ByPath[p] = n
	}
	for c, n := range s.byStatus {
		st.ByStatus[c] = n
	}
	return st
}

// Reset zeroes the counts (open connections stay counted as open).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byPath, s.byStatus = map[string]int{}, map[int]int{}
	s.reqs.Store(0)
	s.conns.Store(0)
	s.peak.Store(s.open.Load())
	s.bytes.Store(0)
	s.aborted.Store(0)
}

// WaitIdle waits, at most d, until no connection is open (those of an
// earlier client closing), so that PeakOpen after Reset counts one client.
func (s *Server) WaitIdle(d time.Duration) {
	for end := time.Now().Add(d); s.open.Load() > 0 && time.Now().Before(end); {
		time.Sleep(5 * time.Millisecond)
	}
}

// ConnState counts connections; set it as the http.Server's ConnState.
func (s *Server) ConnState(_ net.Conn, st http.ConnState) {
	switch st {
	case http.StateNew:
		s.conns.Add(1)
		n := s.open.Add(1)
		for {
			p := s.peak.Load()
			if n <= p || s.peak.CompareAndSwap(p, n) {
				break
			}
		}
	case http.StateClosed, http.StateHijacked:
		s.open.Add(-1)
	}
}

type countingWriter struct {
	http.ResponseWriter
	s      *Server
	status int
	failed bool
}

func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.s.bytes.Add(int64(n))
	if err != nil && !w.failed {
		w.failed = true
		w.s.aborted.Add(1)
	}
	return n, err
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if s.Delay > 0 {
		time.Sleep(s.Delay)
	}
	w := &countingWriter{ResponseWriter: rw, s: s}
	s.serve(w, r)
	if w.status == 0 {
		w.status = http.StatusOK
	}
	s.reqs.Add(1)
	s.mu.Lock()
	s.byPath[r.URL.Path]++
	s.byStatus[w.status]++
	s.mu.Unlock()
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if r.URL.Path == APIPath {
		f, err := s.root.Open("api.json")
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		w.Header().Set("Content-Type", "application/json")
		io.Copy(w, f)
		return
	}
	rel, ok := strings.CutPrefix(r.URL.Path, FTPPath)
	if !ok {
		http.NotFound(w, r)
		return
	}
	isDir := rel == "" || strings.HasSuffix(rel, "/")
	rel = strings.TrimSuffix(rel, "/")
	name := rel
	if name == "" {
		name = "."
	}
	if name != "." && (!fs.ValidPath(name) || strings.Contains(name, "\\")) {
		http.NotFound(w, r)
		return
	}
	st, err := s.root.Stat(name)
	if err != nil || name == "api.json" {
		http.NotFound(w, r)
		return
	}
	if st.IsDir() {
		if !isDir {
			http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
			return
		}
		s.listing(w, r, name)
		return
	}
	if isDir || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	if size := s.sizes[rel]; s.Synthetic && st.Size() == 0 && size > 0 {
		w.Header().Set("Content-Length", fmt.Sprint(size))
		w.Header().Set("Content-Type", "application/octet-stream")
		synthetic(w, size)
		return
	}
	f, err := s.root.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Length", fmt.Sprint(st.Size()))
	w.Header().Set("Content-Type", "application/octet-stream")
	io.Copy(w, f)
}

// synthetic writes n deterministic bytes.
func synthetic(w io.Writer, n int64) {
	buf := make([]byte, 64<<10)
	x := uint32(2463534242)
	for i := range buf {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		buf[i] = byte(x)
	}
	for n > 0 {
		k := min(n, int64(len(buf)))
		if _, err := w.Write(buf[:k]); err != nil {
			return
		}
		n -= k
	}
}

func (s *Server) listing(w http.ResponseWriter, r *http.Request, name string) {
	f, err := s.root.Open(name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		http.Error(w, "cannot list", http.StatusInternalServerError)
		return
	}
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
	title := html.EscapeString(r.URL.Path)
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of %s</title>\n </head>\n <body>\n<h1>Index of %s</h1>\n", title, title)
	b.WriteString(`<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>                    <a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a>  <a href="?C=D;O=A">Description</a><hr>`)
	b.WriteString(`<img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="../">Parent Directory</a>                             -   ` + "\n")
	for _, e := range ents {
		n := e.Name()
		if name == "." && n == "api.json" {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		href, size := url.PathEscape(n), fmt.Sprint(info.Size())
		if e.IsDir() {
			href, n, size = href+"/", n+"/", "-"
		}
		if sz := s.sizes[path.Join(name, e.Name())]; s.Synthetic && sz > 0 {
			size = fmt.Sprint(sz)
		}
		fmt.Fprintf(&b, "<img src=\"/icons/unknown.gif\" alt=\"[   ]\"> <a href=\"%s\">%s</a> %s  %s  \n", html.EscapeString(href), html.EscapeString(n), info.ModTime().UTC().Format("2006-01-02 15:04"), size)
	}
	b.WriteString("<hr></pre>\n</body></html>\n")
	w.Header().Set("Content-Type", "text/html;charset=UTF-8")
	io.WriteString(w, b.String())
}
