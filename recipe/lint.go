package recipe

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// Proof says what binds a digest to an artifact of a release.
//
// A digest is "proven" only as issue 16 item 1 defines it: (a) a Sigstore
// bundle for the artifact verifies for the identity the timeline expects;
// (b) it was signed inside the version's signing window; (c) no other
// artifact of the release carries the same digest; and (d) every other
// source of a digest for the artifact (python.org's API sha256_sum, the
// SBOM, a second mirror, the embedded record) agrees, at least one of them
// existing. The audit package establishes that; this package only consumes
// the verdict through Digests.
type Proof struct {
	Proven bool     // all of issue 16's conditions held
	Held   []string // which conditions held, e.g. "a", "b", "c", "d:record"
	Source string   // where the digest comes from, for messages
}

// Digests gives python.org's SHA-256 for an artifact of a version.
type Digests interface {
	Digest(version, artifact string) (sha256 string, proof Proof, ok bool)
}

// sizes is implemented by Digests that also know an artifact's size.
type sizes interface {
	Size(version, artifact string) (int64, bool)
}

// RecordDigests is python.org's observed record embedded in sigaudit
// (package record): digests as seen by the cpython-release-tracker. They
// are observed, not proven: a pin that agrees is checksum-unproven.
type RecordDigests struct{}

func (RecordDigests) lookup(version, artifact string) (record.Artifact, bool) {
	if v, err := timeline.ParseVersion(version); err == nil {
		if a, ok := record.Lookup(dirOf(v), artifact); ok {
			return a, true
		}
	}
	if as := record.ByName(artifact); len(as) == 1 {
		return as[0], true
	}
	return record.Artifact{}, false
}

// Digest implements Digests.
func (r RecordDigests) Digest(version, artifact string) (string, Proof, bool) {
	a, ok := r.lookup(version, artifact)
	if !ok {
		return "", Proof{}, false
	}
	return a.SHA256, Proof{Held: []string{"d:record"}, Source: "python.org's observed record (" + record.Source + ")"}, true
}

// Size implements Sizes.
func (r RecordDigests) Size(version, artifact string) (int64, bool) {
	a, ok := r.lookup(version, artifact)
	return a.Size, ok
}

// Options are the sources Lint judges against.
type Options struct {
	Timeline *timeline.Timeline // nil: timeline.Default()
	Digests  Digests            // nil: RecordDigests
	Expect   timeline.Options
}

// defaultTimeline is parsed once: timeline.Default parses on every call.
var defaultTimeline = sync.OnceValue(timeline.Default)

func (o Options) tl() *timeline.Timeline {
	if o.Timeline != nil {
		return o.Timeline
	}
	return defaultTimeline()
}

func (o Options) digests() Digests {
	if o.Digests != nil {
		return o.Digests
	}
	return RecordDigests{}
}

// Lint judges r's pins and verification and sets r.Findings (sorted by
// line, most severe first).
func Lint(r *Recipe, opt Options) {
	j := judge{r: r, opt: opt, seen: map[string]bool{}}
	j.run()
	sort.SliceStable(r.Findings, func(a, b int) bool {
		fa, fb := r.Findings[a], r.Findings[b]
		if fa.Line != fb.Line {
			return fa.Line < fb.Line
		}
		return rank(fa.Severity) > rank(fb.Severity)
	})
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
}

func rank(s string) int {
	switch s {
	case report.Mismatch:
		return 3
	case report.Gap:
		return 2
	case report.Note:
		return 1
	}
	return 0
}

type judge struct {
	r    *Recipe
	opt  Options
	seen map[string]bool
}

func (j *judge) add(sev, code string, line int, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	id := code + "|" + msg
	if j.seen[id] {
		return
	}
	j.seen[id] = true
	j.r.Findings = append(j.r.Findings, Finding{Severity: sev, Code: code, Message: report.OneLine(msg), Line: line})
}

func lineOfVersion(v string) string {
	if pv, err := timeline.ParseVersion(v); err == nil {
		return pv.Line()
	}
	return ""
}

// inScope reports whether something scoped to scope applies to version.
func inScope(scope, version string) bool {
	if scope == "" {
		return true
	}
	for _, s := range strings.Split(scope, "|") {
		if s == version || s == lineOfVersion(version) {
			return true
		}
	}
	return false
}

func (j *judge) run() {
	v := j.r.Verify
	linesWithPins := map[string]bool{}
	for i := range j.r.Pins {
		p := &j.r.Pins[i]
		if p.Version == "" {
			j.templated(p)
			continue
		}
		linesWithPins[lineOfVersion(p.Version)] = true
		linesWithPins[p.Version] = true
		j.pin(p)
	}
	// Keys and identities scoped to a line no pin covers (templates, case
	// statements): judged against that line.
	scoped := map[string]bool{}
	for _, k := range v.Keys {
		for _, s := range strings.Split(k.Scope, "|") {
			if s != "" && !linesWithPins[s] {
				scoped[s] = true
			}
		}
	}
	for _, id := range v.Identities {
		for _, s := range strings.Split(id.Scope, "|") {
			if s != "" && !linesWithPins[s] {
				scoped[s] = true
			}
		}
	}
	var lines []string
	for s := range scoped {
		lines = append(lines, s)
	}
	sort.Slice(lines, func(a, b int) bool { return timeline.CompareLines(lines[a], lines[b]) < 0 })
	for _, l := range lines {
		j.line(l)
	}
	if v.DigestFromBundle > 0 && !v.BundleVerified {
		j.add(report.Gap, CodeUnverified, v.DigestFromBundle,
			"the SHA-256 is read out of python.org's .sigstore bundle without verifying the bundle (signature, certificate identity, issuer): anyone who can serve the bundle chooses the digest; verify it first (sigaudit verify-bundle --bundle FILE --identity ID --issuer URL --sha256 HEX, or cosign verify-blob) or take the digest from `sigaudit checksums`")
	}
}

// expect returns the expectation for a version and kind.
func (j *judge) expect(version, kind string) (timeline.Expectation, bool) {
	pv, err := timeline.ParseVersion(version)
	if err != nil {
		return timeline.Expectation{}, false
	}
	if kind == "" || kind == source.KindUnknown {
		kind = source.KindSource
	}
	e, err := j.opt.tl().Expect(pv, kind, j.opt.Expect)
	return e, err == nil
}

func (j *judge) templated(p *Artifact) {
	v := j.r.Verify
	if v.Delegated != "" || len(p.Checksums) > 0 {
		return
	}
	if v.PGP || v.Sigstore {
		j.add(report.Gap, CodeChecksumWeak, p.Line, "%s is pinned by nothing: no checksum is checked, only a signature; pin each release's SHA-256 as well (sigaudit pin VERSION --format sha256sum)", p.Artifact)
		return
	}
	from := "python.org"
	if !strings.Contains(p.URL, "python.org") {
		from = report.OneLine(p.URL) + " (a CPython release URL the recipe computes)"
	}
	j.add(report.Gap, CodeUnverified, p.Line, "%s is downloaded from %s with neither a checksum nor a signature check; pin its SHA-256 (sigaudit pin VERSION --format sha256sum) and verify its signature (sigaudit verify)", p.Artifact, from)
}

func hasAlg(p *Artifact, algs ...string) bool {
	for _, c := range p.Checksums {
		for _, a := range algs {
			if c.Algorithm == a {
				return true
			}
		}
	}
	return false
}

func (j *judge) pin(p *Artifact) {
	v := j.r.Verify
	exp, known := j.expect(p.Version, p.Kind)
	what := p.Version + " " + p.Artifact
	d, proof, haveDigest := j.opt.digests().Digest(p.Version, p.Artifact)

	// Checksums.
	var refs, sha256s []Checksum
	for _, c := range p.Checksums {
		switch {
		case c.Ref == "" && c.Hex == "":
			j.add(report.Mismatch, CodeChecksumMismatch, c.Line, "%s: the pinned %s %q is not a valid digest%s", what, c.Algorithm, c.Written, digestHint(d, haveDigest))
		case c.Ref != "":
			refs = append(refs, c)
		case c.Algorithm == "sha256":
			sha256s = append(sha256s, c)
		}
	}
	verifiesSig := v.PGP || v.Sigstore
	switch {
	case len(sha256s) > 0:
		for _, c := range sha256s {
			switch {
			case !haveDigest:
				j.add(report.Note, CodeChecksumUnproven, c.Line, "%s: sigaudit knows no python.org digest for this artifact, so the pinned SHA-256 %s could not be compared; check it with `sigaudit checksums %s`", what, c.Hex, p.Version)
			case c.Hex != d:
				j.add(report.Mismatch, CodeChecksumMismatch, c.Line, "%s: the pinned SHA-256 %s is not python.org's (%s); write %s", what, c.Hex, d, writeAs(c, d))
			case !proof.Proven:
				j.add(report.Note, CodeChecksumUnproven, c.Line, "%s: the pinned SHA-256 agrees with %s, but no verified Sigstore bundle (or other proof) binds it to this artifact; run `sigaudit checksums %s`", what, orDefault(proof.Source, "what sigaudit knows"), p.Version)
			}
		}
	case hasAlg(p, "sha512", "sha384", "blake2b"):
		c := p.Checksums[0]
		for _, alg := range []string{"sha512", "sha384", "blake2b"} {
			if k := slices.IndexFunc(p.Checksums, func(x Checksum) bool { return x.Algorithm == alg }); k >= 0 {
				c = p.Checksums[k]
				break
			}
		}
		msg := "%s is pinned by %s only, which cannot be compared with python.org's SHA-256"
		if haveDigest {
			msg += "; python.org's SHA-256 is " + d
		}
		j.add(report.Note, CodeChecksumUnproven, c.Line, msg, what, strings.ToUpper(c.Algorithm))
	case hasAlg(p, "md5", "sha1"):
		j.add(report.Gap, CodeChecksumWeak, p.Checksums[0].Line, "%s is pinned only by %s, which does not resist forgery; pin its SHA-256%s", what, strings.ToUpper(p.Checksums[0].Algorithm), digestHint(d, haveDigest))
	case len(refs) > 0:
		// A template reference: the value lives in another file.
	case v.ChecksumElsewhere != "" || v.Delegated != "":
		if p.URL == "" || v.Delegated != "" {
			j.add(report.Gap, CodeChecksumWeak, p.Line, "%s is pinned by nothing: no checksum is given%s", what, digestHint(d, haveDigest))
		}
	case verifiesSig:
		j.add(report.Gap, CodeChecksumWeak, p.Line, "%s is pinned by nothing: no checksum is checked, only a signature; pin its SHA-256 as well%s", what, digestHint(d, haveDigest))
	default:
		j.add(report.Gap, CodeUnverified, p.Line, "%s is downloaded from python.org with neither a checksum nor a signature check; pin its SHA-256%s and verify its signature", what, digestHint(d, haveDigest))
	}
	if sz, ok := j.opt.digests().(sizes); ok && p.Size > 0 {
		if want, ok := sz.Size(p.Version, p.Artifact); ok && want != p.Size {
			j.add(report.Mismatch, CodeChecksumMismatch, p.Line, "%s: the pinned size %d is not python.org's (%d bytes)", what, p.Size, want)
		}
	}
	if !known {
		return
	}
	j.signatures(p.Line, p.Version, what, exp)
}

func writeAs(c Checksum, d string) string {
	if strings.HasPrefix(c.Written, "sha256-") {
		if sri, err := sriOf(d); err == nil {
			return sri
		}
	}
	return d
}

func digestHint(d string, ok bool) string {
	if !ok {
		return ""
	}
	return " (python.org's is " + d + ")"
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// signatures judges the PGP keys, .asc downloads and Sigstore identities
// that apply to version (or line) against exp.
func (j *judge) signatures(line int, version, what string, exp timeline.Expectation) {
	v := j.r.Verify
	var fps []Key
	var rings []Key
	for _, k := range v.Keys {
		if !inScope(k.Scope, version) {
			continue
		}
		if k.Fingerprint != "" {
			fps = append(fps, k)
		} else {
			rings = append(rings, k)
		}
	}
	keyLine := line
	if len(fps) > 0 {
		keyLine = fps[0].Line
	} else if len(rings) > 0 {
		keyLine = rings[0].Line
	}
	if exp.PGP {
		verified := v.PGP && (v.ASC || j.r.Format == FedoraSpec || j.r.Format == Manylinux || j.r.Format == Heroku || j.r.Format == DockerTemplate || j.r.Format == SHA256Sum)
		if !verified && !v.Sigstore && v.Delegated == "" && j.r.Format != SigningKey {
			j.add(report.Note, CodePGPUnverified, line, "%s: PEP 761 guarantees a PGP signature by %s (%s), but the recipe does not verify it; download the .asc and verify it with that key, or verify the Sigstore bundle (identity %s, issuer %s)", what, exp.PGPSigner, strings.Join(exp.PGPFingerprints, ", "), exp.Identity, exp.Issuer)
		}
		if len(fps) > 0 {
			want := map[string]bool{}
			for _, f := range exp.PGPFingerprints {
				want[f] = true
			}
			found := false
			var extra []string
			for _, k := range fps {
				if want[k.Fingerprint] {
					found = true
				} else {
					extra = append(extra, k.Fingerprint)
				}
			}
			if !found {
				j.add(report.Mismatch, CodePGPKeyWrong, keyLine, "%s: the recipe's PGP keys (%s) do not include %s's %s, who signs it under PEP 761; write %s", what, keyList(fps), exp.PGPSigner, strings.Join(exp.PGPFingerprints, ", "), strings.Join(exp.PGPFingerprints, ", "))
			} else if len(extra) > 0 {
				j.add(report.Note, CodePGPKeyExtra, keyLine, "%s: only %s's key %s signs it; the recipe also accepts %s; keep only %s", what, exp.PGPSigner, strings.Join(exp.PGPFingerprints, ", "), strings.Join(dedupe(extra), ", "), strings.Join(exp.PGPFingerprints, ", "))
			}
		} else if len(rings) > 0 && v.PGP {
			j.add(report.Note, CodePGPKeyExtra, keyLine, "%s: the signature is checked against the whole keyring %s, which accepts every release manager; pin %s's key %s", what, rings[0].Keyring, exp.PGPSigner, strings.Join(exp.PGPFingerprints, ", "))
		}
	} else if len(fps) > 0 || len(rings) > 0 || (v.ASC && v.Delegated == "") {
		l := keyLine
		if len(fps) == 0 && len(rings) == 0 {
			l = v.ASCLine
		}
		j.add(report.Note, CodePGPObsolete, l, "%s: python.org publishes no PGP signature for it (%s), so the PGP keys and .asc download protect nothing; verify the Sigstore bundle instead (identity %s, issuer %s)", what, exp.PGPReason, exp.Identity, exp.Issuer)
	}
	for _, id := range v.Identities {
		if !inScope(id.Scope, version) {
			continue
		}
		want, field := exp.Identity, "identity"
		if id.Issuer {
			want, field = exp.Issuer, "OIDC issuer"
		}
		if want != "" && id.Value != want {
			j.add(report.Mismatch, CodeSigstoreIdentity, id.Line, "%s: the Sigstore %s %q is not the one %s is signed with; write %q", what, field, id.Value, exp.Line, want)
		}
	}
}

// line judges keys and identities scoped to a release line with no pin.
func (j *judge) line(l string) {
	major, minor, err := timeline.ParseLine(l)
	if err != nil {
		if _, err := timeline.ParseVersion(l); err == nil {
			if exp, ok := j.expect(l, source.KindSource); ok {
				j.signatures(j.firstScopedLine(l), l, l, exp)
			}
		}
		return
	}
	v := fmt.Sprintf("%d.%d.0", major, minor)
	exp, ok := j.expect(v, source.KindSource)
	if !ok {
		return
	}
	j.signatures(j.firstScopedLine(l), v, "the "+l+" line", exp)
}

func (j *judge) firstScopedLine(scope string) int {
	for _, k := range j.r.Verify.Keys {
		if inScope(k.Scope, scope) && k.Scope != "" {
			return k.Line
		}
	}
	for _, id := range j.r.Verify.Identities {
		if inScope(id.Scope, scope) && id.Scope != "" {
			return id.Line
		}
	}
	return 0
}

func keyList(ks []Key) string {
	var s []string
	for _, k := range ks {
		s = append(s, k.Fingerprint)
	}
	return strings.Join(dedupe(s), ", ")
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// armoredFingerprints lists the primary key fingerprints of an armored
// public keyring (Debian's signing-key.asc).
func armoredFingerprints(b []byte) []string {
	el, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range el {
		out = append(out, strings.ToUpper(fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)))
	}
	return out
}

// lintFile reads and judges one file. A file that cannot be read or holds
// nothing to check comes back with Error set (and the error).
func lintFile(name string, opt Options) (*Recipe, error) {
	b, err := ReadFile(name)
	if err != nil {
		return &Recipe{File: name, Format: "", Pins: []Artifact{}, Findings: []Finding{}, Error: err.Error()}, err
	}
	return lintBytes(name, b, opt)
}

// lintBytes parses and judges content as the recipe file name.
func lintBytes(name string, content []byte, opt Options) (*Recipe, error) {
	r, err := parse(name, content)
	if r == nil {
		r = &Recipe{File: name, Pins: []Artifact{}, Findings: []Finding{}}
	}
	if err != nil {
		r.Error = err.Error()
		return r, err
	}
	Lint(r, opt)
	return r, nil
}

// LintFiles reads and judges each file in order. Every file yields a
// Recipe (one that cannot be read or holds nothing to check has Error
// set); failed counts those.
func LintFiles(names []string, opt Options) (rs []*Recipe, failed int) {
	for _, n := range names {
		r, err := lintFile(n, opt)
		if err != nil {
			r.NothingFound = errors.Is(err, errNothingFound)
			failed++
		}
		rs = append(rs, r)
	}
	return rs, failed
}

// exitCode is `sigaudit lint`'s exit status: 1 when a file could not be
// read or held nothing to check, 3 when a finding's severity is in
// failOn, else 0.
func exitCode(rs []*Recipe, failOn map[string]bool) int {
	for _, r := range rs {
		if r.Error != "" {
			return 1
		}
	}
	if Fails(rs, failOn) {
		return 3
	}
	return 0
}

// Versions lists the versions the recipes pin, in order of first
// appearance, so that a caller can fetch proven digests for exactly those
// (a digest-only audit, then ChecksumDigests).
func Versions(rs []*Recipe) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		for _, p := range r.Pins {
			if p.Version != "" && !seen[p.Version] {
				seen[p.Version] = true
				out = append(out, p.Version)
			}
		}
	}
	return out
}
