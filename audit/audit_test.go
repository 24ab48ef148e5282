package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/testing/fakesigstore"
	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

// realData is the repository's copy of python.org material.
const realData = "../testdata/realdata"

// golden compares the JSON of v with testdata/golden/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	fixtures.Golden(t, "./audit", filepath.Join("testdata", "golden", name+".json"), append(got, '\n'))
}

// memFiles is an in-memory published tree for one artifact.
type memFiles struct {
	name, dir string
	artifact  []byte // nil: absent
	artErr    error  // returned by Artifact instead of the bytes
	siblings  map[string][]byte
	sibErr    map[string]error
	digests   map[string]string
}

func (m memFiles) files() Files {
	f := Files{Name: m.name, DirVersion: m.dir, Digests: map[string]string{}}
	for k, v := range m.digests {
		f.Digests[k] = v
	}
	if m.artifact != nil || m.artErr != nil {
		f.Artifact = func() (io.ReadCloser, error) {
			if m.artErr != nil {
				return nil, m.artErr
			}
			return io.NopCloser(bytes.NewReader(m.artifact)), nil
		}
	}
	f.Sibling = func(suffix string, limit int64) ([]byte, error) {
		if err := m.sibErr[suffix]; err != nil {
			return nil, err
		}
		b, ok := m.siblings[suffix]
		if !ok {
			return nil, fmt.Errorf("%s%s: %w", m.name, suffix, source.ErrNotFound)
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%s%s: %w", m.name, suffix, source.ErrTooLarge)
		}
		return b, nil
	}
	return f
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func readReal(t *testing.T, rel string) []byte { return fixtures.Real(t, rel) }

// realDigest is the SHA-256 python.org publishes for an artifact.
func realDigest(t *testing.T, name string) string {
	t.Helper()
	var man []struct{ Artifact, SHA256 string }
	must(t, json.Unmarshal(readReal(t, "sigstore-bundles/MANIFEST.json"), &man))
	for _, m := range man {
		if m.Artifact == name {
			return m.SHA256
		}
	}
	t.Fatalf("%s not in MANIFEST.json", name)
	return ""
}

// realAuditor audits with the embedded timeline, keys and trust root.
func realAuditor(digestOnly bool) *Auditor {
	return &Auditor{
		Timeline:   timeline.Default(),
		Keyring:    sync.OnceValues(pgp.DefaultKeyring),
		Sigstore:   sync.OnceValues(func() (*sigstore.Verifier, error) { return embeddedVerifier() }),
		DigestOnly: digestOnly,
	}
}

func embeddedVerifier() (*sigstore.Verifier, error) {
	tr, err := sigstore.EmbeddedTrustedRoot()
	if err != nil {
		return nil, err
	}
	return sigstore.NewVerifier(tr), nil
}

// A generated Sigstore, and a policy whose line 3.95 (manager B,
// b@example.org) and line 3.13 are signed by it.
var (
	genStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	genAt    = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
)

const (
	genID     = "b@example.org"
	genIssuer = "https://accounts.example.org"
)

type generated struct {
	fs, other *fakesigstore.Instance
	auditor   func(digestOnly bool) *Auditor
}

var genOnce = sync.OnceValues(func() (*generated, error) {
	fs, err := fakesigstore.New(genStart)
	if err != nil {
		return nil, err
	}
	other, err := fakesigstore.New(genStart)
	if err != nil {
		return nil, err
	}
	rootJSON, err := fs.TrustedRootJSON()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "audit-test")
	if err != nil {
		return nil, err
	}
	p := filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(p, rootJSON, 0o644); err != nil {
		return nil, err
	}
	tr, err := sigstore.LoadTrustedRoot(p)
	os.RemoveAll(dir)
	if err != nil {
		return nil, err
	}
	tl, err := timeline.Default().WithPolicy(strings.NewReader(`managers: [{id: b, name: Manager B}]
lines:
  - {line: "3.95", manager: b, identity: b@example.org, issuer: https://accounts.example.org,
     first_stable: "2026-01-01", end_of_life: "2099-01", sigstore_from: {source: 3.95.0a1, windows: 3.95.0a1}}
`), "gen-policy.yaml")
	if err != nil {
		return nil, err
	}
	v := sigstore.NewVerifier(tr)
	return &generated{fs: fs, other: other, auditor: func(digestOnly bool) *Auditor {
		return &Auditor{
			Timeline:   tl,
			Keyring:    sync.OnceValues(pgp.DefaultKeyring),
			Sigstore:   func() (*sigstore.Verifier, error) { return v, nil },
			DigestOnly: digestOnly,
		}
	}}, nil
})

func gen(t *testing.T) *generated {
	t.Helper()
	g, err := genOnce()
	must(t, err)
	return g
}

func (g *generated) bundle(t *testing.T, content []byte) []byte {
	t.Helper()
	sum := sha256.Sum256(content)
	b, err := g.fs.Bundle(genID, genIssuer, sum[:], genAt)
	must(t, err)
	return b
}

func hexSum(b []byte) string {
	s := sha256.Sum256(b)
	return fmt.Sprintf("%x", s)
}

func codes(a report.Artifact) string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, f.Severity+":"+f.Code)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// auditCase is one artifact audited in memory, with the findings it must
// have and a golden file of its whole report entry.
type auditCase struct {
	name  string
	real  bool // needs the embedded trust root (python.org material)
	only  bool // digest-only
	files func(t *testing.T, g *generated) memFiles
	want  string // severity:code, sorted
	// sigstore and pgp status, "" for any
	sigstore, pgp string
}

func auditCases() []auditCase {
	return slices.Concat(auditCasesReal(), auditCasesGenerated(), auditCasesFailures(), auditCasesSignerOnly())
}

func auditCasesReal() []auditCase {
	return []auditCase{
		{name: "real-3.13.5-digest-only-api", real: true, only: true,
			files: func(t *testing.T, _ *generated) memFiles {
				return memFiles{name: "Python-3.13.5.tar.xz", dir: "3.13.5",
					siblings: map[string][]byte{
						".sigstore": readReal(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"),
						".asc":      readReal(t, "asc/Python-3.13.5.tar.xz.asc"),
					},
					digests: map[string]string{"api": realDigest(t, "Python-3.13.5.tar.xz")}}
			},
			want: "note:pgp-not-checked", sigstore: "verified", pgp: "not-checked"},
		{name: "real-3.13.5-digest-only-no-api", real: true, only: true,
			files: func(t *testing.T, _ *generated) memFiles {
				return memFiles{name: "Python-3.13.5.tgz", dir: "3.13.5",
					siblings: map[string][]byte{".sigstore": readReal(t, "sigstore-bundles/Python-3.13.5.tgz.sigstore")}}
			},
			want: "gap:pgp-missing", sigstore: "verified"},
		{name: "real-windows-exe", real: true, only: true,
			files: func(t *testing.T, _ *generated) memFiles {
				return memFiles{name: "python-3.13.5-amd64.exe", dir: "3.13.5",
					siblings: map[string][]byte{".sigstore": readReal(t, "sigstore-bundles/python-3.13.5-amd64.exe.sigstore")},
					digests:  map[string]string{"api": realDigest(t, "python-3.13.5-amd64.exe")}}
			},
			want: "gap:pgp-missing", sigstore: "verified"},
		{name: "replay-3.13.0-as-3.13.5", real: true, only: true,
			files: func(t *testing.T, _ *generated) memFiles {
				return memFiles{name: "Python-3.13.5.tar.xz", dir: "3.13.5",
					siblings: map[string][]byte{".sigstore": readReal(t, "sigstore-bundles/Python-3.13.0.tar.xz.sigstore")}}
			},
			want: "gap:pgp-missing mismatch:digest-mismatch", sigstore: "digest-mismatch"},
		{name: "replay-tgz-as-exe", real: true, only: true,
			files: func(t *testing.T, _ *generated) memFiles {
				return memFiles{name: "python-3.13.5-amd64.exe", dir: "3.13.5",
					siblings: map[string][]byte{".sigstore": readReal(t, "sigstore-bundles/Python-3.13.5.tgz.sigstore")}}
			},
			want: "gap:pgp-missing mismatch:digest-mismatch", sigstore: "digest-mismatch"},
		{name: "generated-good", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: c,
					siblings: map[string][]byte{".sigstore": g.bundle(t, c)}}
			},
			want: "", sigstore: "verified", pgp: "not-expected"},
		{name: "generated-digest-only-unconfirmed", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0",
					siblings: map[string][]byte{".sigstore": g.bundle(t, c)}}
			},
			want: "note:digest-unconfirmed", sigstore: "signer-verified"},
		{name: "generated-other-instance", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				sum := sha256.Sum256(c)
				b, err := g.other.Bundle(genID, genIssuer, sum[:], genAt)
				must(t, err)
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: c,
					siblings: map[string][]byte{".sigstore": b}}
			},
			want: "mismatch:sigstore-untrusted", sigstore: "untrusted"},
		{name: "generated-wrong-identity", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				sum := sha256.Sum256(c)
				b, err := g.fs.Bundle("mallory@example.org", genIssuer, sum[:], genAt)
				must(t, err)
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: c,
					siblings: map[string][]byte{".sigstore": b}}
			},
			want: "mismatch:sigstore-wrong-identity", sigstore: "wrong-identity"},
	}
}

func auditCasesGenerated() []auditCase {
	return []auditCase{
		{name: "generated-missing-bundle", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: []byte("x")}
			},
			want: "gap:sigstore-missing", sigstore: "missing"},
		{name: "generated-malformed-bundle", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: []byte("x"),
					siblings: map[string][]byte{".sigstore": []byte(`{"mediaType":`)}}
			},
			want: "mismatch:sigstore-malformed", sigstore: "malformed"},
		{name: "generated-bundle-unreadable", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: []byte("x"),
					sibErr: map[string]error{".sigstore": fmt.Errorf("open: %w", fs.ErrPermission)}}
			},
			want: "mismatch:source-error"},
		{name: "generated-api-disagrees", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0",
					siblings: map[string][]byte{".sigstore": g.bundle(t, c)},
					digests:  map[string]string{"api": hexSum([]byte("other"))}}
			},
			want: "mismatch:digest-mismatch", sigstore: "digest-mismatch"},
		{name: "generated-line-signed-before-previous-line", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				sum := sha256.Sum256(c)
				b, err := g.fs.Bundle(genID, genIssuer, sum[:], time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC))
				must(t, err)
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0",
					siblings: map[string][]byte{".sigstore": b}, digests: map[string]string{"api": hexSum(c)}}
			},
			want: "mismatch:signed-outside-window", sigstore: "invalid"},
		// python.org's identities, through the generated instance: the
		// record binds what it knows; a newer version must have been
		// signed after the newest release of its line that it knows.
		{name: "generated-3.13-newer-than-record", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.13.99")
				sum := sha256.Sum256(c)
				b, err := g.fs.Bundle("thomas@python.org", "https://accounts.google.com", sum[:], genAt)
				must(t, err)
				return memFiles{name: "Python-3.13.99.tar.xz", dir: "3.13.99", siblings: map[string][]byte{".sigstore": b}}
			},
			want: "gap:pgp-missing note:digest-unconfirmed", sigstore: "signer-verified"},
		{name: "generated-3.13-newer-than-record-signed-early", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.13.99")
				sum := sha256.Sum256(c)
				b, err := g.fs.Bundle("thomas@python.org", "https://accounts.google.com", sum[:], time.Date(2025, 6, 11, 18, 0, 0, 0, time.UTC))
				must(t, err)
				return memFiles{name: "Python-3.13.99.tar.xz", dir: "3.13.99", siblings: map[string][]byte{".sigstore": b}}
			},
			want: "gap:pgp-missing mismatch:signed-outside-window note:digest-unconfirmed", sigstore: "invalid"},
		{name: "generated-3.13.5-signed-outside-window", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.13.5")
				sum := sha256.Sum256(c)
				b, err := g.fs.Bundle("thomas@python.org", "https://accounts.google.com", sum[:], time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
				must(t, err)
				return memFiles{name: "Python-3.13.5.tar.xz", dir: "3.13.5", artifact: c, siblings: map[string][]byte{".sigstore": b}}
			},
			want: "gap:pgp-missing mismatch:digest-mismatch", sigstore: "digest-mismatch"},
		{name: "replay-known-bundle-as-newer-version", real: true, only: true,
			files: func(t *testing.T, _ *generated) memFiles {
				return memFiles{name: "Python-3.13.99.tar.xz", dir: "3.13.99",
					siblings: map[string][]byte{".sigstore": readReal(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore")}}
			},
			want: "gap:pgp-missing mismatch:digest-mismatch note:digest-unconfirmed", sigstore: "digest-mismatch"},
	}
}

func auditCasesFailures() []auditCase {
	return []auditCase{
		// Issue 16 item 2: junk where a bundle is guaranteed, with no
		// digest to check it against, is at least a gap: its signer is
		// checked (chain, log, identity) without a digest.
		{name: "junk-legacy-pair-digest-only", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0",
					siblings: map[string][]byte{".crt": legacyCert(t, g.bundle(t, []byte("unrelated"))), ".sig": []byte("abc")}}
			},
			want: "mismatch:sigstore-invalid note:digest-unconfirmed note:sigstore-legacy-format", sigstore: "invalid"},
		// Issue 16 item 6: a PGP signature never checked carries a finding.
		{name: "artifact-absent-asc-present", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artErr: fmt.Errorf("x: %w", source.ErrNotFound),
					siblings: map[string][]byte{".sigstore": g.bundle(t, c), ".asc": readReal(t, "asc/Python-3.13.5.tar.xz.asc")},
					digests:  map[string]string{"api": hexSum(c)}}
			},
			want: "gap:pgp-not-checked mismatch:source-error note:pgp-not-guaranteed", sigstore: "verified", pgp: "not-checked"},
		// Issue 16 item 10: a file that exists but cannot be read is an
		// error, never invalid nor verified.
		{name: "artifact-unreadable", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artErr: fmt.Errorf("open: %w", fs.ErrPermission),
					siblings: map[string][]byte{".sigstore": g.bundle(t, c), ".asc": readReal(t, "asc/Python-3.13.5.tar.xz.asc")},
					digests:  map[string]string{"api": hexSum(c)}}
			},
			want: "mismatch:source-error note:pgp-not-guaranteed", sigstore: "error", pgp: "error"},
		{name: "asc-unreadable", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", artifact: c,
					siblings: map[string][]byte{".sigstore": g.bundle(t, c)},
					sibErr:   map[string]error{".asc": fmt.Errorf("open: %w", fs.ErrPermission)}}
			},
			want: "mismatch:source-error", sigstore: "verified", pgp: "error"},
		{name: "unknown-name", only: false,
			files: func(t *testing.T, g *generated) memFiles {
				return memFiles{name: "README.txt", dir: "3.95.0", artifact: []byte("x")}
			},
			want: "note:unknown-artifact", sigstore: "not-expected", pgp: "not-expected"},
	}
}

func auditCasesSignerOnly() []auditCase {
	return []auditCase{
		{name: "stranger-legacy-pair-digest-only", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("unrelated")
				sum := sha256.Sum256(c)
				b, err := g.other.Bundle(genID, genIssuer, sum[:], genAt)
				must(t, err)
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0",
					siblings: map[string][]byte{".crt": legacyCert(t, b), ".sig": []byte("abc")}}
			},
			want: "mismatch:sigstore-untrusted note:digest-unconfirmed note:sigstore-legacy-format", sigstore: "untrusted"},
		{name: "stranger-bundle-digest-only", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				sum := sha256.Sum256(c)
				b, err := g.fs.Bundle("mallory@example.org", genIssuer, sum[:], genAt)
				must(t, err)
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", siblings: map[string][]byte{".sigstore": b}}
			},
			want: "mismatch:sigstore-wrong-identity note:digest-unconfirmed", sigstore: "wrong-identity"},
		{name: "stranger-dsse-digest-only", real: true, only: true,
			files: func(t *testing.T, _ *generated) memFiles {
				b, err := os.ReadFile("../sigstore/testdata/dsse-provenance.sigstore.json")
				must(t, err)
				return memFiles{name: "Python-3.13.99.tar.xz", dir: "3.13.99", siblings: map[string][]byte{".sigstore": b}}
			},
			want: "gap:pgp-missing mismatch:sigstore-wrong-identity note:digest-unconfirmed", sigstore: "wrong-identity"},
		{name: "other-instance-bundle-digest-only", only: true,
			files: func(t *testing.T, g *generated) memFiles {
				c := []byte("artifact 3.95.0")
				sum := sha256.Sum256(c)
				b, err := g.other.Bundle(genID, genIssuer, sum[:], genAt)
				must(t, err)
				return memFiles{name: "Python-3.95.0.tar.xz", dir: "3.95.0", siblings: map[string][]byte{".sigstore": b}}
			},
			want: "mismatch:sigstore-untrusted note:digest-unconfirmed", sigstore: "untrusted"},
	}
}

func TestAuditGolden(t *testing.T) {
	for _, c := range auditCases() {
		t.Run(c.name, func(t *testing.T) {
			g := gen(t)
			a := g.auditor(c.only)
			if c.real {
				a = realAuditor(c.only)
			}
			got := a.Audit(context.Background(), c.files(t, g).files())
			if codes(got) != c.want {
				t.Errorf("findings %q, want %q\n%+v", codes(got), c.want, got.Findings)
			}
			if c.sigstore != "" && got.Sigstore.Status != c.sigstore {
				t.Errorf("sigstore %s (%s), want %s", got.Sigstore.Status, got.Sigstore.Reason, c.sigstore)
			}
			if c.pgp != "" && got.PGP.Status != c.pgp {
				t.Errorf("pgp %s (%s), want %s", got.PGP.Status, got.PGP.Reason, c.pgp)
			}
			golden(t, c.name, got)
		})
	}
}

// legacyCert is the leaf certificate of a bundle, as a legacy .crt (PEM).
func legacyCert(t *testing.T, bundle []byte) []byte {
	t.Helper()
	var m struct {
		VerificationMaterial struct {
			X509CertificateChain struct {
				Certificates []struct {
					RawBytes []byte `json:"rawBytes"`
				} `json:"certificates"`
			} `json:"x509CertificateChain"`
		} `json:"verificationMaterial"`
	}
	must(t, json.Unmarshal(bundle, &m))
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: m.VerificationMaterial.X509CertificateChain.Certificates[0].RawBytes})
}

// An artifact newer than sigaudit's record with no API value is only
// "bound by signer and time"; signed before the newest release of its
// line that the record knows, it is not bound at all.
func TestChecksumLevels(t *testing.T) {
	byName := map[string]auditCase{}
	for _, c := range auditCases() {
		byName[c.name] = c
	}
	for _, c := range []struct{ name, level, rejected string }{
		{"generated-3.13-newer-than-record", report.LevelBound, ""},
		{"generated-3.13-newer-than-record-signed-early", "", "unverified"},
		{"real-3.13.5-digest-only-api", report.LevelProven, ""},
		{"real-3.13.5-digest-only-no-api", report.LevelProven, ""},
		{"replay-known-bundle-as-newer-version", "", "unverified"},
		{"generated-digest-only-unconfirmed", report.LevelBound, ""}, // line unknown to the record: bounded by the line below
	} {
		t.Run(c.name, func(t *testing.T) {
			ac := byName[c.name]
			g := gen(t)
			a := g.auditor(ac.only)
			if ac.real {
				a = realAuditor(ac.only)
			}
			rep := &report.Report{Artifacts: []report.Artifact{a.Audit(context.Background(), ac.files(t, g).files())}}
			ck := ChecksumsWith(rep, ChecksumOptions{})
			switch {
			case c.level != "":
				if len(ck.Checksums) != 1 || ck.Checksums[0].Level != c.level || ck.Checksums[0].Proven != (c.level == report.LevelProven) {
					t.Fatalf("checksums %+v, rejected %+v", ck.Checksums, ck.Rejected)
				}
			default:
				if len(ck.Checksums) != 0 || len(ck.Rejected) != 1 || ck.Rejected[0].Status != c.rejected {
					t.Fatalf("checksums %+v, rejected %+v", ck.Checksums, ck.Rejected)
				}
			}
		})
	}
}
