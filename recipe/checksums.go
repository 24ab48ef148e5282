package recipe

import "github.com/sigaudit/sigaudit/report"

// ChecksumDigests adapts the result of `sigaudit checksums`
// (audit.ChecksumsWith over a digest-only audit of the versions a recipe
// pins) to Digests, so that lint and pin use live, proven material. A
// digest is proven only at report.LevelProven (issue 16 item 1's (a)-(d)
// all held); a rejected artifact's digest is not offered at all, and an
// artifact the audit did not cover falls back to Fallback (nil: none).
type ChecksumDigests struct {
	Checksums *report.Checksums
	Fallback  Digests
}

// Digest implements Digests.
func (c ChecksumDigests) Digest(version, artifact string) (string, Proof, bool) {
	if c.Checksums != nil {
		for _, ch := range c.Checksums.Checksums {
			if ch.Name != artifact || ch.Version != version {
				continue
			}
			p := Proof{Proven: ch.Proven && ch.Level == report.LevelProven, Source: "sigaudit checksums (" + ch.Level + ")"}
			if ch.Proof != nil {
				if ch.Proof.Signer {
					p.Held = append(p.Held, "a")
				}
				if ch.Proof.SigningWindow {
					p.Held = append(p.Held, "b")
				}
				if ch.Proof.UniqueInRelease {
					p.Held = append(p.Held, "c")
				}
				if ch.Proof.DigestsAgree {
					p.Held = append(p.Held, "d")
				}
			}
			return ch.SHA256, p, true
		}
		for _, r := range c.Checksums.Rejected {
			if r.Name == artifact && r.Version == version {
				p := Proof{Source: "rejected by sigaudit checksums: " + r.Reason}
				if c.Fallback == nil {
					return "", p, false
				}
				d, _, ok := c.Fallback.Digest(version, artifact)
				return d, p, ok
			}
		}
	}
	if c.Fallback != nil {
		return c.Fallback.Digest(version, artifact)
	}
	return "", Proof{}, false
}
