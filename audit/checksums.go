package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sigaudit/sigaudit/report"
)

// checksumBlockers are the findings that make a bundle's digest unproven.
var checksumBlockers = map[string]bool{
	report.CodeDigestMismatch:      true,
	report.CodeSigstoreIdentity:    true,
	report.CodeSigstoreInvalid:     true,
	report.CodeSigstoreUntrusted:   true,
	report.CodeSigstoreMalformed:   true,
	report.CodeSigstoreUnsupported: true,
}

// Checksums turns a digest-only audit into checksums: the digest a
// verified bundle signs, when no API or SBOM value disagrees. apiDigests
// gives the API's value per name for --allow-unsigned-api.
func Checksums(rep *report.Report, apiDigests map[string]string, allowUnsigned bool) *report.Checksums {
	out := &report.Checksums{}
	for _, a := range rep.Artifacts {
		reject := func(format string, args ...any) {
			out.Rejected = append(out.Rejected, report.Rejected{Name: a.Name, Version: a.Version, Status: "unverified", Reason: fmt.Sprintf(format, args...)})
		}
		unsigned := func(format string, args ...any) {
			out.Rejected = append(out.Rejected, report.Rejected{Name: a.Name, Version: a.Version, Status: "unsigned", Reason: fmt.Sprintf(format, args...)})
		}
		if a.Kind == "unknown" {
			continue
		}
		var blockers []string
		for _, f := range a.Findings {
			if checksumBlockers[f.Code] || (f.Code == report.CodeSourceError && f.Severity == report.Mismatch) {
				blockers = append(blockers, f.Message)
			}
		}
		s := a.Sigstore
		switch {
		case len(blockers) > 0:
			reject("%s", strings.Join(blockers, "; "))
		case s.Status == report.StatusVerified && s.Digest != "":
			c := report.Checksum{
				Name: a.Name, Version: a.Version, SHA256: s.Digest, Proven: true,
				Identity: s.Identity, Issuer: s.Issuer, SigningTime: s.Created, TimeProof: s.TimeProof, LogIndex: s.LogIndex,
				Sources: []string{"bundle"},
			}
			for _, src := range []string{"sbom", "api"} {
				if d, ok := a.Digests[src]; ok && d == s.Digest {
					c.Sources = append(c.Sources, src)
				}
			}
			for _, f := range a.Findings {
				if f.Code == report.CodeDigestUnconfirmed {
					c.Note = "no API or SBOM value to cross-check"
				}
			}
			out.Checksums = append(out.Checksums, c)
		case s.Status == report.StatusVerified:
			reject("the Sigstore material (%s) names no SHA-256 digest", s.MediaType)
		case s.Status == report.StatusMissing || s.Status == report.StatusNotExpected:
			d, ok := apiDigests[a.Name]
			switch {
			case s.Status == report.StatusMissing:
				reject("a Sigstore bundle is guaranteed but none is published")
			case allowUnsigned && ok:
				out.Checksums = append(out.Checksums, report.Checksum{
					Name: a.Name, Version: a.Version, SHA256: d, Proven: false, Sources: []string{"api"},
					Note: "python.org API value, no Sigstore bundle",
				})
			case allowUnsigned:
				unsigned("no Sigstore bundle and no API value")
			default:
				unsigned("no Sigstore bundle (pass --allow-unsigned-api to print the API value, marked unproven)")
			}
		default:
			reject("Sigstore %s: %s", s.Status, s.Reason)
		}
	}
	sort.SliceStable(out.Checksums, func(i, j int) bool { return out.Checksums[i].Name < out.Checksums[j].Name })
	return out
}
