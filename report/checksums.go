package report

import (
	"fmt"
	"io"
	"strings"
)

// Checksum is a SHA-256 for one artifact and what proves it.
type Checksum struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	SHA256  string `json:"sha256"`
	// Proven is true when a Sigstore bundle by the expected identity signs
	// this digest and no other source disagrees.
	Proven      bool     `json:"proven"`
	Identity    string   `json:"identity,omitempty"`
	Issuer      string   `json:"issuer,omitempty"`
	SigningTime string   `json:"signing_time,omitempty"`
	TimeProof   string   `json:"time_proof,omitempty"`
	LogIndex    *int64   `json:"log_index,omitempty"`
	Sources     []string `json:"sources"` // which sources gave this digest and agreed
	Note        string   `json:"note,omitempty"`
	// Level is "proven", "bound-by-signer-and-time" (signer, time and
	// uniqueness hold, but no independent SHA-256 exists: an artifact newer
	// than sigaudit's record, without an API value), "unproven"
	// (--allow-unproven) or "api" (--allow-unsigned-api).
	Level string `json:"level,omitempty"`
	Proof *Proof `json:"proof,omitempty"`
}

// Checksum levels.
const (
	LevelProven   = "proven"
	LevelBound    = "bound-by-signer-and-time"
	LevelUnproven = "unproven"
	LevelAPI      = "api"
)

// Proof says which of the conditions for "proven" held for an artifact.
type Proof struct {
	Signer          bool     `json:"signer"`            // (a) the bundle verifies for the identity the timeline expects
	SigningWindow   bool     `json:"signing_window"`    // (b) signed inside this version's signing window
	UniqueInRelease bool     `json:"unique_in_release"` // (c) no other artifact of the release has this digest
	DigestsAgree    bool     `json:"digests_agree"`     // (d) every other source of a digest agrees
	Independent     []string `json:"independent"`       // the independent sources that agree (api, sbom, record, ...)
	Window          string   `json:"window,omitempty"`  // the signing window applied
}

// Rejected is an artifact for which no checksum is given, and why.
type Rejected struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Status is "unverified" (a bundle is guaranteed or present but does not
	// prove a digest: the command exits 3) or "unsigned" (no Sigstore
	// material where none is guaranteed).
	Status string `json:"status"`
	Reason string `json:"reason"`
	Proof  *Proof `json:"proof,omitempty"`
}

// Checksums is the output of `sigaudit checksums`.
type Checksums struct {
	Tool      Tool       `json:"tool"`
	Checksums []Checksum `json:"checksums"`
	Rejected  []Rejected `json:"rejected"`
}

type checksumsSummary struct {
	Checksums  int `json:"checksums"`
	Proven     int `json:"proven"`
	Unverified int `json:"unverified"`
	Unsigned   int `json:"unsigned"`
	Unproven   int `json:"unproven"`
}

// MarshalJSON writes the versioned document (schema, tool, summary first).
func (c Checksums) MarshalJSON() ([]byte, error) {
	type sums []Checksum
	type rej []Rejected
	out := struct {
		Schema    string           `json:"schema"`
		Tool      Tool             `json:"tool"`
		Summary   checksumsSummary `json:"summary"`
		Checksums sums             `json:"checksums"`
		Rejected  rej              `json:"rejected"`
	}{Schema: Schema, Tool: c.Tool, Checksums: make(sums, len(c.Checksums)), Rejected: append(rej{}, c.Rejected...)}
	for i, s := range c.Checksums {
		if s.Sources == nil {
			s.Sources = []string{}
		}
		out.Checksums[i] = s
		out.Summary.Checksums++
		if s.Proven {
			out.Summary.Proven++
		}
	}
	for _, r := range c.Rejected {
		switch r.Status {
		case "unverified":
			out.Summary.Unverified++
		case "unsigned":
			out.Summary.Unsigned++
		case LevelUnproven:
			out.Summary.Unproven++
		}
	}
	return marshalNoEscape(out)
}

// ChecksumFormats lists the renderers for checksums.
var ChecksumFormats = []string{"sha256sum", "json"}

// WriteChecksums renders c. In sha256sum format only proven checksums are
// lines `sha256sum -c` reads; unproven ones (--allow-unsigned-api) are
// comment lines. It never changes c.
func WriteChecksums(w io.Writer, format string, c *Checksums) error {
	switch format {
	case "json":
		return writeJSON(w, c)
	case "sha256sum":
		var b strings.Builder
		for _, s := range c.Checksums {
			line := fmt.Sprintf("%s  %s\n", cell(s.SHA256), cell(s.Name))
			if s.Level == LevelBound {
				line = fmt.Sprintf("# bound by signer and time only (%s): %s\n%s", cell(s.Note), cell(s.Name), line)
			} else if !s.Proven {
				line = fmt.Sprintf("# unproven (%s): %s  %s\n", cell(s.Note), cell(s.SHA256), cell(s.Name))
			}
			b.WriteString(line)
		}
		return writeString(w, b.String())
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(ChecksumFormats, ", "))
}
