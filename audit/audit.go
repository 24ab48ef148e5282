// Package audit is sigaudit's pipeline: for each artifact it asks the
// timeline what is guaranteed, finds what is published, verifies it with
// the pgp and sigstore packages, and turns the verdicts into findings in
// the report model. It never prints.
package audit

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"syscall"

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
// source.ErrNotFound (wrapped) when the file is absent. Audit opens each
// file at most once.
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
	// Claims are the sibling suffixes python.org's API lists for the
	// artifact: each one not published is an api-claim-missing mismatch.
	Claims []string
	// APISize is the artifact's size in python.org's API, 0 if unknown:
	// Artifact is opened capped at it, so a longer artifact fails with
	// source.ErrTooLarge, a digest-mismatch (the bytes are not the ones
	// the API describes), not a read error.
	APISize int64
	// Exists, when set, says whether a sibling is published without
	// reading it (from a directory listing); Audit uses it only for a
	// claimed sibling it did not read. Without it such a sibling is read.
	Exists func(suffix string) (bool, error)
}

// Hashed is a pass over an artifact made elsewhere: hash states that have
// consumed exactly the artifact's bytes, by algorithm.
type Hashed struct {
	Hashes map[crypto.Hash]hash.Hash
	// Head is the first bytes of the artifact (up to
	// archive.MaxCompressed), for the top-level directory check of a source
	// tarball; HeadKept says the pass kept them. Without them Audit reads
	// the start of the file.
	Head     []byte
	HeadKept bool
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

// Audit checks one artifact. It never fails: every problem is a finding.
// Each step yields one outcome (parse, warm, hash once, PGP, digest
// cross-check, Sigstore, API claims); the report entry is assembled from
// them once, and no step reads another's report fields.
func (a *Auditor) Audit(ctx context.Context, f Files) report.Artifact {
	o := a.outcome(ctx, f)
	return o.artifact()
}

// outcome is one artifact's audit before it becomes a report entry: what
// each step decided. The release-wide check (sameDigest) reads outcomes,
// never report entries; the entry is assembled once, from the outcome.
type outcome struct {
	head report.Artifact // name, version, line, kind, expectation
	// early: head is the whole entry (an unknown name or line).
	early  bool
	read   []report.Finding // reading the signatures
	sbom   []report.Finding
	h      hashed
	po     pgpOutcome
	dc     digestCheck
	so     sigstoreOutcome
	claims []report.Finding
	// twice is rule (c)'s finding, decided over the release directory:
	// the bundle signs what another artifact's bundle signs.
	twice *report.Finding
}

// outcome runs every step of one artifact's audit.
func (a *Auditor) outcome(ctx context.Context, f Files) outcome {
	n := source.ParseName(f.Name, f.DirVersion)
	head := report.Artifact{Name: f.Name, Version: n.Version, Kind: n.Kind}
	head.PGP.Status, head.Sigstore.Status = report.StatusNotExpected, report.StatusNotExpected
	if !n.Known {
		head.Findings = []report.Finding{unknownArtifact(f.Name)}
		return outcome{head: head, early: true}
	}
	v, _ := timeline.ParseVersion(n.Version)
	head.Line = v.Line()
	ex, err := a.Timeline.ExpectFile(v, n.Kind, f.Name, a.Options)
	if err != nil {
		head.Findings = []report.Finding{unknownLine(err)}
		return outcome{head: head, early: true}
	}
	head.Expected = report.Expected{PGP: ex.PGP, Sigstore: ex.Sigstore}

	m := gather(f, a.DigestOnly)
	p := parse(f.Name, m)
	digests, sbom := outsideDigests(f, m, n.Version)
	spec := a.warm(f, p, ex)
	h := a.hash(ctx, f, p.sig)
	po := a.pgpOutcome(f.Name, ex, p, h)
	h.check = nil // used up: an outcome may wait for its whole directory
	dc := crossCheck(digests, h.sum, p.inspect)
	so := a.sigstoreOutcome(f.Name, n.Version, ex, p, h, dc, spec)
	claims := claimsOutcome(f, m)
	return outcome{head: head, read: p.findings, sbom: sbom, h: h, po: po, dc: dc, so: so, claims: claims}
}

// bundleDigest is the SHA-256 the artifact's bundle claims to sign, if
// any.
func (o *outcome) bundleDigest() string { return o.dc.all["bundle"] }

// ownDigest says whether an independent source (not the bundle) gives the
// artifact that digest.
func (o *outcome) ownDigest(digest string) bool {
	for _, src := range independentSources {
		if o.dc.all[src] == digest {
			return true
		}
	}
	return false
}

// digestMismatched says whether the artifact's own audit found a
// digest-mismatch: an artifact longer than the API says, digests that
// disagree, or a bundle that signs another artifact.
func (o *outcome) digestMismatched() bool {
	return o.h.tooLarge || !o.dc.agree || o.so.digestMismatch
}

// artifact assembles the report entry from the outcomes, in the order the
// findings have always had: reading the signatures, the SBOM, the
// artifact, PGP, the digests, Sigstore, the API's claims, the release-wide
// check.
func (o *outcome) artifact() report.Artifact {
	r := o.head
	if o.early {
		return r
	}
	r.PGP, r.Sigstore = o.po.method, o.so.method
	if o.twice != nil && o.so.stands {
		r.Sigstore.Status = string(sigstore.DigestMismatch)
		r.Sigstore.Reason = "another artifact of the release has a bundle for the same SHA-256"
	}
	r.SHA256 = o.h.sum
	if len(o.dc.all) > 0 {
		r.Digests = o.dc.all
	}
	var fs []report.Finding
	for _, part := range [][]report.Finding{o.read, o.sbom, o.h.findings, o.po.findings, o.dc.findings, o.so.findings, o.claims} {
		fs = append(fs, part...)
	}
	if o.twice != nil {
		fs = append(fs, *o.twice)
	}
	r.Findings = fs
	return r
}

// material is what is published beside an artifact, each file read once.
type material struct {
	asc    []byte
	ascErr error
	// ascSeen: digest-only, the .asc is published (the listing says so)
	// and was deliberately not read.
	ascSeen  bool
	bundle   []byte
	bundleEr error
	crt, sig []byte
	legacyEr error
	sbom     []byte
	sbomErr  error
	// read is every sibling read, by suffix, with its error.
	read map[string]error
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

func gather(f Files, digestOnly bool) material {
	m := material{read: map[string]error{}}
	sib := func(suffix string, limit int64) ([]byte, error) {
		b, err := f.Sibling(suffix, limit)
		m.read[suffix] = err
		return b, err
	}
	if digestOnly && f.Exists != nil {
		// Digest-only checks no PGP signature: its presence is all the
		// report needs, and the listing gives it with no request (issue
		// 18: no .asc GET in digest-only mode).
		m.ascGlance(f)
	} else {
		m.asc, m.ascErr = sib(".asc", pgp.MaxSignatureSize)
	}
	m.bundle, m.bundleEr = sib(".sigstore", sigstore.MaxBundleSize)
	if m.bundleEr != nil && notFound(m.bundleEr) {
		var crtErr, sigErr error
		m.crt, crtErr = sib(".crt", sigstore.MaxBundleSize)
		m.sig, sigErr = sib(".sig", sigstore.MaxBundleSize)
		m.legacyEr = legacyErr(crtErr, sigErr)
	}
	m.sbom, m.sbomErr = sib(".spdx.json", source.MaxSBOMSize)
	return m
}

// ascGlance asks Exists whether the .asc is published, without reading
// it: present is ascSeen, absent is ErrNotFound, a failed probe is its
// error (an unreadable .asc).
func (m *material) ascGlance(f Files) {
	ok, err := f.Exists(".asc")
	switch {
	case err != nil:
		m.ascErr = err
	case ok:
		m.ascSeen = true
	default:
		m.ascErr = fmt.Errorf("%s.asc: %w", f.Name, source.ErrNotFound)
	}
	m.read[".asc"] = m.ascErr
}

// legacyErr is the error of a .crt + .sig pair from those of its halves.
func legacyErr(crtErr, sigErr error) error {
	switch {
	case crtErr == nil && sigErr == nil:
		return nil
	case notFound(crtErr) && notFound(sigErr):
		return crtErr
	case crtErr != nil && !notFound(crtErr):
		return crtErr
	case sigErr != nil && !notFound(sigErr):
		return sigErr
	case notFound(crtErr):
		return fmt.Errorf(".sig without its .crt: %w", errLegacyHalf)
	}
	return fmt.Errorf(".crt without its .sig: %w", errLegacyHalf)
}

// claimsOutcome decides python.org's API claims: a claimed sibling that
// is not published is an api-claim-missing mismatch. What gather read is
// not read again; a claimed sibling gather did not need is asked of
// Exists, or read.
func claimsOutcome(f Files, m material) []report.Finding {
	claims := slices.Clone(f.Claims)
	sort.Strings(claims)
	var out []report.Finding
	for _, suffix := range slices.Compact(claims) {
		err, read := m.read[suffix]
		var absent bool
		switch {
		case read:
			absent = notFound(err)
		case f.Exists != nil:
			ok, err := f.Exists(suffix)
			absent = !ok && err == nil
		default:
			_, err := f.Sibling(suffix, sigstore.MaxBundleSize)
			absent = notFound(err)
		}
		if absent {
			out = append(out, apiClaimMissing(f.Name+suffix))
		}
	}
	return out
}
