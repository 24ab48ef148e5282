package sigstore

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
)

// Defaults of the Sigstore conformance suite's bundle-verify cases.
const (
	ConformanceIdentity = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"
	ConformanceIssuer   = "https://token.actions.githubusercontent.com"
)

// ConformanceCase is one bundle-verify case folder of the Sigstore client
// conformance suite, loaded the way the suite's README says.
type ConformanceCase struct {
	Dir      string
	WantFail bool
	Bundle   *Bundle
	Load     Verdict // set when the bundle could not be loaded
	Artifact []byte
	Expect   Expect
	Root     root.TrustedMaterial
}

// LoadConformanceCase reads a case folder: bundle.sigstore.json, artifact
// (else ../a.txt), identity, issuer, key.pub, trusted_root.json (else the
// embedded public-good root).
func LoadConformanceCase(dir string) (*ConformanceCase, error) {
	c := &ConformanceCase{Dir: dir, WantFail: strings.HasSuffix(filepath.Base(dir), "_fail")}
	read := func(name string) ([]byte, bool, error) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if os.IsNotExist(err) {
			return nil, false, nil
		}
		return b, err == nil, err
	}
	art, ok, err := read("artifact")
	if err != nil {
		return c, err
	}
	if !ok {
		if art, err = os.ReadFile(filepath.Join(dir, "..", "a.txt")); err != nil {
			return c, err
		}
	}
	c.Artifact = art
	if key, ok, err := read("key.pub"); err != nil {
		return c, err
	} else if ok {
		pk, err := cryptoutils.UnmarshalPEMToPublicKey(key)
		if err != nil {
			return c, fmt.Errorf("key.pub: %v", err)
		}
		c.Expect.PublicKey = pk
	} else {
		id := Identity{SAN: ConformanceIdentity, Issuer: ConformanceIssuer}
		if b, ok, err := read("identity"); err != nil {
			return c, err
		} else if ok {
			id.SAN = strings.TrimSpace(string(b))
		}
		if b, ok, err := read("issuer"); err != nil {
			return c, err
		} else if ok {
			id.Issuer = strings.TrimSpace(string(b))
		}
		c.Expect.Identities = []Identity{id}
	}
	if _, ok, err := read("trusted_root.json"); err != nil {
		return c, err
	} else if ok {
		tr, err := LoadTrustedRoot(filepath.Join(dir, "trusted_root.json"))
		if err != nil {
			return c, err
		}
		c.Root = tr
	} else {
		tr, err := EmbeddedTrustedRoot()
		if err != nil {
			return c, err
		}
		c.Root = tr
	}
	f, err := os.Open(filepath.Join(dir, "bundle.sigstore.json"))
	if err != nil {
		return c, err
	}
	defer f.Close()
	b, v, err := ReadBundle(f)
	if err != nil {
		c.Load = v
		return c, err
	}
	c.Bundle = b
	return c, nil
}

// Run verifies the case with the same code path as `sigaudit verify-bundle`
// given the artifact file.
func (c *ConformanceCase) Run() Verdict {
	if c.Bundle == nil {
		return c.Load
	}
	return NewVerifier(c.Root).VerifyBundle(c.Bundle, Artifact{Reader: io.Reader(bytes.NewReader(c.Artifact))}, c.Expect)
}
