package recipe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/report"
)

// provenRecord stands in for the audit's proof (issue 16 item 1): the
// record's digests, declared proven. Only tests use it.
type provenRecord struct{}

func (provenRecord) Digest(v, a string) (string, Proof, bool) {
	d, p, ok := RecordDigests{}.Digest(v, a)
	p.Proven = true
	return d, p, ok
}

func lintFixture(t *testing.T, name string) *Recipe {
	t.Helper()
	r, err := lintFile(filepath.Join("testdata", "recipes", name), Options{})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r
}

func codes(r *Recipe) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func hasFinding(r *Recipe, code string, line int) bool {
	for _, f := range r.Findings {
		if f.Code == code && (line == 0 || f.Line == line) {
			return true
		}
	}
	return false
}

// Pin for 3.13.5 (PGP + Sigstore) and 3.14.4 (Sigstore only) in every
// format; lint judges what it wrote clean: no gap, no mismatch, and notes
// only where the format cannot run a signature check at all.
func TestPinThenLintClean(t *testing.T) {
	names := map[Format]string{Dockerfile: "Dockerfile", Pyenv: "3.13.5", PKGBUILD: "PKGBUILD", Brew: "python@3.13.rb",
		Nix: "default.nix", Conda: "meta.yaml", Gentoo: "python-3.13.5.ebuild", SHA256Sum: "SHA256SUMS", SigningKey: "signing-key.asc"}
	cannotVerify := map[Format]bool{Pyenv: true, Brew: true, Nix: true, Conda: true, SHA256Sum: true}
	for _, v := range []string{"3.13.5", "3.14.4"} {
		if _, ok := record.Lookup(v, "Python-"+v+".tar.xz"); !ok {
			t.Fatalf("%s is not in the embedded record", v)
		}
		for _, f := range PinFormats {
			out, err := Pin(v, f, Material{Digests: provenRecord{}})
			if f == SigningKey && v == "3.14.4" {
				if err == nil || !strings.Contains(err.Error(), "hugo@python.org") {
					t.Errorf("signing-key for 3.14.4: %v, want an error naming the Sigstore identity", err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("pin %s %s: %v", v, f, err)
			}
			name := strings.ReplaceAll(names[f], "3.13.5", v)
			r, err := lintBytes(name, out, Options{Digests: provenRecord{}})
			if err != nil {
				t.Fatalf("lint of pin %s %s: %v\n%s", v, f, err, out)
			}
			if r.Format != f {
				t.Errorf("pin %s %s read back as %s", v, f, r.Format)
			}
			// Gentoo keeps checksums in the Manifest, not in the ebuild.
			if f != SigningKey && (len(r.Pins) != 1 || r.Pins[0].Version != v || (r.Pins[0].SHA256 == "") != (f == Gentoo)) {
				t.Errorf("pin %s %s read back as %+v\n%s", v, f, r.Pins, out)
			}
			for _, fd := range r.Findings {
				if fd.Severity != report.Note || fd.Code != CodePGPUnverified || !cannotVerify[f] {
					t.Errorf("pin %s %s: lint finds %s %s: %s\n%s", v, f, fd.Severity, fd.Code, fd.Message, out)
				}
			}
			if v == "3.14.4" && strings.Contains(string(out), ".asc") {
				t.Errorf("pin 3.14.4 %s mentions .asc:\n%s", f, out)
			}
		}
	}
}

func TestPinPreReleaseURL(t *testing.T) {
	for _, f := range []Format{Dockerfile, Pyenv, PKGBUILD, Brew, Conda, Gentoo, Nix} {
		out, err := Pin("3.15.0a8", f, Material{Digests: RecordDigests{}, AllowUnproven: true})
		if err != nil {
			t.Fatal(err)
		}
		r, err := lintBytes(map[Format]string{Dockerfile: "Dockerfile", Pyenv: "3.15.0a8", PKGBUILD: "PKGBUILD", Brew: "python@3.15.rb", Conda: "meta.yaml", Gentoo: "python-3.15.0_alpha8.ebuild", Nix: "default.nix"}[f], out, Options{})
		if err != nil || len(r.Pins) != 1 || !strings.HasPrefix(r.Pins[0].URL, "https://www.python.org/ftp/python/3.15.0/Python-3.15.0a8.t") {
			t.Errorf("%s: %v %+v\n%s", f, err, r.Pins, out)
		}
		if !strings.Contains(string(out), "UNPROVEN") {
			t.Errorf("%s: an unproven digest is not marked:\n%s", f, out)
		}
	}
}

func TestPinRefusesUnproven(t *testing.T) {
	if _, err := Pin("3.13.5", Dockerfile, Material{Digests: RecordDigests{}}); err == nil || !strings.Contains(err.Error(), "not proven") {
		t.Errorf("unproven digest written: %v", err)
	}
	if _, err := Pin("3.99.1", Dockerfile, Material{Digests: provenRecord{}}); err == nil {
		t.Error("unknown line: no error")
	}
	if _, err := Pin("3.13.5", "yaml", Material{Digests: provenRecord{}}); err == nil {
		t.Error("unknown format: no error")
	}
}

// Generated fixtures for the codes no real recipe shows.
func TestGeneratedFindings(t *testing.T) {
	r := lintFixture(t, "Dockerfile.mismatch")
	if !hasFinding(r, CodeChecksumMismatch, 5) || !strings.Contains(r.Findings[0].Message, "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640") {
		t.Errorf("copied checksum: %+v", r.Findings)
	}
	r = lintFixture(t, "Dockerfile.wrongkey")
	if !hasFinding(r, CodePGPKeyWrong, 3) {
		t.Errorf("wrong key: %+v", r.Findings)
	}
	r = lintFixture(t, "Dockerfile.manylinux")
	// 3.14.4 with Thomas's identity, 3.15.0a8 with the wrong issuer.
	if !hasFinding(r, CodeSigstoreIdentity, 5) || !hasFinding(r, CodeSigstoreIdentity, 6) || hasFinding(r, CodeSigstoreIdentity, 3) || hasFinding(r, CodeSigstoreIdentity, 4) {
		t.Errorf("manylinux identities: %+v", r.Findings)
	}
	r = lintFixture(t, "build_python_runtime.sh")
	// 3.12 | 3.13 with GitHub's issuer: one finding per line, at line 12.
	if n := strings.Count(strings.Join(codes(r), " "), CodeSigstoreIdentity); n != 2 || !hasFinding(r, CodeSigstoreIdentity, 12) || r.Findings[0].Line != r.Findings[1].Line {
		t.Errorf("heroku per-line issuer: %+v", r.Findings)
	}
	r = lintFixture(t, "default.nix")
	if !hasFinding(r, CodeChecksumMismatch, 11) || !strings.Contains(r.Findings[len(r.Findings)-1].Message, "sha256-") {
		t.Errorf("nix SRI mismatch: %+v", r.Findings)
	}
	r = lintFixture(t, "install.sh")
	if !slices.Contains(codes(r), CodeUnverified) || r.Format != Generic || r.Pins[0].Version != "3.12.11" {
		t.Errorf("generic unverified download: %s %+v %+v", r.Format, r.Pins, r.Findings)
	}
}

func TestCheckVersionsJSON(t *testing.T) {
	b, err := os.ReadFile("testdata/recipes/versions.json")
	if err != nil {
		t.Fatal(err)
	}
	r, err := CheckVersionsJSON("versions.json", b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Pins) != 3 {
		t.Fatalf("pins: %+v", r.Pins)
	}
	if !hasFinding(r, CodeChecksumUnproven, 5) || !hasFinding(r, CodeChecksumMismatch, 8) || !hasFinding(r, CodeChecksumMismatch, 16) {
		t.Errorf("findings: %+v", r.Findings)
	}
	if _, err := CheckVersionsJSON("versions.json", []byte("[1,2]"), Options{}); err == nil {
		t.Error("not versions.json: no error")
	}
}

// Bad input is a clear error, never a result that looks clean.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]string{
		write("binary", []byte("ELF\x00\x01https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz")): "binary",
		write("latin1", []byte("caf\xe9")):                               "binary",
		write("huge", bytes.Repeat([]byte("# padding\n"), MaxSize/10+1)): "larger than",
		write("unknown.txt", []byte("nothing here\n")):                   "nothing to check",
		filepath.Join(dir, "missing"):                                    "no such file",
		dir:                                                              "not a regular file",
		filepath.Join("testdata", "recipes", "nothing.txt"):              "nothing to check",
	}
	if runtime.GOOS != "windows" {
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		cases[fifo] = "not a regular file"
		zero := filepath.Join(dir, "Dockerfile.zero")
		if err := os.Symlink("/dev/zero", zero); err == nil {
			cases[zero] = "not a regular file" // a device through a symlink: never read
		}
		unreadable := write("unreadable", []byte("x"))
		os.Chmod(unreadable, 0)
		if f, err := os.Open(unreadable); err == nil {
			f.Close() // running as root
		} else {
			cases[unreadable] = "permission denied"
		}
	}
	for p, want := range cases {
		r, err := lintFile(p, Options{})
		if err == nil || !strings.Contains(err.Error(), want) || r == nil || r.Error == "" || len(r.Findings) != 0 {
			t.Errorf("%s: %v (want %q), %+v", p, err, want, r)
		}
	}
}

func TestDetectGenerated(t *testing.T) {
	for name, want := range map[string]Format{
		"Dockerfile.mismatch": Dockerfile, "Dockerfile.manylinux": Manylinux, "build_python_runtime.sh": Heroku,
		"default.nix": Nix, "versions.json": DockerVersionsJSON, "install.sh": Generic,
	} {
		b, err := os.ReadFile(filepath.Join("testdata", "recipes", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := detect(name, b); got != want {
			t.Errorf("%s: %s, want %s", name, got, want)
		}
	}
}

func TestDecodeDigest(t *testing.T) {
	// Nix base32 and SRI of the same digest (3.13.5's tarball).
	hexd := "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
	sri, _ := sriOf(hexd)
	if h, ok := decodeDigest("sha256", sri); !ok || h != hexd {
		t.Errorf("SRI: %s %v", h, ok)
	}
	if h, ok := decodeDigest("sha256", strings.ToUpper(hexd)); !ok || h != hexd {
		t.Errorf("upper-case hex: %s %v", h, ok)
	}
	if _, ok := decodeDigest("sha256", "not-a-digest"); ok {
		t.Error("junk decoded")
	}
	// nix-hash --to-base32 of sha256 of the empty string.
	if h, ok := decodeDigest("sha256", "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"); !ok || h != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("nix base32: %s %v", h, ok)
	}
}

func allFixtures(t *testing.T) []*Recipe {
	var rs []*Recipe
	for _, n := range []string{"Dockerfile.mismatch", "Dockerfile.wrongkey", "Dockerfile.manylinux", "build_python_runtime.sh", "default.nix", "install.sh"} {
		rs = append(rs, lintFixture(t, n))
	}
	r, _ := lintFile(filepath.Join("testdata", "recipes", "nothing.txt"), Options{})
	return append(rs, r)
}

func TestRenderSARIF(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "sarif", allFixtures(t)); err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	f, err := os.Open("../testdata/sarif/sarif-2.1.0-rtm.5.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource("sarif.json", s); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("SARIF does not validate: %v", err)
	}
	if !strings.Contains(buf.String(), `"uri": "testdata/recipes/Dockerfile.mismatch"`) || !strings.Contains(buf.String(), `"startLine": 5`) {
		t.Errorf("SARIF does not point at the recipe line:\n%s", buf.String())
	}
}

func TestRenderJSONShape(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "json", allFixtures(t)); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["schema"] != Schema {
		t.Errorf("schema %v", doc["schema"])
	}
	recipes := doc["recipes"].([]any)
	first := recipes[0].(map[string]any)
	for _, k := range []string{"file", "format", "pins", "findings"} {
		if _, ok := first[k]; !ok {
			t.Errorf("recipe has no %q", k)
		}
	}
	pin := first["pins"].([]any)[0].(map[string]any)
	if len(pin) != 5 {
		t.Errorf("pin fields %v, want version, artifact, url, sha256, line", pin)
	}
	fd := first["findings"].([]any)[0].(map[string]any)
	if len(fd) != 4 || fd["line"] == nil || fd["severity"] == nil {
		t.Errorf("finding fields %v", fd)
	}
	if last := recipes[len(recipes)-1].(map[string]any); last["error"] == nil {
		t.Errorf("the unreadable recipe has no error: %v", last)
	}
}

func TestRenderTableWidth(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, "table", allFixtures(t)); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("%d columns: %s", n, l)
		}
	}
	if !strings.Contains(buf.String(), "checksum-mismatch") {
		t.Error(buf.String())
	}
}

func TestRenderEscapes(t *testing.T) {
	r := &Recipe{File: "evil,file:name%.txt", Format: Generic, Pins: []Artifact{{Artifact: "[x](http://e)![i](http://e/i.png)"}},
		Findings: []Finding{{Severity: "mismatch", Code: CodeChecksumMismatch, Message: "line1\n::error::injected [a](http://e)", Line: 3}}}
	var gh, md bytes.Buffer
	Write(&gh, "github", []*Recipe{r})
	Write(&md, "markdown", []*Recipe{r})
	if strings.Count(gh.String(), "\n") != 1 || !strings.Contains(gh.String(), "file=evil%2Cfile%3Aname%25.txt,line=3") {
		t.Errorf("github: %q", gh.String())
	}
	if strings.Contains(md.String(), "](http") || strings.Contains(md.String(), "![") {
		t.Errorf("markdown renders a link: %s", md.String())
	}
	if err := Write(&md, "yaml", nil); err == nil {
		t.Error("unknown format: no error")
	}
}

// Variables that expand exponentially, a huge line, deep brace nesting:
// parsing stays fast.
func TestHostileExpansion(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "v%d=\"$v%d$v%d$v%d$v%d${v%d%%%%*a*a*a*a*a*a*b}\"\n", i, i+1, i+1, i+1, i+1, i+1)
	}
	b.WriteString("v60=3.13.5\n")
	for i := 0; i < 500; i++ {
		b.WriteString("wget https://www.python.org/ftp/python/$v0/Python-$v0.tgz{,.asc}{,.sig} # $v0\n")
	}
	b.WriteString(strings.Repeat("{", 100000) + "\n")
	start := time.Now()
	for _, f := range []Format{Generic, Dockerfile, PKGBUILD, Termux, Nix} { // the shared expansion paths
		if r, err := parseAs(f, "x.sh", []byte(b.String())); err == nil {
			Lint(r, Options{})
		}
	}
	if d := time.Since(start); d > 60*time.Second { // a shared, loaded CI machine; about 0.5 s of CPU
		t.Errorf("hostile input took %v", d)
	}
}

func TestChecksumDigests(t *testing.T) {
	c := ChecksumDigests{Checksums: &report.Checksums{
		Checksums: []report.Checksum{{Name: "Python-3.13.5.tar.xz", Version: "3.13.5", SHA256: "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640", Proven: true, Level: report.LevelProven, Proof: &report.Proof{Signer: true, SigningWindow: true, UniqueInRelease: true, DigestsAgree: true}},
			{Name: "Python-3.13.5.tgz", Version: "3.13.5", SHA256: "e6190f52699b534ee203d9f417bdbca05a92f23e35c19c691a50ed2942835385", Level: report.LevelBound}},
		Rejected: []report.Rejected{{Name: "python-3.13.5-amd64.exe", Version: "3.13.5", Status: "unverified", Reason: "replayed bundle"}},
	}, Fallback: RecordDigests{}}
	if _, p, ok := c.Digest("3.13.5", "Python-3.13.5.tar.xz"); !ok || !p.Proven || len(p.Held) != 4 {
		t.Errorf("proven: %+v", p)
	}
	if _, p, ok := c.Digest("3.13.5", "Python-3.13.5.tgz"); !ok || p.Proven {
		t.Errorf("bound only: %+v", p)
	}
	if _, p, ok := c.Digest("3.13.5", "python-3.13.5-amd64.exe"); !ok || p.Proven || !strings.Contains(p.Source, "replayed") {
		t.Errorf("rejected: %+v", p)
	}
	out, err := Pin("3.13.5", SHA256Sum, Material{Digests: c})
	if err != nil || !strings.Contains(string(out), "93e583f2") {
		t.Errorf("pin from checksums: %v %s", err, out)
	}
	if _, err := Pin("3.13.5", Brew, Material{Digests: c}); err == nil {
		t.Error("pin wrote a digest that is only bound by signer and time")
	}
}

func TestLintFilesExitCode(t *testing.T) {
	good := filepath.Join("testdata", "recipes", "Dockerfile.wrongkey")
	rs, failed := LintFiles([]string{good}, Options{})
	if failed != 0 || exitCode(rs, map[string]bool{"mismatch": true}) != 3 || exitCode(rs, map[string]bool{}) != 0 {
		t.Errorf("wrong key: failed %d, exit %d", failed, exitCode(rs, map[string]bool{"mismatch": true}))
	}
	rs, failed = LintFiles([]string{good, filepath.Join("testdata", "recipes", "nothing.txt")}, Options{})
	if failed != 1 || len(rs) != 2 || exitCode(rs, map[string]bool{"mismatch": true}) != 1 {
		t.Errorf("nothing to check: failed %d, exit %d", failed, exitCode(rs, nil))
	}
}

func TestPowerShellVariables(t *testing.T) {
	r := lintFixture(t, "build-wsl.ps1")
	if r.Format != Generic || len(r.Pins) != 1 || r.Pins[0].Version != "3.12.7" || r.Pins[0].SHA256 != "24887b92e2afd4a2ac602419ad4b596372f67ac9b077190f459aba390faf5550" {
		t.Fatalf("%s %+v", r.Format, r.Pins)
	}
	if !hasFinding(r, CodeChecksumUnproven, 5) || !hasFinding(r, CodePGPUnverified, 6) || len(r.Findings) != 2 {
		t.Errorf("%+v", r.Findings)
	}
}
