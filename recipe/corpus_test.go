package recipe

import (
	"slices"

	"flag"
	"fmt"
	"github.com/sigaudit/sigaudit/timeline"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

const corpusDir = "../../shared/realdata/recipes"

// realName is the recipe's file name in its repository: the last part of
// the corpus's encoded name, after the last "__" and before the last "@".
func realName(encoded string) string {
	if i := strings.LastIndex(encoded, "@"); i > 0 {
		encoded = encoded[:i]
	}
	if i := strings.LastIndex(encoded, "__"); i >= 0 {
		encoded = encoded[i+2:]
	}
	return encoded
}

// corpus lists the real recipes, skipping the test when they are absent.
func corpus(t testing.TB) []string {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("shared real recipes not available")
	}
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Dir(p) != filepath.Clean(corpusDir) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) < 78 { // 78 recipe files beside PROVENANCE.md and FORMATS.md
		t.Fatalf("%d recipes in the corpus, want 78", len(files))
	}
	return files
}

// lintCorpusFile reads one real recipe under its real file name.
func lintCorpusFile(t testing.TB, p string) (*Recipe, error) {
	b, err := ReadFile(p)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	name := filepath.Join(filepath.Base(filepath.Dir(p)), realName(filepath.Base(p)))
	r, err := lintBytes(name, b, Options{})
	r.File = filepath.Base(filepath.Dir(p)) + "/" + filepath.Base(p)
	return r, err
}

func describe(r *Recipe) string {
	var b strings.Builder
	fmt.Fprintf(&b, "== %s\nformat %s\n", r.File, r.Format)
	if r.Error != "" {
		fmt.Fprintf(&b, "error %s\n", r.Error)
	}
	for _, p := range r.Pins {
		var sums []string
		for _, c := range p.Checksums {
			if c.Ref != "" {
				sums = append(sums, c.Algorithm+"="+c.Ref)
			} else {
				sums = append(sums, c.Algorithm+"="+c.Hex[:min(12, len(c.Hex))])
			}
		}
		fmt.Fprintf(&b, "pin %d %s %s %s [%s]\n", p.Line, orDefault(p.Version, "?"), p.Artifact, p.URL, strings.Join(sums, " "))
	}
	v := r.Verify
	fmt.Fprintf(&b, "verify pgp=%v asc=%v sigstore=%v", v.PGP, v.ASC, v.Sigstore)
	if v.Delegated != "" {
		fmt.Fprintf(&b, " delegated=%q", v.Delegated)
	}
	b.WriteString("\n")
	for _, k := range v.Keys {
		fmt.Fprintf(&b, "key %d %s%s scope=%q\n", k.Line, k.Fingerprint, k.Keyring, k.Scope)
	}
	for _, id := range v.Identities {
		kind := "identity"
		if id.Issuer {
			kind = "issuer"
		}
		fmt.Fprintf(&b, "%s %d %s scope=%q\n", kind, id.Line, id.Value, id.Scope)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "finding %d %s %s: %s\n", f.Line, f.Severity, f.Code, f.Message)
	}
	return b.String()
}

// Every real recipe is read, none crashes or is skipped: the golden file
// lists each one's format, pins, verification and findings.
func TestCorpusGolden(t *testing.T) {
	var b strings.Builder
	for _, p := range corpus(t) {
		r, _ := lintCorpusFile(t, p)
		b.WriteString(describe(r))
	}
	golden := filepath.Join("testdata", "corpus.golden")
	if *update {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != b.String() {
		t.Errorf("corpus output differs from %s (run go test -update and review the diff)", golden)
	}
}

func lintCorpus(t *testing.T, encoded string) *Recipe {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(corpusDir, "*", encoded))
	if len(matches) != 1 {
		t.Fatalf("%s: %d matches in the corpus", encoded, len(matches))
	}
	r, _ := lintCorpusFile(t, matches[0])
	return r
}

// Each finding code on a real recipe where the corpus has one.
func TestCorpusFindingCodes(t *testing.T) {
	corpus(t)
	cases := []struct {
		file, code string
		line       int
		contains   string
	}{
		// conda-forge pins 3.12.13's SHA-256; the record agrees, nothing proves it.
		{"conda-forge__python-feedstock__recipe__meta.yaml@2553c29de924", CodeChecksumUnproven, 49, "agrees with python.org's observed record"},
		// Arch's SHA-512 cannot be compared with python.org's SHA-256.
		{"CachyOS__CachyOS-PKGBUILDS__python313__PKGBUILD@db02b958808b", CodeChecksumUnproven, 23, "SHA512 only"},
		// An MD5-only PKGBUILD.
		{"themartiancompany__python3.13-ur__PKGBUILD@6da252cc6c25", CodeChecksumWeak, 119, "MD5"},
		// docker-library's 3.12.7 image checked the signature and pinned no checksum.
		{"docker-library__python__3.12__bookworm__Dockerfile@7666104c8091", CodeChecksumWeak, 32, "pinned by nothing"},
		// Heroku's build script checked the signature and no checksum.
		{"heroku__heroku-buildpack-python__builds__build_python_runtime.sh@a361dfacd967", CodeChecksumWeak, 71, "only a signature"},
		// Pre-2024-10 versions.json pinned no checksum at all.
		{"docker-library__python__versions.json@7666104c8091", CodeChecksumWeak, 41, "3.12.7"},
		// validpgpkeys lists four release managers for a 3.13 release.
		{"CachyOS__CachyOS-PKGBUILDS__python313__PKGBUILD@db02b958808b", CodePGPKeyExtra, 26, "0D96DF4D4110E5C43FBFB17F2D347EA6AA65421D"},
		// Gentoo verifies against every release manager's key.
		{"gentoo__libressl__dev-lang__python__python-3.12.13_p1.ebuild@5df60299d4ef", CodePGPKeyExtra, 99, "whole keyring"},
		// Fedora 3.9 fetches python.org's whole pubkeys.txt.
		{"r0x0d__fedora-rpm-specs__specs__python3.9.spec@1c71cca0191f", CodePGPKeyExtra, 289, "pubkeys.txt"},
		// archpower keeps validpgpkeys for 3.14.6 and downloads no .asc.
		{"kth5__archpower__python__python__PKGBUILD@09b4c0182269", CodePGPObsolete, 26, "3.14.6"},
		// pyenv checks only the checksum of a PGP-signed release.
		{"pyenv__pyenv__plugins__python-build__share__python-build__3.13.3@323bd16fbf55", CodePGPUnverified, 6, "Thomas Wouters"},
		// uscan fetches 3.10 tarballs with no pgpsigurlmangle.
		{"deadsnakes__python3.11__debian__watch@dd9ff38b3bdf", CodeUnverified, 3, "neither a checksum nor a signature"},
		// docker-library's versions.sh trusts the digest inside an unverified bundle.
		{"docker-library__python__versions.sh@4f07059567fa", CodeUnverified, 32, "without verifying the bundle"},
		// actions/python-versions builds setup-python's CPython from a
		// computed URL and checks nothing.
		{"actions__python-versions__builders__nix-python-builder.psm1@7ecd5646f575", CodeUnverified, 55, "a CPython release URL the recipe computes"},
		// deadsnakes' meta-gbp downloads tarballs and checks nothing.
		{"deadsnakes__runbooks__meta-gbp@0d3d07eac094", CodeUnverified, 74, "neither"},
	}
	for _, c := range cases {
		r := lintCorpus(t, c.file)
		found := false
		for _, f := range r.Findings {
			if f.Code == c.code && f.Line == c.line && strings.Contains(f.Message, c.contains) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no %s at line %d mentioning %q:\n%s", c.file, c.code, c.line, c.contains, describe(r))
		}
	}
	// Right recipes stay clean of mismatches: the per-line key maps of
	// docker-library's templates and Heroku's script, Gentoo's Sigstore ebuild.
	for _, f := range []string{"docker-library__python__Dockerfile-linux.template@4f07059567fa", "docker-library__python__Dockerfile-linux.template@f599a555df4b",
		"heroku__heroku-buildpack-python__builds__build_python_runtime.sh@a361dfacd967", "gentoo__libressl__dev-lang__python__python-3.14.4_p1.ebuild@5df60299d4ef",
		"docker-library__python__3.13__bookworm__Dockerfile@4f07059567fa"} {
		r := lintCorpus(t, f)
		for _, fd := range r.Findings {
			if fd.Severity == "mismatch" {
				t.Errorf("%s: %s %s: %s", f, fd.Severity, fd.Code, fd.Message)
			}
		}
		if len(r.Verify.Keys)+len(r.Verify.Identities) == 0 {
			t.Errorf("%s: no keys or identities read", f)
		}
	}
}

// Every SHA-256 the corpus pins is compared with python.org's digest from
// shared/realdata/digests, read here independently of the embedded record.
func TestCorpusSHA256AgainstDigests(t *testing.T) {
	files := corpus(t)
	tsv, err := os.ReadFile("../../shared/realdata/digests/cpython-release-tracker-sha256.tsv")
	if err != nil {
		t.Skip("shared digests not available")
	}
	byName := map[string]string{}
	for _, l := range strings.Split(string(tsv), "\n")[1:] {
		f := strings.Split(l, "\t")
		if len(f) >= 2 {
			byName[strings.TrimPrefix(f[0], "https://www.python.org/ftp/python/")] = f[1]
		}
	}
	compared, unknown := 0, 0
	for _, p := range files {
		r, _ := lintCorpusFile(t, p)
		for _, pin := range r.Pins {
			if pin.SHA256 == "" || pin.Version == "" {
				continue
			}
			dir := pin.Version
			if v, err := timelineParse(pin.Version); err == nil {
				dir = v
			}
			want, ok := byName[dir+"/"+pin.Artifact]
			var notes []string
			for _, f := range r.Findings {
				if f.Line == pin.Line || strings.Contains(f.Message, pin.SHA256) {
					notes = append(notes, f.Code)
				}
			}
			switch {
			case !ok:
				unknown++
				if !strings.Contains(strings.Join(notes, " "), CodeChecksumUnproven) && !hasMessage(r, pin.SHA256) {
					t.Errorf("%s: %s has no digest in the record and no note says so", r.File, pin.Artifact)
				}
			case want != pin.SHA256:
				t.Errorf("%s: %s pins %s, python.org's is %s", r.File, pin.Artifact, pin.SHA256, want)
			default:
				compared++
			}
		}
	}
	t.Logf("%d pinned SHA-256 values equal python.org's; %d are newer than the record", compared, unknown)
	if compared < 60 {
		t.Errorf("only %d SHA-256 pins compared", compared)
	}
}

func hasMessage(r *Recipe, sub string) bool {
	for _, f := range r.Findings {
		if strings.Contains(f.Message, sub) {
			return true
		}
	}
	return false
}

func timelineParse(v string) (string, error) {
	pv, err := timeline.ParseVersion(v)
	if err != nil {
		return "", err
	}
	return dirOf(pv), nil
}

// The corpus's directories name each file's format.
func TestCorpusDetect(t *testing.T) {
	want := map[string][]Format{
		"actions-python-versions": {Generic}, "alpine-apkbuild": {APKBUILD}, "arch-pkgbuild": {PKGBUILD},
		"conda-meta-yaml": {Conda}, "deadsnakes-script": {Generic}, "debian-watch": {DebianWatch},
		"docker-versions-json": {DockerVersionsJSON}, "docker-versions-sh": {DockerVersionsSh},
		"dockerfile": {Dockerfile}, "dockerfile-template": {DockerTemplate}, "fedora-spec": {FedoraSpec, FedoraSources},
		"gentoo-ebuild": {Gentoo, GentooManifest}, "heroku-buildpack": {Heroku}, "homebrew-formula": {Brew},
		"manylinux": {Manylinux}, "nix": {Nix}, "paketo-buildpack": {Paketo, Generic},
		"pyenv-python-build": {Pyenv}, "pyenv-python-build-script": {PyenvScript},
		"python-build-standalone": {Standalone}, "termux-build-sh": {Termux},
	}
	for _, p := range corpus(t) {
		b, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Base(filepath.Dir(p))
		got := detect(realName(filepath.Base(p)), b)
		if !slices.Contains(want[dir], got) {
			t.Errorf("%s: detected %s, want one of %v", filepath.Base(p), got, want[dir])
		}
	}
}
