package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/timeline"
)

// digestCheck is the comparison of every SHA-256 known for the artifact.
type digestCheck struct {
	all      map[string]string // by source
	digests  map[string]string // all but the bundle's own claim
	agree    bool
	findings []report.Finding
}

// digestOrder is the order sources are compared in (further sources, a
// second API row..., follow in a stable order).
// DigestSHA256Flag names the digest given on the command line (--sha256)
// among an artifact's digest sources.
const DigestSHA256Flag = "sha256_flag"

var digestOrder = []string{"artifact", "bundle", "sbom", "api", "record", DigestSHA256Flag}

// crossCheck compares every SHA-256 known for the artifact: computed,
// from the bundle, the SBOM, the API, the record, the command line. If
// they disagree, no Sigstore verdict can be "verified", whichever digest
// the bundle matches.
func crossCheck(outside map[string]string, sum string, inspect sigstore.Verdict) digestCheck {
	dc := digestCheck{all: map[string]string{}, digests: map[string]string{}, agree: true}
	for k, v := range outside {
		dc.all[k], dc.digests[k] = v, v
	}
	if sum != "" {
		dc.all["artifact"], dc.digests["artifact"] = sum, sum
	}
	if inspect.DigestAlgorithm == "sha256" && inspect.Digest != "" {
		dc.all["bundle"] = inspect.Digest
	}
	order := slices.Clone(digestOrder)
	var extra []string
	for k := range dc.all {
		if !slices.Contains(order, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	order = append(order, extra...)
	var first, firstSrc string
	for _, src := range order {
		d, ok := dc.all[src]
		if !ok {
			continue
		}
		if first == "" {
			first, firstSrc = d, src
			continue
		}
		if d != first {
			dc.agree = false
			dc.findings = []report.Finding{digestMismatch("SHA-256 disagrees: %s says %s, %s says %s", firstSrc, first, src, d)}
			break
		}
	}
	return dc
}

// independentDigest is the SHA-256 Sigstore is checked against: the
// artifact's own, else one from a source other than the bundle.
func independentDigest(digests map[string]string) string {
	for _, src := range []string{"artifact", DigestSHA256Flag, "api", "sbom", "record"} {
		if d, ok := digests[src]; ok {
			return d
		}
	}
	return ""
}

// sigstoreOutcome is the Sigstore method's entry and findings.
type sigstoreOutcome struct {
	method   report.Method
	findings []report.Finding
	// stands: the verdict is verified or signer-verified.
	stands bool
	// digestMismatch: a digest-mismatch finding was made.
	digestMismatch bool
}

func (o *sigstoreOutcome) add(fs ...report.Finding) {
	for _, f := range fs {
		o.digestMismatch = o.digestMismatch || f.Code == report.CodeDigestMismatch
		o.findings = append(o.findings, f)
	}
}

// sigstoreOutcome decides the Sigstore verdict from the material, the
// pass over the artifact and the digests.
func (a *Auditor) sigstoreOutcome(name, version string, ex timeline.Expectation, p parsed, h hashed, dc digestCheck, spec *speculation) sigstoreOutcome {
	o := sigstoreOutcome{method: report.Method{Status: report.StatusNotExpected, File: p.sigFile}}
	switch p.sigstore {
	case sigAbsent:
		if ex.Sigstore {
			o.method.Status = report.StatusMissing
			o.add(sigstoreMissing(name, ex))
		}
	case sigUnreadable:
		what := ".sigstore"
		if p.legacy == nil && p.sigFile == name+".crt" {
			what = ".crt/.sig"
		}
		o.method.Status, o.method.Reason = string(sigstore.Malformed), "cannot read "+what+": "+p.sigErr.Error()
		if ioError(p.sigErr) || what == ".crt/.sig" {
			o.method.Status = report.StatusError
		}
	case sigBad:
		v := p.inspect
		o.method.Status, o.method.Reason, o.method.MediaType = string(v.Status), v.Reason, v.MediaType
		o.add(sigstoreFailure(v, p.sigFile))
	case sigParsed:
		if h.state == artUnreadable {
			spec.wait()
			o.method.Status, o.method.Reason = report.StatusError, "the artifact could not be read, so the bundle was not checked against it: "+h.err.Error()
			break
		}
		a.sigstoreVerify(&o, name, version, ex, p, dc, spec)
	}
	return o
}

// sigstoreVerify verifies parsed material: over an independent digest
// when one is known, else its signer only (chain, log, identity), which
// is never "verified".
func (a *Auditor) sigstoreVerify(o *sigstoreOutcome, name, version string, ex timeline.Expectation, p parsed, dc digestCheck, spec *speculation) {
	specV, specOK := spec.wait()
	v, err := a.Sigstore()
	if err != nil {
		o.method.Status, o.method.Reason = string(sigstore.Untrusted), "cannot load trust root: "+err.Error()
		o.add(sigstoreFailure(sigstore.Verdict{Status: sigstore.Untrusted, Reason: o.method.Reason}, ""))
		return
	}
	exp := expectOf(ex)
	d := independentDigest(dc.digests)
	var verdict sigstore.Verdict
	switch {
	case d == "" && p.bundle != nil:
		verdict = v.VerifySigner(p.bundle, exp)
	case d == "":
		verdict = v.VerifyLegacySigner(p.legacy, exp)
	case p.bundle != nil && specOK && d == spec.digest:
		verdict = specV // VerifyBundle(b, art, exp), computed early
	default:
		raw, _ := hex.DecodeString(d)
		art := sigstore.Artifact{SHA256: raw}
		if p.bundle != nil {
			verdict = v.VerifyBundle(p.bundle, art, exp)
		} else {
			verdict = v.VerifyLegacy(p.legacy, art, exp)
		}
	}
	a.sigstoreVerdict(o, name, version, verdict, dc, d == "")
}

// sigstoreVerdict turns a verification verdict into the method's entry
// and findings. signerOnly says no independent digest was known.
func (a *Auditor) sigstoreVerdict(o *sigstoreOutcome, name, version string, verdict sigstore.Verdict, dc digestCheck, signerOnly bool) {
	m := &o.method
	m.Status = string(verdict.Status)
	m.Identity, m.Issuer, m.MediaType = verdict.Identity, verdict.Issuer, verdict.MediaType
	m.Reason, m.TimeProof, m.LogIndex = verdict.Reason, verdict.TimeProof, verdict.LogIndex
	m.Digest = verdict.Digest
	if !verdict.SigningTime.IsZero() {
		m.Created = verdict.SigningTime.Format(time.RFC3339)
	}
	if signerOnly {
		o.add(digestUnconfirmed("%s: only the signer was checked (certificate chain, log, identity): no independent SHA-256 (artifact, API, SBOM, sigaudit's record) confirms that what it signs is %s", o.method.File, name))
	}
	if verdict.Legacy {
		o.add(legacyFormat())
	}
	switch verdict.Status {
	case sigstore.Verified, sigstore.SignerVerified:
		if verdict.TimeProof == sigstore.ProofNone {
			o.add(signingTimeUnproven(name))
		}
		st, why, fs := bind(name, version, verdict, dc)
		if st == "" && !dc.agree && verdict.Status == sigstore.Verified {
			st, why = sigstore.DigestMismatch, "the bundle verifies, but the SHA-256 values of this artifact disagree (see findings)"
		}
		if st != "" {
			m.Status, m.Reason = string(st), why
		}
		o.stands = st == ""
		o.add(fs...)
	case sigstore.DigestMismatch:
		if dc.agree { // else crossCheck reported the disagreement
			o.add(sigstoreFailure(verdict, ""))
		}
	default:
		o.add(sigstoreFailure(verdict, ""))
	}
}

// bind checks that a verified bundle belongs to this artifact of this
// release, beyond its signer: it does not sign the SHA-256 python.org
// published for another artifact, and it was signed inside the version's
// signing window. Either failure takes the "verified" away: the status
// and reason that replace it, with the finding (none for a digest
// disagreement crossCheck already reported).
func bind(name, version string, v sigstore.Verdict, dc digestCheck) (sigstore.Status, string, []report.Finding) {
	if _, known := dc.digests["record"]; !known && v.Digest != "" {
		if owners := strings.Join(recordOwners(v.Digest, name), ", "); owners != "" {
			var fs []report.Finding
			if dc.agree {
				fs = append(fs, digestMismatch("the bundle signs another artifact: python.org published %s for %s (sigaudit's record)", v.Digest, owners))
			}
			return sigstore.DigestMismatch, "the bundle signs the SHA-256 python.org published for " + owners, fs
		}
	}
	if v.TimeProof == sigstore.ProofNone || v.SigningTime.IsZero() {
		return "", "", nil
	}
	if w, ok := signingWindow(version); ok && !w.Contains(v.SigningTime) {
		at := v.SigningTime.UTC().Format(time.RFC3339)
		return sigstore.Invalid, fmt.Sprintf("signed %s, outside %s's signing window", at, version),
			[]report.Finding{signedOutsideWindow("the bundle was signed %s, outside %s's signing window: %s; it is another release's bundle", at, version, w)}
	}
	return "", "", nil
}

// speculation is a bundle's verification over the digest it names, run
// while the artifact is hashed.
type speculation struct {
	digest string                // hex, as Inspect gives it
	done   chan sigstore.Verdict // the verdict, or closed empty
}

// speculate starts verifying b over the SHA-256 it claims to sign, so that
// the work overlaps hashing the artifact. Its verdict is used only when
// the digest Sigstore is finally checked against is that same value: it is
// then VerifyBundle's verdict for the very same arguments. Otherwise it is
// discarded and the bundle is verified again (a different digest is a
// digest-mismatch before any signature is checked).
func (a *Auditor) speculate(b *sigstore.Bundle, ex timeline.Expectation) *speculation {
	claimed, ok := b.SignsDigest()
	if !ok {
		return nil
	}
	raw, err := hex.DecodeString(claimed)
	if err != nil || len(raw) != sha256.Size {
		return nil
	}
	s := &speculation{digest: claimed, done: make(chan sigstore.Verdict, 1)}
	go func() {
		defer close(s.done)
		v, err := a.Sigstore()
		if err != nil {
			return // sigstoreVerify reports the same memoized error
		}
		s.done <- v.VerifyBundle(b, sigstore.Artifact{SHA256: raw}, expectOf(ex))
	}()
	return s
}

// wait returns the speculation's verdict, if one was computed. It always
// waits, so that no verification of the bundle is left running.
func (s *speculation) wait() (sigstore.Verdict, bool) {
	if s == nil {
		return sigstore.Verdict{}, false
	}
	v, ok := <-s.done
	return v, ok
}

func expectOf(ex timeline.Expectation) sigstore.Expect {
	return sigstore.Expect{Identities: []sigstore.Identity{{SAN: ex.Identity, Issuer: ex.Issuer}}}
}
