package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sigaudit/sigaudit/internal/mirror"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

const realData = "../../testdata/realdata"

// testNow is the clock of run: reports made by tests carry a fixed time.
func testNow() time.Time { return time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC) }

// run runs sigaudit with a fixed clock and returns its exit code, stdout
// and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), Env{Args: args, Stdout: &out, Stderr: &errb, Now: testNow})
	return code, out.String(), errb.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func readAPI(t *testing.T, dir string) []source.APIRow {
	b, err := os.ReadFile(filepath.Join(dir, "api.json"))
	must(t, err)
	var files []source.APIRow
	must(t, json.Unmarshal(b, &files))
	return files
}

func writeAPI(t *testing.T, dir string, files []source.APIRow) {
	b, err := json.MarshalIndent(files, "", " ")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, "api.json"), b, 0o644))
}

// plantedMirror lays the real data out like python.org/ftp/python/ and
// plants one problem of each kind. It returns the tree and the exact
// findings an audit must report.
func plantedMirror(t *testing.T) (string, map[string][]string) {
	dir := t.TempDir()
	_, err := mirror.Build(dir, mirror.Options{RealData: realData})
	must(t, err)
	api := readAPI(t, dir)
	byName := map[string]*source.APIRow{}
	for i := range api {
		byName[api[i].Name] = &api[i]
	}
	p := func(parts ...string) string { return filepath.Join(append([]string{dir}, parts...)...) }

	// (a) a guaranteed bundle deleted, though the API lists it.
	must(t, os.Remove(p("3.13.5", "python-3.13.5-embed-amd64.zip.sigstore")))
	// (b) the API's SHA-256 disagrees with the bundle.
	byName["Python-3.12.0.tgz"].SHA256 = strings.Repeat("ab", 32)
	// (c) replay: another artifact's bundle.
	b, err := os.ReadFile(p("3.11.2", "Python-3.11.2.tar.xz.sigstore"))
	must(t, err)
	must(t, os.WriteFile(p("3.11.2", "Python-3.11.2.tgz.sigstore"), b, 0o644))
	// (d) signed by another release manager (3.14's bundle and digest on a 3.13 file).
	b, err = os.ReadFile(p("3.14.0", "Python-3.14.0.tgz.sigstore"))
	must(t, err)
	must(t, os.WriteFile(p("3.13.0", "Python-3.13.0.tgz.sigstore"), b, 0o644))
	byName["Python-3.13.0.tgz"].SHA256 = byName["Python-3.14.0.tgz"].SHA256
	// (e) truncated bundle.
	b, err = os.ReadFile(p("3.10.14", "Python-3.10.14.tgz.sigstore"))
	must(t, err)
	must(t, os.WriteFile(p("3.10.14", "Python-3.10.14.tgz.sigstore"), b[:len(b)/2], 0o644))
	// (f) a file that is no python.org artifact.
	must(t, os.WriteFile(p("3.13.5", "README.txt"), []byte("hello\n"), 0o644))
	// (g) a PGP signature on a Sigstore-only line.
	// (a fixed signature by a throwaway Ed25519 key, made once with
	// go-crypto's openpgp.ArmoredDetachSign and kept so golden files are stable)
	b, err = os.ReadFile("testdata/unknown-key.asc")
	must(t, err)
	must(t, os.WriteFile(p("3.14.0", "Python-3.14.0.tgz.asc"), b, 0o644))
	// (i) legacy .crt + .sig instead of a bundle.
	b, err = os.ReadFile(p("3.13.5", "Python-3.13.5.tgz.sigstore"))
	must(t, err)
	crt, sig := fixtures.LegacyFromBundle(t, b)
	must(t, os.Remove(p("3.13.5", "Python-3.13.5.tgz.sigstore")))
	must(t, os.WriteFile(p("3.13.5", "Python-3.13.5.tgz.crt"), crt, 0o644))
	must(t, os.WriteFile(p("3.13.5", "Python-3.13.5.tgz.sig"), sig, 0o644))
	byName["Python-3.13.5.tgz"].SigstoreBundleFile = ""
	byName["Python-3.13.5.tgz"].SigstoreCertFile = "https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz.crt"
	byName["Python-3.13.5.tgz"].SigstoreSignatureFile = "https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz.sig"
	// (j) garbage where a PGP signature should be.
	must(t, os.WriteFile(p("3.7.17", "Python-3.7.17.tgz.asc"), []byte("-----BEGIN PGP SIGNATURE-----\n\ngarbage\n-----END PGP SIGNATURE-----\n"), 0o644))
	writeAPI(t, dir, api)

	want := map[string][]string{
		// digest-only reads no .asc (issue 18): the garbage is only seen
		// in the listing; with artifacts it is pgp-malformed (attack/).
		"Python-3.7.17.tgz":             {"note:pgp-not-checked"},
		"Python-3.9.16.tgz":             {"gap:pgp-missing"},
		"Python-3.10.14.tgz":            {"gap:pgp-missing", "mismatch:sigstore-malformed"},
		"Python-3.11.2.tar.xz":          {"note:pgp-not-checked"},
		"Python-3.11.2.tgz":             {"gap:pgp-missing", "mismatch:digest-mismatch"},
		"Python-3.12.0.tgz":             {"gap:pgp-missing", "mismatch:digest-mismatch"},
		"Python-3.13.0.tar.xz":          {"note:pgp-not-checked"},
		"Python-3.13.0.tgz":             {"gap:pgp-missing", "mismatch:digest-mismatch", "mismatch:sigstore-wrong-identity"},
		"Python-3.13.5.tar.xz":          {"note:pgp-not-checked"},
		"Python-3.13.5.tgz":             {"gap:pgp-missing", "note:signing-time-unproven", "note:sigstore-legacy-format"},
		"python-3.13.5-amd64.exe":       {"gap:pgp-missing"},
		"python-3.13.5-embed-amd64.zip": {"gap:pgp-missing", "gap:sigstore-missing", "mismatch:api-claim-missing"},
		"README.txt":                    {"note:unknown-artifact"},
		"Python-3.14.0.tgz":             {"note:pgp-not-checked", "note:pgp-not-guaranteed"},
	}
	return dir, want
}

func findingSet(t *testing.T, out string) map[string][]string {
	t.Helper()
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	got := map[string][]string{}
	for _, a := range rep.Artifacts {
		codes := []string{}
		for _, f := range a.Findings {
			codes = append(codes, f.Severity+":"+f.Code)
		}
		sort.Strings(codes)
		got[a.Name] = codes
	}
	return got
}

func TestAuditHTTPMirrorPlanted(t *testing.T) {
	dir, want := plantedMirror(t)
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	base := srv.URL + "/"
	args := []string{"audit", "--source", base, "--api", filepath.Join(dir, "api.json"), "--digest-only"}

	code, out, errOut := run(t, append(args, "--format", "json", "all")...)
	if code != ExitFindings {
		t.Fatalf("exit %d, want 3; stderr: %s", code, errOut)
	}
	got := findingSet(t, out)
	for name, w := range want {
		sort.Strings(w)
		if strings.Join(got[name], " ") != strings.Join(w, " ") {
			t.Errorf("%s: findings %v, want %v", name, got[name], w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("unexpected artifact %s with %v", name, got[name])
		}
	}

	// The same audit from the directory gives the same findings.
	dcode, dout, _ := run(t, "audit", "--source", dir, "--api", filepath.Join(dir, "api.json"), "--digest-only", "--format", "json", "all")
	if dcode != code || dout != out {
		t.Errorf("directory source differs from HTTP source (exit %d vs %d)", dcode, code)
	}

	// Every format renders, exits 3, and parses as what it claims to be.
	for _, f := range report.Formats {
		code, out, errOut := run(t, append(args, "--format", f, "all")...)
		if code != ExitFindings {
			t.Errorf("%s: exit %d; stderr %s", f, code, errOut)
		}
		if f == "junit" { // the run's timestamp
			out = regexp.MustCompile(`timestamp="[^"]*"`).ReplaceAllString(out, `timestamp="T"`)
		}
		golden(t, "audit-planted."+ext(f), []byte(out))
		switch f {
		case "sarif":
			validateSARIF(t, []byte(out))
		case "junit":
			var suites struct {
				XMLName  xml.Name `xml:"testsuites"`
				Tests    int      `xml:"tests,attr"`
				Failures int      `xml:"failures,attr"`
			}
			if err := xml.Unmarshal([]byte(out), &suites); err != nil {
				t.Errorf("junit does not parse: %v", err)
			}
			if suites.Tests != len(want) || suites.Failures != 8 { // 3.7.17.tgz: its garbage .asc is not read in digest-only mode
				t.Errorf("junit: %d tests, %d failures", suites.Tests, suites.Failures)
			}
		case "markdown":
			if !strings.Contains(out, "| Artifact ") || !strings.Contains(out, "### Findings") {
				t.Errorf("markdown lacks its table or findings")
			}
		}
	}

	// --fail-on chooses what fails CI.
	if code, _, _ := run(t, append(args, "--fail-on", "none", "all")...); code != ExitOK {
		t.Errorf("--fail-on none: exit %d", code)
	}
	if code, _, _ := run(t, append(args, "--fail-on", "mismatch", "3.9")...); code != ExitOK {
		t.Errorf("--fail-on mismatch with only a gap: exit %d", code)
	}
	if code, _, _ := run(t, append(args, "--fail-on", "note", "3.14")...); code != ExitFindings {
		t.Errorf("--fail-on note with notes: exit %d", code)
	}
	// Selectors that match nothing, and malformed ones, are usage errors.
	if code, _, e := run(t, append(args, "3.8")...); code != ExitUsage || !strings.Contains(e, "matches no release directory") {
		t.Errorf("unmatched line: exit %d %s", code, e)
	}
	if code, _, _ := run(t, append(args, "3.x")...); code != ExitUsage {
		t.Errorf("malformed selector: exit %d", code)
	}
}

func validateSARIF(t *testing.T, doc []byte) {
	t.Helper()
	c := jsonschema.NewCompiler()
	schema, err := os.Open("../../testdata/sarif/sarif-2.1.0-rtm.5.json")
	must(t, err)
	defer schema.Close()
	s, err := jsonschema.UnmarshalJSON(schema)
	must(t, err)
	must(t, c.AddResource("sarif.json", s))
	sch, err := c.Compile("sarif.json")
	must(t, err)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	must(t, err)
	if err := sch.Validate(inst); err != nil {
		t.Errorf("SARIF does not validate against its schema: %v", err)
	}
}

// --sha256 verifies every real bundle given only its digest and name.
func TestVerifySHA256EveryRealBundle(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(realData, "sigstore-bundles", "MANIFEST.json"))
	must(t, err)
	var man []struct{ File, Artifact, SHA256, Identity string }
	must(t, json.Unmarshal(b, &man))
	for _, m := range man {
		code, out, errOut := run(t, "verify", "--format", "json", "--fail-on", "mismatch", "--sha256", m.SHA256,
			"--bundle", filepath.Join(realData, "sigstore-bundles", filepath.Base(m.File)), filepath.Join(t.TempDir(), m.Artifact))
		var rep report.Report
		must(t, json.Unmarshal([]byte(out), &rep))
		if code != ExitOK || len(rep.Artifacts) != 1 || rep.Artifacts[0].Sigstore.Status != "verified" || rep.Artifacts[0].Sigstore.Identity != m.Identity {
			t.Errorf("%s: exit %d %s %+v", m.Artifact, code, errOut, rep.Artifacts)
		}
		// A wrong digest is a mismatch (exit 3).
		code, _, _ = run(t, "verify", "--sha256", strings.Repeat("0", 64), "--bundle", filepath.Join(realData, "sigstore-bundles", filepath.Base(m.File)), m.Artifact)
		if code != ExitFindings {
			t.Errorf("%s with a wrong digest: exit %d", m.Artifact, code)
		}
	}
}

// verify-bundle on each conformance case gives the verdict the sigstore
// package's conformance test asserts.
func TestVerifyBundleConformanceCLI(t *testing.T) {
	dir := "../../testdata/conformance/bundle-verify"
	ents, err := os.ReadDir(dir)
	must(t, err)
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		c := filepath.Join(dir, e.Name())
		args := []string{"verify-bundle", "--bundle", filepath.Join(c, "bundle.sigstore.json")}
		if _, err := os.Stat(filepath.Join(c, "trusted_root.json")); err == nil {
			args = append(args, "--trusted-root", filepath.Join(c, "trusted_root.json"))
		}
		if _, err := os.Stat(filepath.Join(c, "key.pub")); err == nil {
			args = append(args, "--key", filepath.Join(c, "key.pub"))
		} else {
			id, iss := readOr(filepath.Join(c, "identity"), conformanceIdentity), readOr(filepath.Join(c, "issuer"), conformanceIssuer)
			args = append(args, "--identity", id, "--issuer", iss)
		}
		art := filepath.Join(c, "artifact")
		if _, err := os.Stat(art); err != nil {
			art = filepath.Join(dir, "a.txt")
		}
		code, _, errOut := run(t, append(args, art)...)
		fail := strings.HasSuffix(e.Name(), "_fail")
		if fail && code == ExitOK {
			t.Errorf("%s: verified, must be rejected", e.Name())
		}
		if !fail && code != ExitOK {
			t.Errorf("%s: exit %d, must verify: %s", e.Name(), code, errOut)
		}
	}
}

const (
	conformanceIdentity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
	conformanceIssuer   = "https://token.actions.githubusercontent.com"
)

func readOr(p, def string) string {
	b, err := os.ReadFile(p)
	if err != nil {
		return def
	}
	return strings.TrimSpace(string(b))
}
