package audit

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
)

// checksumBlockers are the findings that make a bundle's digest unproven.
var checksumBlockers = map[string]bool{
	report.CodeDigestMismatch:      true,
	report.CodeSigstoreIdentity:    true,
	report.CodeSigstoreInvalid:     true,
	report.CodeSigstoreUntrusted:   true,
	report.CodeSigstoreMalformed:   true,
	report.CodeSigstoreUnsupported: true,
	report.CodeSigstoreNotChecked:  true,
	report.CodeSignedOutsideWindow: true,
	report.CodeReleaseIncomplete:   true,
}

// independentSources are the digest sources that do not come from the
// bundle itself: each one that agrees can make a digest proven.
var independentSources = []string{"api", "sbom", "record", DigestSHA256Flag, "artifact"}

// ChecksumOptions say what Checksums may print beyond proven digests.
type ChecksumOptions struct {
	// API gives python.org's API value per name, for AllowUnsigned.
	API map[string]string
	// AllowUnsigned prints the API's value, marked, for artifacts with no
	// Sigstore material where none is guaranteed.
	AllowUnsigned bool
	// AllowUnproven prints, marked, the digest of a bundle that verifies
	// for the expected signer but that nothing binds to this artifact
	// (instead of failing).
	AllowUnproven bool
}

// ChecksumsWith turns a digest-only audit into checksums. A digest is
// proven only when (a) the bundle verifies for the identity the timeline
// expects, (b) it was signed inside the version's signing window, (c) no
// other artifact of the release carries the same digest, (d) every other
// source of a digest agrees, and at least one independent digest (API,
// SBOM, sigaudit's record of python.org, --sha256) exists. An artifact
// newer than the record with no independent digest but (a)-(d) holding is
// "bound by signer and time" only. Anything else is unproven.
func ChecksumsWith(rep *report.Report, o ChecksumOptions) *report.Checksums {
	out := &report.Checksums{}
	bundles := bundleNames(rep)
	for _, a := range rep.Artifacts {
		reject := func(status string, p *report.Proof, format string, args ...any) {
			out.Rejected = append(out.Rejected, report.Rejected{Name: a.Name, Version: a.Version, Status: status, Reason: fmt.Sprintf(format, args...), Proof: p})
		}
		if strings.HasSuffix(a.Name, "/") { // a release directory's own problem
			reject("unverified", nil, "%s", findingText(a, nil))
			continue
		}
		if a.Kind == source.KindUnknown {
			continue
		}
		s := a.Sigstore
		p := proveDigest(a, bundles)
		switch {
		case hasBlocker(a):
			reject("unverified", p, "%s", findingText(a, isBlocker))
		case signerGood(s.Status) && s.Digest != "":
			c := report.Checksum{
				Name: a.Name, Version: a.Version, SHA256: s.Digest,
				Identity: s.Identity, Issuer: s.Issuer, SigningTime: s.Created, TimeProof: s.TimeProof, LogIndex: s.LogIndex,
				Sources: append([]string{"bundle"}, p.Independent...), Proof: p,
			}
			held := p.Signer && p.SigningWindow && p.UniqueInRelease && p.DigestsAgree
			switch {
			case held && len(p.Independent) > 0:
				c.Proven, c.Level = true, report.LevelProven
				out.Checksums = append(out.Checksums, c)
			case held && newerThanRecord(a):
				c.Level = report.LevelBound
				c.Note = fmt.Sprintf("%s is newer than sigaudit's record of python.org and no API or SBOM value exists: only the signer and the signing time bind this digest to it", a.Version)
				out.Checksums = append(out.Checksums, c)
			case o.AllowUnproven:
				c.Level, c.Note = report.LevelUnproven, unprovenWhy(p)
				out.Checksums = append(out.Checksums, c)
				reject("unproven", p, "%s (printed as unproven: --allow-unproven)", unprovenWhy(p))
			default:
				reject("unverified", p, "unproven: %s (pass --allow-unproven to print it, marked)", unprovenWhy(p))
			}
		case s.Status == report.StatusVerified:
			reject("unverified", p, "the Sigstore material (%s) names no SHA-256 digest", s.MediaType)
		case s.Status == report.StatusMissing || s.Status == report.StatusNotExpected:
			d, ok := o.API[a.Name]
			switch {
			case s.Status == report.StatusMissing:
				reject("unverified", nil, "a Sigstore bundle is guaranteed but none is published")
			case o.AllowUnsigned && ok:
				out.Checksums = append(out.Checksums, report.Checksum{
					Name: a.Name, Version: a.Version, SHA256: d, Proven: false, Sources: []string{"api"}, Level: report.LevelAPI,
					Note: "python.org API value, no Sigstore bundle",
				})
			case o.AllowUnsigned:
				reject("unsigned", nil, "no Sigstore bundle and no API value")
			default:
				reject("unsigned", nil, "no Sigstore bundle (pass --allow-unsigned-api to print the API value, marked unproven)")
			}
		default:
			reject("unverified", p, "Sigstore %s: %s", s.Status, s.Reason)
		}
	}
	sort.SliceStable(out.Checksums, func(i, j int) bool { return out.Checksums[i].Name < out.Checksums[j].Name })
	return out
}

func isBlocker(f report.Finding) bool {
	return checksumBlockers[f.Code] || (f.Code == report.CodeSourceError && f.Severity == report.Mismatch)
}

func hasBlocker(a report.Artifact) bool {
	for _, f := range a.Findings {
		if isBlocker(f) {
			return true
		}
	}
	return false
}

// findingText joins the messages of the findings keep selects (all when
// keep is nil).
func findingText(a report.Artifact, keep func(report.Finding) bool) string {
	var msgs []string
	for _, f := range a.Findings {
		if keep == nil || keep(f) {
			msgs = append(msgs, f.Message)
		}
	}
	return strings.Join(msgs, "; ")
}

// releaseDigest is a bundle digest within one release.
type releaseDigest struct{ version, digest string }

// bundleNames indexes the report once: the artifacts whose bundle names
// each digest, per release (rule (c) without a scan per artifact).
func bundleNames(rep *report.Report) map[releaseDigest][]string {
	out := map[releaseDigest][]string{}
	for _, o := range rep.Artifacts {
		if d := o.Digests["bundle"]; d != "" {
			k := releaseDigest{o.Version, d}
			out[k] = append(out[k], o.Name)
		}
	}
	return out
}

// proveDigest says which of (a)-(d) hold for an artifact's bundle digest,
// from its audit and the bundles of the report (bundleNames).
func proveDigest(a report.Artifact, bundles map[releaseDigest][]string) *report.Proof {
	s := a.Sigstore
	p := &report.Proof{Independent: []string{}}
	if s.Digest == "" {
		return p
	}
	p.Signer = signerGood(s.Status) && s.Identity != ""
	// (b), by the record's own rule (record.SignedInWindow): what it
	// cannot place in time is not proven.
	if t, err := time.Parse(time.RFC3339, s.Created); err == nil && s.TimeProof != "none" && s.TimeProof != "" {
		p.SigningWindow, p.Window = record.SignedInWindow(a.Version, t, "")
	} else {
		p.Window = "no proven signing time"
	}
	// (c): no other artifact of the release has a bundle for this digest,
	// unless an independent source says the digest is this artifact's.
	p.UniqueInRelease = !hasCode(a.Findings, report.CodeDigestMismatch)
	for _, name := range bundles[releaseDigest{a.Version, s.Digest}] {
		if name != a.Name && !ownDigest(a, s.Digest) {
			p.UniqueInRelease = false
		}
	}
	p.DigestsAgree = true
	for _, d := range a.Digests {
		if d != s.Digest {
			p.DigestsAgree = false
		}
	}
	for _, src := range independentSources {
		if d, ok := a.Digests[src]; ok && d == s.Digest {
			p.Independent = append(p.Independent, src)
		}
	}
	return p
}

// newerThanRecord says whether sigaudit's record cannot know the
// artifact: neither its digest nor its version's signing is recorded.
func newerThanRecord(a report.Artifact) bool {
	if _, ok := a.Digests["record"]; ok {
		return false
	}
	_, known := recordWindow(a.Version)
	return !known
}

func unprovenWhy(p *report.Proof) string {
	var why []string
	if !p.Signer {
		why = append(why, "the bundle does not verify for the expected signer")
	}
	if !p.SigningWindow {
		why = append(why, "not bound in time: "+p.Window)
	}
	if !p.UniqueInRelease {
		why = append(why, "another artifact of the release has the same digest")
	}
	if !p.DigestsAgree {
		why = append(why, "the digest sources disagree")
	}
	if len(p.Independent) == 0 {
		why = append(why, "no independent SHA-256 (API, SBOM, sigaudit's record) confirms it")
	}
	return strings.Join(why, "; ")
}

// hasCode says whether a finished report entry has a finding of code
// (Checksums reads the report it is given; the audit itself, per artifact
// and release-wide, decides from outcomes and never reads the report).
func hasCode(fs []report.Finding, code string) bool {
	for _, f := range fs {
		if f.Code == code {
			return true
		}
	}
	return false
}

// signerGood says whether a Sigstore status means the bundle verifies for
// the expected signer: verified, or signer-verified when no independent
// digest was known (then an artifact newer than the record can be "bound
// by signer and time", never proven).
func signerGood(status string) bool {
	return status == report.StatusVerified || status == string(sigstore.SignerVerified)
}

// ownDigest says whether an independent source (not the bundle) gives the
// artifact of a finished report that digest.
func ownDigest(a report.Artifact, digest string) bool {
	for _, src := range independentSources {
		if a.Digests[src] == digest {
			return true
		}
	}
	return false
}
