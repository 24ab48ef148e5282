package sigstore

import (
	"testing"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/testing/ca"
)

// The chain cache gives the same answers as sigstore-go's own CA check.
func TestChainCacheAgrees(t *testing.T) {
	vs, err := ca.NewVirtualSigstore()
	if err != nil {
		t.Fatal(err)
	}
	leaf, _, err := vs.GenerateLeafCert("rm@python.org", "https://accounts.google.com")
	if err != nil {
		t.Fatal(err)
	}
	cached := withChainCache(vs).FulcioCertificateAuthorities()
	plain := vs.FulcioCertificateAuthorities()
	if len(cached) != len(plain) || len(plain) == 0 {
		t.Fatalf("%d vs %d CAs", len(cached), len(plain))
	}
	for _, at := range []time.Time{
		leaf.NotBefore.Add(time.Second), leaf.NotAfter, leaf.NotBefore.Add(-time.Second),
		leaf.NotAfter.Add(time.Second), time.Now().Add(100 * 365 * 24 * time.Hour),
	} {
		for i := range plain {
			_, perr := plain[i].Verify(leaf, at)
			chains, cerr := cached[i].Verify(leaf, at)
			if (perr == nil) != (cerr == nil) {
				t.Errorf("at %v: plain %v, cached %v", at, perr, cerr)
			}
			if cerr == nil && (len(chains) == 0 || len(chains[0]) < 2) {
				t.Errorf("short chain %v", chains)
			}
		}
	}
	// A leaf of another CA is refused by the cached CA too.
	other, _ := ca.NewVirtualSigstore()
	foreign, _, _ := other.GenerateLeafCert("rm@python.org", "https://accounts.google.com")
	for _, c := range cached {
		if _, err := c.Verify(foreign, foreign.NotBefore.Add(time.Second)); err == nil {
			t.Error("foreign leaf accepted")
		}
	}
	var _ root.TrustedMaterial = withChainCache(vs)
}
