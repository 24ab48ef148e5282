package sigstore

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// RootInfo describes a trusted_root.json: its SHA-256 and the newest
// validity start of any key in it (a bundle signed well after that may need
// a newer root).
type RootInfo struct {
	SHA256      string    `json:"sha256"`
	NewestStart time.Time `json:"newest_key_start"`
	// Keys counts the transparency logs, CAs, CT logs and TSAs.
	Keys int `json:"keys"`
}

// EmbeddedRootInfo describes the trust root compiled into sigaudit.
func EmbeddedRootInfo() (RootInfo, error) { return DescribeRoot(embeddedRoot) }

// DescribeRoot describes a trusted_root.json given as bytes.
func DescribeRoot(b []byte) (RootInfo, error) {
	type validity struct {
		ValidFor struct {
			Start time.Time `json:"start"`
		} `json:"validFor"`
	}
	type ca struct {
		ValidFor struct {
			Start time.Time `json:"start"`
		} `json:"validFor"`
	}
	var tr struct {
		Tlogs []struct {
			PublicKey validity `json:"publicKey"`
		} `json:"tlogs"`
		Ctlogs []struct {
			PublicKey validity `json:"publicKey"`
		} `json:"ctlogs"`
		CAs  []ca `json:"certificateAuthorities"`
		TSAs []ca `json:"timestampAuthorities"`
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		return RootInfo{}, fmt.Errorf("trusted root: %w", err)
	}
	sum := sha256.Sum256(b)
	info := RootInfo{SHA256: hex.EncodeToString(sum[:])}
	see := func(t time.Time) {
		info.Keys++
		if t.After(info.NewestStart) {
			info.NewestStart = t
		}
	}
	for _, l := range tr.Tlogs {
		see(l.PublicKey.ValidFor.Start)
	}
	for _, l := range tr.Ctlogs {
		see(l.PublicKey.ValidFor.Start)
	}
	for _, c := range tr.CAs {
		see(c.ValidFor.Start)
	}
	for _, c := range tr.TSAs {
		see(c.ValidFor.Start)
	}
	if info.Keys == 0 {
		return RootInfo{}, fmt.Errorf("trusted root: no logs, CAs or TSAs")
	}
	return info, nil
}
