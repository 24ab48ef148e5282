package sigstore

import (
	"bytes"
	"crypto/x509"
	"errors"
	"sync"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// chainCache wraps trusted material so that each Fulcio CA's intermediate
// to root link is verified once instead of once per bundle (it is the same
// P-384 signature every time, and half the cost of a bundle).
//
// A chain is valid when its signatures and constraints hold (independent
// of time) and the signing time falls inside every certificate's validity.
// The link intermediate -> root is checked once with crypto/x509 in full
// (signature, CA constraints, code-signing usage) at a time inside both
// certificates' validity; per bundle, the leaf is verified by crypto/x509
// against that intermediate at the signing time, and the signing time is
// checked against the intermediate's and root's validity. Whenever this
// fast path does not succeed, sigstore-go's own full verification decides,
// so the cache can only save work, never accept more.
type chainCache struct {
	root.TrustedMaterial
	cas []root.CertificateAuthority
}

func withChainCache(tm root.TrustedMaterial) root.TrustedMaterial {
	if tm == nil {
		return nil
	}
	var cas []root.CertificateAuthority
	for _, ca := range tm.FulcioCertificateAuthorities() {
		if f, ok := ca.(*root.FulcioCertificateAuthority); ok && f.Root != nil {
			cas = append(cas, &cachedCA{ca: f})
			continue
		}
		cas = append(cas, ca)
	}
	return &chainCache{TrustedMaterial: tm, cas: cas}
}

func (c *chainCache) FulcioCertificateAuthorities() []root.CertificateAuthority { return c.cas }

type cachedCA struct {
	ca   *root.FulcioCertificateAuthority
	once sync.Once
	good map[*x509.Certificate]bool // intermediates verified to chain to the root
}

func (c *cachedCA) linkOK(in *x509.Certificate) bool {
	c.once.Do(func() {
		c.good = map[*x509.Certificate]bool{}
		pool := x509.NewCertPool()
		pool.AddCert(c.ca.Root)
		for _, in := range c.ca.Intermediates {
			start := latest(in.NotBefore, c.ca.Root.NotBefore)
			end := earliest(in.NotAfter, c.ca.Root.NotAfter)
			if !start.Before(end) {
				continue
			}
			at := start.Add(end.Sub(start) / 2)
			if _, err := in.Verify(x509.VerifyOptions{CurrentTime: at, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}); err == nil {
				c.good[in] = true
			}
		}
	})
	return c.good[in]
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func within(t time.Time, c *x509.Certificate) bool {
	return !t.Before(c.NotBefore) && !t.After(c.NotAfter)
}

// Verify implements root.CertificateAuthority.
func (c *cachedCA) Verify(cert *x509.Certificate, t time.Time) ([][]*x509.Certificate, error) {
	ca := c.ca
	if !ca.ValidityPeriodStart.IsZero() && t.Before(ca.ValidityPeriodStart) {
		return nil, errors.New("certificate is not valid yet")
	}
	if !ca.ValidityPeriodEnd.IsZero() && t.After(ca.ValidityPeriodEnd) {
		return nil, errors.New("certificate is no longer valid")
	}
	for _, in := range ca.Intermediates {
		if !bytes.Equal(cert.RawIssuer, in.RawSubject) || !within(t, in) || !within(t, ca.Root) || !c.linkOK(in) {
			continue
		}
		pool := x509.NewCertPool()
		pool.AddCert(in)
		chains, err := cert.Verify(x509.VerifyOptions{CurrentTime: t, Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}})
		if err != nil {
			break
		}
		for i := range chains {
			chains[i] = append(chains[i], ca.Root)
		}
		return chains, nil
	}
	return ca.Verify(cert, t)
}
