package audit

import (
	"time"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
)

// APIDigests returns the SHA-256 python.org's API gives per artifact name
// (artifacts it lists without one are left out).
func APIDigests(api source.API) map[string]string {
	out := map[string]string{}
	for n, f := range api {
		if f.SHA256 != "" {
			out[n] = f.SHA256
		}
	}
	return out
}

// KeepArtifacts keeps, in rep, the artifacts named in names (all when
// names is empty) of the given kind (all kinds when kind is empty), and
// returns the names asked for that the report does not hold.
func KeepArtifacts(rep *report.Report, names []string, kind string) (missing []string) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	found := map[string]bool{}
	kept := rep.Artifacts[:0]
	for _, a := range rep.Artifacts {
		if (len(want) == 0 || want[a.Name]) && (kind == "" || a.Kind == kind) {
			kept = append(kept, a)
			found[a.Name] = true
		}
	}
	rep.Artifacts = kept
	for _, n := range names {
		if !found[n] {
			missing = append(missing, n)
		}
	}
	return missing
}

// BundleArtifact puts a verify-bundle verdict (any artifact, checked
// against a bundle and an identity or key) in the report model, with the
// audit's one status -> finding mapping (sigstoreFinding).
func BundleArtifact(name, bundlePath string, v sigstore.Verdict) report.Artifact {
	a := report.Artifact{
		Name: name, Kind: "any", Expected: report.Expected{Sigstore: true},
		PGP: report.Method{Status: report.StatusNotExpected},
		Sigstore: report.Method{
			Status: string(v.Status), File: bundlePath, Identity: v.Identity, Issuer: v.Issuer,
			MediaType: v.MediaType, TimeProof: v.TimeProof, LogIndex: v.LogIndex, Digest: v.Digest, Reason: v.Reason,
		},
	}
	if !v.SigningTime.IsZero() {
		a.Sigstore.Created = v.SigningTime.Format(time.RFC3339)
	}
	if f, failed := sigstoreFinding(v); failed {
		a.Findings = append(a.Findings, f)
	}
	return a
}
