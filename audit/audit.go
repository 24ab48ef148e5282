// Package audit is sigaudit's pipeline: for each artifact it asks the
// timeline what is guaranteed, finds what is published, verifies it with
// the pgp and sigstore packages, and turns the verdicts into findings in
// the report model. It never prints.
package audit

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sigaudit/sigaudit/internal/fanout"
	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// Auditor holds what every artifact's audit needs. Keyring and Sigstore
// are loaded lazily by the caller's functions, only when an artifact needs
// them.
type Auditor struct {
	Timeline *timeline.Timeline
	Options  timeline.Options
	Keyring  func() (*pgp.Keyring, error)
	Sigstore func() (*sigstore.Verifier, error)
	// DigestOnly skips artifact contents: Sigstore is checked against the
	// independent SHA-256 values (API, SBOM, --sha256) and PGP is not checked.
	DigestOnly bool
}

// Files is what is published for one artifact. Each function returns
// source.ErrNotFound (wrapped) when the file is absent.
type Files struct {
	Name       string // artifact file name
	DirVersion string // release directory, "" if unknown
	// Artifact opens the artifact; nil when it is absent or not wanted.
	Artifact func() (io.ReadCloser, error)
	// Sibling reads a small file published beside the artifact, by suffix
	// (".asc", ".sigstore", ".crt", ".sig", ".spdx.json"), bounded by limit.
	Sibling func(suffix string, limit int64) ([]byte, error)
	// Known SHA-256 values from outside the tree, by source ("api", "sha256
	// flag"), hex lower-case.
	Digests map[string]string
	// Hashed, when set, returns a pass over this very artifact made before
	// Audit ran (internal/prehash), or nil. It is used instead of reading
	// the artifact when it has every hash the methods need.
	Hashed func() *Hashed
}

// Hashed is a pass over an artifact made elsewhere: hash states that have
// consumed exactly the artifact's bytes, by algorithm.
type Hashed struct {
	Hashes map[crypto.Hash]hash.Hash
}

// usable returns the SHA-256 state and, when sig is not nil, a PGP check
// finished from h, or ok false when h lacks a hash the methods need.
func (h *Hashed) usable(sig *pgp.Signature) (sum256 []byte, c *pgp.Check, ok bool) {
	if h == nil || h.Hashes[crypto.SHA256] == nil {
		return nil, nil, false
	}
	// Sum before the PGP check can write its trailer into a SHA-256 state.
	sum256 = h.Hashes[crypto.SHA256].Sum(nil)
	if sig != nil {
		alg, plain := sig.PlainHash()
		if !plain {
			return nil, nil, false
		}
		if c, ok = pgp.NewCheckFrom(sig, alg, h.Hashes[alg]); !ok {
			return nil, nil, false
		}
	}
	return sum256, c, true
}

// signature material found for an artifact
type material struct {
	asc      []byte
	ascErr   error
	bundle   []byte
	bundleEr error
	crt, sig []byte
	legacyEr error
	sbom     []byte
	sbomErr  error
}

func notFound(err error) bool { return errors.Is(err, source.ErrNotFound) }

// errLegacyHalf is half of a legacy .crt + .sig pair.
var errLegacyHalf = errors.New("half of a legacy .crt + .sig pair")

// unreadableErrs are the errors of a file that exists but cannot be read
// (source.ErrNotRegular is a refusal, not one of them).
var unreadableErrs = []error{source.ErrUnreadable, fs.ErrPermission, syscall.EIO}

// ioError says whether err is a failure to read a file that exists (not
// its absence, not a file refused for what it is): an operational error,
// never a verdict.
func ioError(err error) bool {
	for _, e := range unreadableErrs {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

func (a *Auditor) gather(f Files) material {
	var m material
	m.asc, m.ascErr = f.Sibling(".asc", pgp.MaxSignatureSize)
	m.bundle, m.bundleEr = f.Sibling(".sigstore", sigstore.MaxBundleSize)
	if m.bundleEr != nil && notFound(m.bundleEr) {
		var crtErr, sigErr error
		m.crt, crtErr = f.Sibling(".crt", sigstore.MaxBundleSize)
		m.sig, sigErr = f.Sibling(".sig", sigstore.MaxBundleSize)
		switch {
		case crtErr == nil && sigErr == nil:
		case notFound(crtErr) && notFound(sigErr):
			m.legacyEr = crtErr
		case crtErr != nil && !notFound(crtErr):
			m.legacyEr = crtErr
		case sigErr != nil && !notFound(sigErr):
			m.legacyEr = sigErr
		case notFound(crtErr):
			m.legacyEr = fmt.Errorf(".sig without its .crt: %w", errLegacyHalf)
		default:
			m.legacyEr = fmt.Errorf(".crt without its .sig: %w", errLegacyHalf)
		}
	}
	m.sbom, m.sbomErr = f.Sibling(".spdx.json", source.MaxSBOMSize)
	return m
}

// result accumulates one artifact's report entry.
type result struct {
	report.Artifact
}

func (r *result) add(sev, code, format string, args ...any) {
	r.Findings = append(r.Findings, report.Finding{Severity: sev, Code: code, Message: fmt.Sprintf(format, args...)})
}

// Audit checks one artifact. It never fails: every problem is a finding.
func (a *Auditor) Audit(ctx context.Context, f Files) report.Artifact {
	r := &result{}
	r.Name = f.Name
	n := source.ParseName(f.Name, f.DirVersion)
	r.Version, r.Kind = n.Version, n.Kind
	r.PGP.Status, r.Sigstore.Status = report.StatusNotExpected, report.StatusNotExpected
	if !n.Known {
		r.add(report.Note, report.CodeUnknownArtifact, "%q is not a python.org artifact name sigaudit knows; nothing is expected of it", f.Name)
		return r.Artifact
	}
	v, _ := timeline.ParseVersion(n.Version)
	r.Line = v.Line()
	ex, err := a.Timeline.Expect(v, n.Kind, a.Options)
	if err != nil {
		var ul *timeline.UnknownLineError
		if errors.As(err, &ul) {
			r.add(report.Gap, report.CodeUnknownLine, "%v: sigaudit cannot tell what is guaranteed (%s)", err, ul.Hint())
		} else {
			r.add(report.Gap, report.CodeUnknownLine, "%v", err)
		}
		return r.Artifact
	}
	r.Expected = report.Expected{PGP: ex.PGP, Sigstore: ex.Sigstore}
	m := a.gather(f)
	a.run(ctx, r, f, ex, m)
	return r.Artifact
}

func (a *Auditor) run(ctx context.Context, r *result, f Files, ex timeline.Expectation, m material) {
	// Parse what is present.
	var sig *pgp.Signature
	switch {
	case m.ascErr == nil:
		r.PGP.File = f.Name + ".asc"
		s, err := pgp.ReadSignature(bytes.NewReader(m.asc))
		if err != nil {
			r.PGP.Status, r.PGP.Reason = string(pgp.Malformed), err.Error()
		} else {
			sig = s
		}
	case notFound(m.ascErr):
		if ex.PGP {
			r.PGP.Status = report.StatusMissing
		}
	case errors.Is(m.ascErr, source.ErrTooLarge):
		r.PGP.File = f.Name + ".asc"
		r.PGP.Status, r.PGP.Reason = string(pgp.Malformed), m.ascErr.Error()
		r.add(report.Mismatch, report.CodePGPMalformed, "%s.asc is not a signature: %v", f.Name, m.ascErr)
	default:
		r.PGP.File = f.Name + ".asc"
		r.PGP.Status, r.PGP.Reason = string(pgp.Malformed), "cannot read .asc: "+m.ascErr.Error()
		if ioError(m.ascErr) {
			r.PGP.Status = report.StatusError
		}
		r.add(report.Mismatch, report.CodeSourceError, "cannot read %s.asc: %v", f.Name, m.ascErr)
	}

	var bundle *sigstore.Bundle
	var legacy *sigstore.Legacy
	var inspect sigstore.Verdict
	unreadable := false
	switch {
	case m.bundleEr == nil:
		r.Sigstore.File = f.Name + ".sigstore"
		b, v, err := sigstore.ReadBundle(bytes.NewReader(m.bundle))
		inspect = v
		if err == nil {
			bundle = b
		}
	case errors.Is(m.bundleEr, source.ErrTooLarge):
		r.Sigstore.File = f.Name + ".sigstore"
		inspect = sigstore.Verdict{Status: sigstore.Malformed, Reason: m.bundleEr.Error()}
	case !notFound(m.bundleEr):
		// Present but unreadable: a source error, reported once.
		r.Sigstore.File = f.Name + ".sigstore"
		r.Sigstore.Status, r.Sigstore.Reason = string(sigstore.Malformed), "cannot read .sigstore: "+m.bundleEr.Error()
		if ioError(m.bundleEr) {
			r.Sigstore.Status = report.StatusError
		}
		r.add(report.Mismatch, report.CodeSourceError, "cannot read %s.sigstore: %v", f.Name, m.bundleEr)
		unreadable = true
	case m.legacyEr == nil:
		r.Sigstore.File = f.Name + ".crt"
		l, v, err := sigstore.ReadLegacy(bytes.NewReader(m.crt), bytes.NewReader(m.sig))
		inspect = v
		if err == nil {
			legacy = l
		}
	case ioError(m.legacyEr):
		r.Sigstore.File = f.Name + ".crt"
		r.Sigstore.Status, r.Sigstore.Reason = report.StatusError, "cannot read .crt/.sig: "+m.legacyEr.Error()
		r.add(report.Mismatch, report.CodeSourceError, "cannot read %s.crt/.sig: %v", f.Name, m.legacyEr)
		unreadable = true
	case !notFound(m.legacyEr):
		inspect = sigstore.Verdict{Status: sigstore.Malformed, Legacy: true, Reason: m.legacyEr.Error()}
	}
	sigstorePresent := inspect.Status != "" || bundle != nil || legacy != nil || unreadable
	if !sigstorePresent && ex.Sigstore {
		r.Sigstore.Status = report.StatusMissing
	}

	// Independent digests: SBOM, API, the command line.
	digests := map[string]string{}
	for k, d := range f.Digests {
		digests[k] = d
	}
	if m.sbomErr == nil {
		d, err := source.SBOMDigest(m.sbom, f.Name)
		switch {
		case err != nil:
			r.add(report.Note, report.CodeSourceError, "cannot use %s.spdx.json: %v", f.Name, err)
		case d != "":
			digests["sbom"] = d
		}
	} else if !notFound(m.sbomErr) {
		r.add(report.Note, report.CodeSourceError, "cannot read %s.spdx.json: %v", f.Name, m.sbomErr)
	}
	// python.org's own record of the artifact, embedded in sigaudit.
	if d, ok := recordDigest(f.DirVersion, f.Name, r.Version); ok {
		digests["record"] = d
	}

	// One pass over the artifact feeds SHA-256 and the PGP check, while the
	// keyring and trust root load.
	var pgpCheck *pgp.Check
	if sig != nil {
		// Load the keyring and check the signing key's validity at signing
		// time while the artifact is hashed; errors come below.
		go func() {
			if k, err := a.Keyring(); err == nil {
				k.Warm(sig)
			}
		}()
	}
	if bundle != nil || legacy != nil {
		go a.Sigstore() // warm the memoized loader
	}
	var spec *speculation
	if bundle != nil && f.Artifact != nil && !a.DigestOnly {
		spec = a.speculate(bundle, ex)
	}
	var artErr error // the artifact exists but could not be read
	artAbsent := false
	var pre *Hashed
	if f.Artifact != nil && !a.DigestOnly && f.Hashed != nil {
		pre = f.Hashed()
	}
	if sum, c, ok := pre.usable(sig); ok {
		pgpCheck = c
		r.SHA256 = hex.EncodeToString(sum)
		digests["artifact"] = r.SHA256
	} else if f.Artifact != nil && !a.DigestOnly {
		rc, err := f.Artifact()
		switch {
		case err == nil:
			h := sha256.New()
			ws := []io.Writer{h}
			if sig != nil {
				pgpCheck = pgp.NewCheck(sig)
				ws = append(ws, pgpCheck)
			}
			_, err = fanout.Copy(ctx, rc, ws...)
			rc.Close()
			if err != nil {
				r.add(report.Mismatch, report.CodeSourceError, "reading %s failed: %v", f.Name, err)
				pgpCheck, artErr = nil, err // a read that fails is an I/O error
			} else {
				r.SHA256 = hex.EncodeToString(h.Sum(nil))
				digests["artifact"] = r.SHA256
			}
		case notFound(err):
			artAbsent = true
			r.add(report.Mismatch, report.CodeSourceError, "%s is not published (only its signatures are)", f.Name)
		case ioError(err):
			artErr = err
			r.add(report.Mismatch, report.CodeSourceError, "cannot open %s: %v", f.Name, err)
		default: // refused (not a regular file, a symlink out of the tree)
			artAbsent = true
			r.add(report.Mismatch, report.CodeSourceError, "cannot open %s: %v", f.Name, err)
		}
	}
	var keyring *pgp.Keyring
	if sig != nil {
		k, err := a.Keyring()
		if err != nil {
			r.PGP.Status, r.PGP.Reason = string(pgp.Invalid), "cannot load keyring: "+err.Error()
			sig, pgpCheck = nil, nil
		} else {
			keyring = k
		}
	}

	// PGP verdict.
	switch {
	case sig != nil && pgpCheck != nil:
		v := pgpCheck.Verdict(keyring, ex.PGPFingerprints)
		a.pgpResult(r, v, ex)
	case sig != nil && a.DigestOnly:
		id := keyring.Identify(sig)
		r.PGP.Status = report.StatusNotChecked
		r.PGP.Fingerprint, r.PGP.KeyID, r.PGP.Hash = id.Fingerprint, id.KeyID, id.Hash
		r.PGP.Created = id.Created.Format(time.RFC3339)
		r.PGP.Signer = a.signerName(id.Fingerprint)
		r.PGP.Reason = "digest-only mode: the artifact was not downloaded"
		r.add(report.Note, report.CodePGPNotChecked, "PGP signature present, not checked in digest-only mode")
	case sig != nil && artErr != nil:
		r.PGP.Status, r.PGP.Reason = report.StatusError, "the artifact could not be read, so the signature was not verified: "+artErr.Error()
	case sig != nil && artAbsent:
		r.PGP.Status, r.PGP.Reason = report.StatusNotChecked, "the artifact is not published or was refused, so the signature was not verified"
		r.add(report.Gap, report.CodePGPNotChecked, "PGP signature present, not checked: %s is not published or was refused", f.Name)
	case sig != nil:
		r.PGP.Status, r.PGP.Reason = report.StatusNotChecked, "the artifact was not read, so the signature was not verified"
		r.add(report.Gap, report.CodePGPNotChecked, "PGP signature present, not checked: %s was not read", f.Name)
	}
	if r.PGP.Status == string(pgp.Malformed) && m.ascErr == nil {
		r.add(report.Mismatch, report.CodePGPMalformed, "%s.asc is not a readable OpenPGP signature: %s", f.Name, r.PGP.Reason)
	}
	if r.PGP.Status == report.StatusMissing {
		r.add(report.Gap, report.CodePGPMissing, "PEP 761 guarantees a PGP signature by %s for %s, but no %s.asc is published", ex.PGPSigner, f.Name, f.Name)
	}
	if m.ascErr == nil && !ex.PGP {
		r.add(report.Note, report.CodePGPNotGuaranteed, "a PGP signature is published although PEP 761 guarantees none here (%s)", ex.PGPReason)
	}

	// Digests must agree: if they do not, no Sigstore verdict can be
	// "verified", whichever digest the bundle matches.
	agree := a.crossCheck(r, digests, inspect)

	// Sigstore verdict.
	if artErr != nil && (bundle != nil || legacy != nil) {
		spec.wait()
		r.Sigstore.Status, r.Sigstore.Reason = report.StatusError, "the artifact could not be read, so the bundle was not checked against it: "+artErr.Error()
	} else if bundle != nil || legacy != nil {
		a.sigstoreResult(r, f, ex, bundle, legacy, digests, spec)
		if !agree && r.Sigstore.Status == string(sigstore.Verified) {
			r.Sigstore.Status = string(sigstore.DigestMismatch)
			r.Sigstore.Reason = "the bundle verifies, but the SHA-256 values of this artifact disagree (see findings)"
		}
	} else if inspect.Status != "" {
		r.Sigstore.Status, r.Sigstore.Reason, r.Sigstore.MediaType = string(inspect.Status), inspect.Reason, inspect.MediaType
		code := report.CodeSigstoreMalformed
		if inspect.Status == sigstore.Unsupported {
			code = report.CodeSigstoreUnsupported
		}
		r.add(report.Mismatch, code, "%s: %s", r.Sigstore.File, inspect.Reason)
	}
	if r.Sigstore.Status == report.StatusMissing {
		r.add(report.Gap, report.CodeSigstoreMissing, "a Sigstore bundle by %s is guaranteed for %s (%s), but none is published", ex.Identity, f.Name, ex.SigstoreReason)
	}
}

func (a *Auditor) signerName(fpr string) string {
	for _, m := range a.Timeline.Managers() {
		for _, fp := range m.PGP {
			if strings.EqualFold(fp, fpr) {
				return m.Name
			}
		}
	}
	return ""
}

func (a *Auditor) pgpResult(r *result, v pgp.Verdict, ex timeline.Expectation) {
	r.PGP.Status = string(v.Status)
	r.PGP.Fingerprint, r.PGP.KeyID, r.PGP.Hash, r.PGP.Reason = v.Fingerprint, v.KeyID, v.Hash, v.Reason
	if !v.Created.IsZero() {
		r.PGP.Created = v.Created.Format(time.RFC3339)
	}
	r.PGP.Signer = a.signerName(v.Fingerprint)
	if r.PGP.Signer == "" {
		r.PGP.Signer = v.UserID
	}
	sev := report.Mismatch
	if !ex.PGP && (v.Status == pgp.WrongSigner || v.Status == pgp.UnknownSigner) {
		sev = report.Note // not guaranteed: whoever signed it, nothing is owed
	}
	switch v.Status {
	case pgp.Verified:
	case pgp.Invalid:
		r.add(report.Mismatch, report.CodePGPInvalid, "PGP signature does not verify: %s", v.Reason)
	case pgp.WrongSigner:
		who := r.PGP.Signer
		if who == "" {
			who = v.Fingerprint
		}
		r.add(sev, report.CodePGPWrongSigner, "signed by %s (%s), but %s expects %s", who, v.Fingerprint, ex.Line, orNone(ex.PGPSigner))
	case pgp.UnknownSigner:
		r.add(sev, report.CodePGPUnknownSigner, "%s", v.Reason)
	case pgp.WeakHash:
		r.add(report.Mismatch, report.CodePGPWeakHash, "%s", v.Reason)
	case pgp.Malformed:
		r.add(report.Mismatch, report.CodePGPMalformed, "%s", v.Reason)
	}
}

func orNone(s string) string {
	if s == "" {
		return "no PGP signer"
	}
	return s
}

// crossCheck compares every SHA-256 known for the artifact: computed,
// from the bundle, the SBOM, the API, the command line.
func (a *Auditor) crossCheck(r *result, digests map[string]string, inspect sigstore.Verdict) bool {
	all := map[string]string{}
	for k, v := range digests {
		all[k] = v
	}
	if inspect.DigestAlgorithm == "sha256" && inspect.Digest != "" {
		all["bundle"] = inspect.Digest
	}
	if len(all) > 0 {
		r.Digests = all
	}
	order := []string{"artifact", "bundle", "sbom", "api", "record", "sha256 flag"}
	var extra []string // further sources (a second API row, ...), in a stable order
	for k := range all {
		if !slices.Contains(order, k) {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	order = append(order, extra...)
	var first, firstSrc string
	for _, src := range order {
		d, ok := all[src]
		if !ok {
			continue
		}
		if first == "" {
			first, firstSrc = d, src
			continue
		}
		if d != first {
			r.add(report.Mismatch, report.CodeDigestMismatch, "SHA-256 disagrees: %s says %s, %s says %s", firstSrc, first, src, d)
			return false
		}
	}
	return true
}

// independentDigest is the SHA-256 Sigstore is checked against: the
// artifact's own, else one from a source other than the bundle.
func independentDigest(digests map[string]string) string {
	for _, src := range []string{"artifact", "sha256 flag", "api", "sbom", "record"} {
		if d, ok := digests[src]; ok {
			return d
		}
	}
	return ""
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
			return // sigstoreResult reports the same memoized error
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

func (a *Auditor) sigstoreResult(r *result, f Files, ex timeline.Expectation, b *sigstore.Bundle, l *sigstore.Legacy, digests map[string]string, spec *speculation) {
	specV, specOK := spec.wait()
	v, err := a.Sigstore()
	if err != nil {
		r.Sigstore.Status, r.Sigstore.Reason = string(sigstore.Untrusted), "cannot load trust root: "+err.Error()
		r.add(report.Mismatch, report.CodeSigstoreUntrusted, "%s", r.Sigstore.Reason)
		return
	}
	exp := expectOf(ex)
	d := independentDigest(digests)
	var verdict sigstore.Verdict
	if d == "" {
		// Nothing independent to check against: verify the bundle over the
		// digest it names, and say the binding to this file is unproven.
		var claimed string
		if b != nil {
			claimed, _ = b.SignsDigest()
		}
		if claimed == "" {
			r.Sigstore.Status = report.StatusNotChecked
			r.Sigstore.Reason = "no SHA-256 of the artifact is known (digest-only mode without API or SBOM) and the Sigstore material names none"
			if ex.Sigstore {
				// A guaranteed method that could not be verified is a gap,
				// whatever junk stands in for it.
				r.add(report.Gap, report.CodeSigstoreNotChecked, "%s: %s, so neither signer nor artifact could be checked", r.Sigstore.File, r.Sigstore.Reason)
			} else {
				r.add(report.Note, report.CodeDigestUnconfirmed, "%s: %s", r.Sigstore.File, r.Sigstore.Reason)
			}
			return
		}
		d = claimed
		r.add(report.Note, report.CodeDigestUnconfirmed, "the bundle was verified over the digest it names (%s); no independent SHA-256 (artifact, API, SBOM) confirms it belongs to %s", claimed, f.Name)
	}
	raw, _ := hex.DecodeString(d)
	art := sigstore.Artifact{SHA256: raw}
	switch {
	case b != nil && specOK && d == spec.digest:
		verdict = specV // VerifyBundle(b, art, exp), computed early
	case b != nil:
		verdict = v.VerifyBundle(b, art, exp)
	default:
		verdict = v.VerifyLegacy(l, art, exp)
	}
	r.Sigstore.Status = string(verdict.Status)
	r.Sigstore.Identity, r.Sigstore.Issuer, r.Sigstore.MediaType = verdict.Identity, verdict.Issuer, verdict.MediaType
	r.Sigstore.Reason, r.Sigstore.TimeProof, r.Sigstore.LogIndex = verdict.Reason, verdict.TimeProof, verdict.LogIndex
	r.Sigstore.Digest = verdict.Digest
	if !verdict.SigningTime.IsZero() {
		r.Sigstore.Created = verdict.SigningTime.Format(time.RFC3339)
	}
	if verdict.Legacy {
		r.add(report.Note, report.CodeLegacyFormat, "Sigstore material is a legacy .crt + .sig pair, not a bundle")
	}
	switch verdict.Status {
	case sigstore.Verified:
		if verdict.TimeProof == sigstore.ProofNone {
			r.add(report.Note, report.CodeSigningTimeUnproven, "no transparency log entry or timestamp proves when %s was signed", f.Name)
		}
		a.bind(r, f, verdict, digests)
	case sigstore.WrongIdentity:
		r.add(report.Mismatch, report.CodeSigstoreIdentity, "%s", verdict.Reason)
	case sigstore.DigestMismatch:
		if !hasCode(r.Findings, report.CodeDigestMismatch) {
			r.add(report.Mismatch, report.CodeDigestMismatch, "the bundle signs another artifact: %s", verdict.Reason)
		}
	case sigstore.Untrusted:
		r.add(report.Mismatch, report.CodeSigstoreUntrusted, "%s", verdict.Reason)
	case sigstore.Malformed:
		r.add(report.Mismatch, report.CodeSigstoreMalformed, "%s", verdict.Reason)
	case sigstore.Unsupported:
		r.add(report.Mismatch, report.CodeSigstoreUnsupported, "%s", verdict.Reason)
	default:
		r.add(report.Mismatch, report.CodeSigstoreInvalid, "Sigstore signature does not verify: %s", verdict.Reason)
	}
}

func hasCode(fs []report.Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// bind checks that a verified bundle belongs to this artifact of this
// release, beyond its signer: it was signed inside the version's signing
// window, and it does not sign the SHA-256 python.org published for
// another artifact. Either failure takes the "verified" away.
func (a *Auditor) bind(r *result, f Files, v sigstore.Verdict, digests map[string]string) {
	if _, known := digests["record"]; !known && v.Digest != "" {
		if owners := recordOwners(v.Digest, f.DirVersion, f.Name); len(owners) > 0 {
			r.Sigstore.Status = string(sigstore.DigestMismatch)
			r.Sigstore.Reason = "the bundle signs the SHA-256 python.org published for " + strings.Join(owners, ", ")
			r.add(report.Mismatch, report.CodeDigestMismatch, "the bundle signs another artifact: python.org published %s for %s (sigaudit's record)", v.Digest, strings.Join(owners, ", "))
			return
		}
	}
	if v.TimeProof == sigstore.ProofNone || v.SigningTime.IsZero() {
		return
	}
	if w, ok := SigningWindow(r.Version); ok && !w.Contains(v.SigningTime) {
		r.Sigstore.Status = string(sigstore.Invalid)
		r.Sigstore.Reason = fmt.Sprintf("signed %s, outside %s's signing window", v.SigningTime.UTC().Format(time.RFC3339), r.Version)
		r.add(report.Mismatch, report.CodeSignedOutsideWindow, "the bundle was signed %s, outside %s's signing window: %s; it is another release's bundle", v.SigningTime.UTC().Format(time.RFC3339), r.Version, w)
	}
}
