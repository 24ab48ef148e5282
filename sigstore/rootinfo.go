package sigstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// EmbeddedRootAsOf is when the embedded trusted_root.json was last known to
// be current: the expiry of the TUF timestamp.json (v762) that listed it
// (github.com/sigstore/root-signing @ 60cf2ce8, see PROVENANCE.md). The
// embedded root is at least as old as the time since then.
var EmbeddedRootAsOf = time.Date(2026, 8, 28, 19, 25, 56, 0, time.UTC)

// Key kinds in a trusted root.
const (
	KindTlog  = "tlog"  // Rekor transparency log key
	KindCA    = "ca"    // Fulcio certificate authority
	KindCTLog = "ctlog" // certificate transparency log key
	KindTSA   = "tsa"   // RFC 3161 timestamping authority
)

// KeyWindow is the validity window of one key of a trusted root. A zero End
// means the key is still current.
type KeyWindow struct {
	Kind  string    `json:"kind"`
	URI   string    `json:"uri"`
	ID    string    `json:"id,omitempty"` // log key ID (base64) or CA/TSA subject
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// Current reports whether the key may be used at t.
func (k KeyWindow) Current(t time.Time) bool {
	return !t.Before(k.Start) && (k.End.IsZero() || !t.After(k.End))
}

// RootInfo describes a trusted_root.json: its SHA-256, the validity window
// of each key, and the newest validity start of any key (a bundle signed
// well after that may need a newer root).
type RootInfo struct {
	SHA256      string    `json:"sha256"`
	NewestStart time.Time `json:"newest_key_start"`
	// Keys counts the transparency logs, CAs, CT logs and TSAs.
	Keys    int         `json:"keys"`
	Windows []KeyWindow `json:"windows"`
}

// EmbeddedRootInfo describes the trust root compiled into sigaudit.
func EmbeddedRootInfo() (RootInfo, error) { return DescribeRoot(embeddedRoot) }

// DescribeRoot describes a trusted_root.json given as bytes.
func DescribeRoot(b []byte) (RootInfo, error) {
	type validFor struct {
		Start *time.Time `json:"start"`
		End   *time.Time `json:"end"`
	}
	type log struct {
		BaseURL   string `json:"baseUrl"`
		PublicKey struct {
			ValidFor validFor `json:"validFor"`
		} `json:"publicKey"`
		LogID struct {
			KeyID string `json:"keyId"`
		} `json:"logId"`
	}
	type ca struct {
		URI     string `json:"uri"`
		Subject struct {
			Organization string `json:"organization"`
			CommonName   string `json:"commonName"`
		} `json:"subject"`
		ValidFor validFor `json:"validFor"`
	}
	var tr struct {
		Tlogs  []log `json:"tlogs"`
		Ctlogs []log `json:"ctlogs"`
		CAs    []ca  `json:"certificateAuthorities"`
		TSAs   []ca  `json:"timestampAuthorities"`
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		return RootInfo{}, fmt.Errorf("trusted root: %w", err)
	}
	sum := sha256.Sum256(b)
	info := RootInfo{SHA256: hex.EncodeToString(sum[:])}
	var bad error
	see := func(kind, uri, id string, v validFor) {
		if v.Start == nil {
			bad = fmt.Errorf("trusted root: %s %s has no validity start", kind, uri)
			return
		}
		w := KeyWindow{Kind: kind, URI: uri, ID: id, Start: v.Start.UTC()}
		if v.End != nil {
			w.End = v.End.UTC()
		}
		info.Windows = append(info.Windows, w)
		info.Keys++
		if w.Start.After(info.NewestStart) {
			info.NewestStart = w.Start
		}
	}
	for _, l := range tr.Tlogs {
		see(KindTlog, l.BaseURL, l.LogID.KeyID, l.PublicKey.ValidFor)
	}
	for _, c := range tr.CAs {
		see(KindCA, c.URI, subject(c.Subject.Organization, c.Subject.CommonName), c.ValidFor)
	}
	for _, l := range tr.Ctlogs {
		see(KindCTLog, l.BaseURL, l.LogID.KeyID, l.PublicKey.ValidFor)
	}
	for _, c := range tr.TSAs {
		see(KindTSA, c.URI, subject(c.Subject.Organization, c.Subject.CommonName), c.ValidFor)
	}
	if bad != nil {
		return RootInfo{}, bad
	}
	if info.Keys == 0 {
		return RootInfo{}, fmt.Errorf("trusted root: no logs, CAs or TSAs")
	}
	sort.SliceStable(info.Windows, func(i, j int) bool { return kindOrder(info.Windows[i].Kind) < kindOrder(info.Windows[j].Kind) })
	return info, nil
}

func subject(org, cn string) string {
	switch {
	case org == "":
		return cn
	case cn == "":
		return org
	}
	return org + "/" + cn
}

func kindOrder(k string) int {
	switch k {
	case KindTlog:
		return 0
	case KindCA:
		return 1
	case KindCTLog:
		return 2
	}
	return 3
}

// SigningTimeWarning returns a warning when a bundle signed at t may need a
// newer trust root than this one: no transparency log or no CA of the root
// is valid at t (verification can only fail), or t is after asOf, the last
// time the root was known to be current (Sigstore may have rotated a key in
// since). A zero asOf stands for the newest key's start, a lower bound of
// the root's date. It returns "" when t is zero (unknown) or covered.
func (i RootInfo) SigningTimeWarning(t, asOf time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	for _, kind := range []string{KindTlog, KindCA} {
		seen, current := false, false
		for _, w := range i.Windows {
			if w.Kind == kind {
				seen = true
				current = current || w.Current(t)
			}
		}
		if seen && !current {
			return fmt.Sprintf("signed at %s, when no %s key of the trust root (sha256 %s) was valid: run `sigaudit trust update` or pass a newer --trusted-root",
				t.Format(time.RFC3339), kindName(kind), short(i.SHA256))
		}
	}
	if asOf.IsZero() {
		asOf = i.NewestStart
	}
	if !asOf.IsZero() && t.After(asOf) {
		return fmt.Sprintf("signed at %s, after the trust root (sha256 %s) was last known current (%s): a key Sigstore rotated in since is missing from it; run `sigaudit trust update` if verification fails",
			t.Format(time.RFC3339), short(i.SHA256), asOf.UTC().Format("2006-01-02"))
	}
	return ""
}

func kindName(k string) string {
	switch k {
	case KindTlog:
		return "transparency log"
	case KindCA:
		return "certificate authority"
	case KindCTLog:
		return "CT log"
	}
	return "timestamping authority"
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12] + "…"
	}
	return s
}
