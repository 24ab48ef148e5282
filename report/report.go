// Package report is sigaudit's single result model and its renderers: one
// function per output format, each a pure function of the model. Nothing
// else in sigaudit formats output.
package report

import "sort"

// Severities of findings.
const (
	Gap      = "gap"      // a guaranteed method is missing
	Mismatch = "mismatch" // a signature is invalid, by the wrong signer, or digests disagree
	Note     = "note"     // worth knowing, not a failure by default
)

// Statuses that the audit adds to those of the pgp and sigstore packages.
const (
	StatusMissing     = "missing"      // guaranteed but absent
	StatusNotExpected = "not-expected" // not guaranteed and absent
	StatusNotChecked  = "not-checked"  // present but not verified (e.g. --digest-only for PGP)
	StatusVerified    = "verified"
	// StatusError: the artifact or a signature exists but could not be
	// read (permissions, a read error): an operational error, no verdict.
	StatusError = "error"
)

// Finding is one gap, mismatch or note about an artifact.
type Finding struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
}

// Method is the verdict on one signature method for one artifact.
type Method struct {
	Status      string `json:"status"`
	File        string `json:"file,omitempty"`
	Signer      string `json:"signer,omitempty"`      // PGP: manager name, if known
	Fingerprint string `json:"fingerprint,omitempty"` // PGP: signing (primary) key fingerprint
	KeyID       string `json:"key_id,omitempty"`
	Created     string `json:"created,omitempty"` // PGP signature creation / Sigstore signing time (RFC 3339)
	Hash        string `json:"hash,omitempty"`
	Identity    string `json:"identity,omitempty"` // Sigstore certificate SAN
	Issuer      string `json:"issuer,omitempty"`
	MediaType   string `json:"media_type,omitempty"`
	TimeProof   string `json:"time_proof,omitempty"` // tlog, rfc3161, none
	LogIndex    *int64 `json:"log_index,omitempty"`
	Digest      string `json:"digest,omitempty"` // sha256 the bundle signs, hex
	Reason      string `json:"reason,omitempty"`
}

// Expected says which methods PEP 761 and the timeline guarantee.
type Expected struct {
	PGP      bool `json:"pgp"`
	Sigstore bool `json:"sigstore"`
}

// Artifact is the audit of one release file.
type Artifact struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Line    string `json:"line"`
	Kind    string `json:"kind"`
	SHA256  string `json:"sha256,omitempty"`
	// Digests holds every SHA-256 known for the artifact, by source:
	// "artifact" (computed), "bundle", "sbom", "api", "sha256_flag"
	// (--sha256). JSON keys are snake_case (a "sha256 flag" key is written
	// "sha256_flag").
	Digests  map[string]string `json:"digests,omitempty"`
	Expected Expected          `json:"expected"`
	PGP      Method            `json:"pgp"`
	Sigstore Method            `json:"sigstore"`
	Findings []Finding         `json:"findings"`
}

// Schema names the version of sigaudit's JSON documents. Every
// JSON output (audit and verify reports, policy, plan, checksums) starts
// with it; a change that breaks a consumer bumps it.
const Schema = "sigaudit/v1"

// Tool says which sigaudit, with which data, made a document. The command
// line fills it; renderers only print it.
type Tool struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	Commit            string `json:"commit,omitempty"`
	TimelineRevision  string `json:"timeline_revision,omitempty"`
	TrustedRootSHA256 string `json:"trusted_root_sha256,omitempty"`
}

// Report is the result of verify or audit.
type Report struct {
	Tool Tool `json:"tool"`
	// Time is when the report was made (RFC 3339), if the command line
	// says: JUnit's timestamp.
	Time      string     `json:"time,omitempty"`
	Artifacts []Artifact `json:"artifacts"`
}

// Fails reports whether any finding has one of the severities in failOn
// (the command line turns --fail-on into that set).
func (r *Report) Fails(failOn map[string]bool) bool {
	for _, a := range r.Artifacts {
		for _, f := range a.Findings {
			if failOn[f.Severity] {
				return true
			}
		}
	}
	return false
}

// Errors reports whether an operational error kept a verdict from being
// reached (a method with status "error"): the command then exits 1.
func (r *Report) Errors() bool {
	for _, a := range r.Artifacts {
		if a.PGP.Status == StatusError || a.Sigstore.Status == StatusError {
			return true
		}
	}
	return false
}

func rank(sev string) int {
	switch sev {
	case Note:
		return 1
	case Gap:
		return 2
	case Mismatch:
		return 3
	}
	return 0
}

// Sort orders artifacts by line, version, then name, and findings by
// severity then code, so output is stable whatever order work finished in.
func (r *Report) Sort(lineLess func(a, b string) int, versionLess func(a, b string) int) {
	sort.SliceStable(r.Artifacts, func(i, j int) bool {
		a, b := r.Artifacts[i], r.Artifacts[j]
		if c := lineLess(a.Line, b.Line); c != 0 {
			return c < 0
		}
		if c := versionLess(a.Version, b.Version); c != 0 {
			return c < 0
		}
		return a.Name < b.Name
	})
	for i := range r.Artifacts {
		sortFindings(r.Artifacts[i].Findings)
	}
}

// sortFindings orders findings by severity, worst first, then code.
func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		if rank(fs[i].Severity) != rank(fs[j].Severity) {
			return rank(fs[i].Severity) > rank(fs[j].Severity)
		}
		return fs[i].Code < fs[j].Code
	})
}

// sortedFindings is a sorted copy of fs (nil stays nil).
func sortedFindings(fs []Finding) []Finding {
	if fs == nil {
		return nil
	}
	out := append([]Finding(nil), fs...)
	sortFindings(out)
	return out
}
