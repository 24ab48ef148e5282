package audit

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// counting wraps memFiles and counts every open of every file.
type counting struct {
	mu    sync.Mutex
	opens map[string]int
}

func (c *counting) files(m memFiles) Files {
	c.opens = map[string]int{}
	f := m.files()
	sib, art := f.Sibling, f.Artifact
	f.Sibling = func(suffix string, limit int64) ([]byte, error) {
		c.mu.Lock()
		c.opens[suffix]++
		c.mu.Unlock()
		return sib(suffix, limit)
	}
	if art != nil {
		f.Artifact = func() (io.ReadCloser, error) {
			c.mu.Lock()
			c.opens["artifact"]++
			c.mu.Unlock()
			return art()
		}
	}
	return f
}

// No file is opened twice, whatever the API claims (issue 17 step 4).
func TestAuditOpensEachFileOnce(t *testing.T) {
	g := gen(t)
	c := []byte("artifact 3.95.0")
	for _, only := range []bool{false, true} {
		m := memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: c,
			siblings: map[string][]byte{".sigstore": g.bundle(t, c), ".asc": []byte("junk")}}
		var cnt counting
		f := cnt.files(m)
		f.Claims = []string{".asc", ".sigstore", ".crt", ".sig", ".spdx.json", ".asc"}
		a := g.auditor(only).Audit(context.Background(), f)
		for file, n := range cnt.opens {
			if n > 1 {
				t.Errorf("digest-only %v: %s opened %d times", only, file, n)
			}
		}
		if got := codesOf(a, report.CodeAPIClaimMissing); got != 3 {
			t.Errorf("digest-only %v: %d api-claim-missing findings, want 3 (.crt, .sig, .spdx.json): %+v", only, got, a.Findings)
		}
	}
}

// A claimed sibling Audit does not need is asked of Exists, not read.
func TestAuditClaimUsesExists(t *testing.T) {
	g := gen(t)
	c := []byte("artifact 3.95.0")
	m := memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: c,
		siblings: map[string][]byte{".sigstore": g.bundle(t, c), ".crt": []byte("x")}}
	var cnt counting
	f := cnt.files(m)
	f.Claims = []string{".crt", ".sig"}
	var asked []string
	f.Exists = func(suffix string) (bool, error) {
		asked = append(asked, suffix)
		_, ok := m.siblings[suffix]
		return ok, nil
	}
	a := g.auditor(false).Audit(context.Background(), f)
	if cnt.opens[".crt"] != 0 || cnt.opens[".sig"] != 0 {
		t.Errorf("claimed siblings read: %v", cnt.opens)
	}
	if fmt.Sprint(asked) != "[.crt .sig]" {
		t.Errorf("Exists asked for %v", asked)
	}
	if got := codesOf(a, report.CodeAPIClaimMissing); got != 1 {
		t.Errorf("%d api-claim-missing, want 1 (.sig): %+v", got, a.Findings)
	}
}

func codesOf(a report.Artifact, code string) int {
	n := 0
	for _, f := range a.Findings {
		if f.Code == code {
			n++
		}
	}
	return n
}

// A real python.org bundle with no independent digest at all is verified
// by signer only: chain, log and identity hold, but the status is
// signer-verified, never verified, with a digest-unconfirmed note.
func TestRealBundleSignerOnly(t *testing.T) {
	raw := readReal(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore")
	b, _, err := sigstore.ReadBundle(bytes.NewReader(raw))
	must(t, err)
	a := realAuditor(true)
	ex, err := a.Timeline.ExpectFile(mustVersion(t, "3.13.5"), source.KindSource, "Python-3.13.5.tar.xz", a.Options)
	must(t, err)
	p := parsed{sigstore: sigParsed, bundle: b, sigFile: "Python-3.13.5.tar.xz.sigstore", inspect: b.Inspect()}
	dc := crossCheck(nil, "", p.inspect)
	o := a.sigstoreOutcome("Python-3.13.5.tar.xz", "3.13.5", ex, p, hashed{}, dc, nil)
	if o.method.Status != string(sigstore.SignerVerified) {
		t.Fatalf("status %s (%s), want signer-verified", o.method.Status, o.method.Reason)
	}
	if o.method.Identity != "thomas@python.org" || o.method.Digest != realDigest(t, "Python-3.13.5.tar.xz") {
		t.Errorf("identity %s digest %s", o.method.Identity, o.method.Digest)
	}
	if len(o.findings) != 1 || o.findings[0].Code != report.CodeDigestUnconfirmed || o.findings[0].Severity != report.Note {
		t.Errorf("findings %+v, want one digest-unconfirmed note", o.findings)
	}
	// The same bundle under another release's name signs an artifact the
	// record knows: a mismatch, not a signer-verified.
	o = a.sigstoreOutcome("Python-3.13.99.tar.xz", "3.13.99", ex, p, hashed{}, dc, nil)
	if o.method.Status != string(sigstore.DigestMismatch) {
		t.Errorf("replayed as 3.13.99: status %s, want digest-mismatch", o.method.Status)
	}
}

func mustVersion(t *testing.T, s string) timelineVersion {
	t.Helper()
	v, err := parseVersion(s)
	must(t, err)
	return v
}

type timelineVersion = timeline.Version

var parseVersion = timeline.ParseVersion

// The one Sigstore status -> finding mapping covers every status.
func TestSigstoreFinding(t *testing.T) {
	for st, code := range map[sigstore.Status]string{
		sigstore.Verified: "", sigstore.SignerVerified: "",
		sigstore.Invalid: report.CodeSigstoreInvalid, sigstore.WrongIdentity: report.CodeSigstoreIdentity,
		sigstore.DigestMismatch: report.CodeDigestMismatch, sigstore.Untrusted: report.CodeSigstoreUntrusted,
		sigstore.Malformed: report.CodeSigstoreMalformed, sigstore.Unsupported: report.CodeSigstoreUnsupported,
		sigstore.Status("something-new"): report.CodeSigstoreInvalid,
	} {
		f, ok := sigstoreFinding(sigstore.Verdict{Status: st, Reason: "r"})
		if ok != (code != "") || f.Code != code {
			t.Errorf("%s: %v %+v, want %q", st, ok, f, code)
		}
		if ok && f.Severity != report.Mismatch {
			t.Errorf("%s: severity %s", st, f.Severity)
		}
	}
}
