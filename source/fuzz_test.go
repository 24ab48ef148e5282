package source

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func FuzzParseName(f *testing.F) {
	for _, s := range []string{"Python-3.13.5.tar.xz", "python-3.13.5-amd64.exe", "python3135.chm", "python-3.10.0post2-macos11.pkg", "../x", "a\x00b"} {
		f.Add(s, "3.13.5")
	}
	f.Fuzz(func(t *testing.T, name, dir string) {
		n := ParseName(name, dir)
		if n.Known && (n.Version == "" || n.Kind == KindUnknown) {
			t.Fatalf("known name without version or kind: %+v", n)
		}
		if n.Known && strings.ContainsAny(name, "/\\\x00\n") {
			t.Fatalf("unsafe name %q accepted", name)
		}
	})
}

// FuzzListing serves fuzzed HTML as a directory listing: every name the
// source returns must be a safe child name.
func FuzzListing(f *testing.F) {
	f.Add(`<a href="3.13.5/">x</a><a href="../">up</a><a href="/abs/">a</a>`)
	f.Add(`<a href='Python-3.13.5.tgz'>t</a><a href="http://evil/x">e</a><a href="a%2f..%2fb">enc</a>`)
	f.Fuzz(func(t *testing.T, body string) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }))
		defer srv.Close()
		h, err := NewHTTP(srv.URL+"/ftp/", 0)
		if err != nil {
			t.Fatal(err)
		}
		h.Tries = 1
		base, _ := url.Parse(srv.URL + "/ftp/3.13.5/")
		names, err := h.listing(context.Background(), base)
		if err != nil {
			return
		}
		for _, n := range names {
			if !SafeName(strings.TrimSuffix(n, "/")) {
				t.Fatalf("unsafe name %q from %q", n, body)
			}
		}
	})
}

func FuzzSBOM(f *testing.F) {
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","packages":[{"packageFileName":"x","checksums":[{"algorithm":"SHA256","checksumValue":"` + strings.Repeat("a", 64) + `"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := SBOMDigest(b, "x")
		if err == nil && d != "" {
			if _, ok := NormalizeSHA256(d); !ok {
				t.Fatalf("bad digest %q", d)
			}
		}
	})
}

func FuzzAPI(f *testing.F) {
	f.Add([]byte(`[{"url":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz","sha256_sum":"` + strings.Repeat("A", 64) + `"}]`))
	f.Add([]byte(`{"results":[{"url":"../../x","sha256_sum":""}]}`))
	f.Add([]byte(`{"count":2,"next":null,"results":[{"url":"https://x/3.13.5/a","sha256_sum":"` + strings.Repeat("a", 64) + `","filesize":"12","gpg_signature_file":"u"},{"url":"https://x/3.13.5/a","sha256_sum":"` + strings.Repeat("b", 64) + `","filesize":13,"sigstore_bundle_file":"v","extra":{"deep":[1,{"x":null}]}}],"previous":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		api, err := ParseAPI(b)
		if err != nil {
			return
		}
		for name, f := range api {
			if !SafeName(name) {
				t.Fatalf("unsafe API name %q", name)
			}
			if f.SHA256 != "" {
				if _, ok := NormalizeSHA256(f.SHA256); !ok {
					t.Fatalf("bad digest %q", f.SHA256)
				}
			}
			if f.Rows < 1 || f.Size < 0 || (f.SHA256 != "" && (len(f.SHA256s) == 0 || f.SHA256s[0] != f.SHA256)) || (f.SHA256 == "" && len(f.SHA256s) > 0) {
				t.Fatalf("inconsistent merge: %+v", f)
			}
			for _, d := range f.SHA256s {
				if n, ok := NormalizeSHA256(d); !ok || n != d {
					t.Fatalf("bad digest %q in SHA256s", d)
				}
			}
			if f.Dir() == "" {
				t.Fatalf("no directory for %+v", f)
			}
		}
		// The stream parser and the byte parser agree.
		api2, err := readAPI(strings.NewReader(string(b)))
		if err != nil || len(api2) != len(api) {
			t.Fatalf("readAPI disagrees: %d vs %d, %v", len(api2), len(api), err)
		}
	})
}

// FuzzParseListing feeds HTML straight to the listing parser (no server).
func FuzzParseListing(f *testing.F) {
	f.Add(`<a href="3.13.5/">x</a><a href="../">up</a><a href="/abs/">a</a><a href="?C=N;O=D">Name</a>`)
	f.Add(`<img src="/icons/back.gif"> <a href="/ftp/python/">Parent Directory</a> <a href="Python-3.13.5.tgz">t</a> <a HREF='x%2fy'>e</a>`)
	base, _ := url.Parse("https://www.python.org/ftp/python/3.13.5/")
	f.Fuzz(func(t *testing.T, body string) {
		seen := map[string]bool{}
		for _, n := range parseListing(base, []byte(body)) {
			if !SafeName(strings.TrimSuffix(n, "/")) || seen[n] {
				t.Fatalf("unsafe or repeated name %q from %q", n, body)
			}
			seen[n] = true
		}
	})
}
