// Package attack attacks sigaudit the way a compromised mirror or a
// careless release would, and asserts that every attack is visible: the
// exact findings, a non-zero exit, never a false "verified".
package attack

import (
	"bytes"
	"context"
	"crypto"
	_ "crypto/sha1" // SHA-1 fixtures
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"

	"github.com/sigaudit/sigaudit/internal/cli"
	"github.com/sigaudit/sigaudit/internal/prehash"
	"github.com/sigaudit/sigaudit/report"

	"github.com/sigaudit/sigaudit/internal/testing/fixtures"
)

const (
	realTarball = "../../shared/realdata/artifacts/Python-3.13.5.tar.xz"
	sha3135     = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
)

func run(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := cli.Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, b, 0o644))
}

func real(t *testing.T, rel string) []byte { return fixtures.Real(t, rel) }

// --- generated PGP material: two managers of test lines 3.98 and 3.99 ---

var t0 = time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)

type keys struct {
	rmA, rmB, expiring, revoked, stranger *openpgp.Entity
	keyring, policy                       string
}

func newEntity(t *testing.T, lifetime uint32) *openpgp.Entity {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, KeyLifetimeSecs: lifetime, Time: func() time.Time { return t0 }}
	e, err := openpgp.NewEntity("RM", "", "rm@example.org", cfg)
	must(t, err)
	return e
}

func fpr(e *openpgp.Entity) string {
	return strings.ToUpper(hex.EncodeToString(e.PrimaryKey.Fingerprint))
}

func sign(t *testing.T, e *openpgp.Entity, data []byte, h crypto.Hash, at time.Time) []byte {
	priv := e.PrivateKey
	sig := &packet.Signature{SigType: packet.SigTypeBinary, PubKeyAlgo: priv.PubKeyAlgo, Hash: h, CreationTime: at, IssuerKeyId: &priv.KeyId}
	hh := h.New()
	hh.Write(data)
	noSalt := false
	must(t, sig.Sign(hh, priv, &packet.Config{NonDeterministicSignaturesViaNotation: &noSalt}))
	var buf bytes.Buffer
	w, err := armor.Encode(&buf, openpgp.SignatureType, nil)
	must(t, err)
	must(t, sig.Serialize(w))
	w.Close()
	return buf.Bytes()
}

func makeKeys(t *testing.T, dir string) *keys {
	k := &keys{rmA: newEntity(t, 0), rmB: newEntity(t, 0), expiring: newEntity(t, 3600), revoked: newEntity(t, 0), stranger: newEntity(t, 0)}
	must(t, k.revoked.Revoke(packet.KeyCompromised, "stolen", &packet.Config{Time: func() time.Time { return t0.Add(time.Hour) }}))
	var buf bytes.Buffer
	w, _ := armor.Encode(&buf, openpgp.PublicKeyType, nil)
	for _, e := range []*openpgp.Entity{k.rmA, k.rmB, k.expiring, k.revoked} {
		must(t, e.Serialize(w))
	}
	w.Close()
	k.keyring = filepath.Join(dir, "keys.asc")
	write(t, k.keyring, buf.Bytes())
	// Lines 3.97 (expiring key), 3.98 (A), 3.99 (B), 3.96 (revoked key):
	// PGP-only lines whose managers had stable releases before PEP 761.
	policy := fmt.Sprintf(`managers:
  - {id: a, name: Manager A, pgp: [%s]}
  - {id: b, name: Manager B, pgp: [%s]}
  - {id: e, name: Manager E, pgp: [%s]}
  - {id: r, name: Manager R, pgp: [%s]}
lines:
  - {line: "3.99", manager: b, identity: b@example.org, issuer: https://accounts.google.com, first_stable: "2020-01-01", end_of_life: "2099-01"}
  - {line: "3.98", manager: a, identity: a@example.org, issuer: https://accounts.google.com, first_stable: "2020-01-01", end_of_life: "2099-01"}
  - {line: "3.97", manager: e, identity: e@example.org, issuer: https://accounts.google.com, first_stable: "2020-01-01", end_of_life: "2099-01"}
  - {line: "3.96", manager: r, identity: r@example.org, issuer: https://accounts.google.com, first_stable: "2020-01-01", end_of_life: "2099-01"}
`, fpr(k.rmA), fpr(k.rmB), fpr(k.expiring), fpr(k.revoked))
	k.policy = filepath.Join(dir, "policy.yaml")
	write(t, k.policy, []byte(policy))
	return k
}

// sparse makes a file of size n without writing n bytes.
func sparse(t *testing.T, path string, n int64) {
	f, err := os.Create(path)
	must(t, err)
	must(t, f.Truncate(n))
	f.Close()
}

type attackCase struct {
	name string
	// setup writes files under dir and returns the sigaudit arguments.
	setup func(t *testing.T, dir string, k *keys) []string
	// want is the exact set of "severity:code" findings over all artifacts.
	want []string
	// needsTarball marks cases that read the real 23 MB tarball.
	needsTarball bool
}

// tarballCase lays the real tarball (as a symlink) with the given .asc and
// .sigstore in dir/3.13.5 and returns verify's arguments.
func tarball(t *testing.T, dir string, asc, bundle []byte) []string {
	abs, err := filepath.Abs(realTarball)
	must(t, err)
	p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.Symlink(abs, p))
	if asc != nil {
		write(t, p+".asc", asc)
	}
	if bundle != nil {
		write(t, p+".sigstore", bundle)
	}
	return []string{"verify", "--format", "json", p}
}

// bySHA verifies the 3.13.5 tarball's Sigstore side from its digest, with
// the given bundle and .asc, without the artifact.
func bySHA(t *testing.T, dir string, asc, bundle []byte, extra ...string) []string {
	p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
	if asc != nil {
		write(t, p+".asc", asc)
	}
	if bundle != nil {
		write(t, p+".sigstore", bundle)
	}
	return append(append([]string{"verify", "--format", "json"}, extra...), "--sha256", sha3135, p)
}

// generated writes a small artifact of a test line with a signature.
func generated(t *testing.T, dir, version string, asc []byte, k *keys) []string {
	p := filepath.Join(dir, version, "Python-"+version+".tar.xz")
	write(t, p, []byte("artifact "+version))
	if asc != nil {
		write(t, p+".asc", asc)
	}
	return []string{"verify", "--format", "json", "--policy", k.policy, "--keyring", k.keyring, p}
}

func cases() []attackCase {
	at := t0.Add(24 * time.Hour)
	return []attackCase{
		{name: "artifact swapped", needsTarball: false, setup: func(t *testing.T, dir string, k *keys) []string {
			p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
			write(t, p, []byte("a trojaned tarball"))
			write(t, p+".asc", real(t, "asc/Python-3.13.5.tar.xz.asc"))
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
			return []string{"verify", "--format", "json", p}
		}, want: []string{"mismatch:digest-mismatch", "mismatch:pgp-invalid"}},
		{name: "asc from another release", needsTarball: true, setup: func(t *testing.T, dir string, k *keys) []string {
			return tarball(t, dir, real(t, "asc/Python-3.13.0.tar.xz.asc"), real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
		}, want: []string{"mismatch:pgp-invalid"}},
		{name: "sigstore bundle replayed from another artifact", needsTarball: true, setup: func(t *testing.T, dir string, k *keys) []string {
			return tarball(t, dir, real(t, "asc/Python-3.13.5.tar.xz.asc"), real(t, "sigstore-bundles/Python-3.13.0.tar.xz.sigstore"))
		}, want: []string{"mismatch:digest-mismatch"}},
		{name: "bundle replayed, by digest", setup: func(t *testing.T, dir string, k *keys) []string {
			return bySHA(t, dir, nil, real(t, "sigstore-bundles/Python-3.13.5.tgz.sigstore"), "--fail-on", "mismatch")
		}, want: []string{"gap:pgp-missing", "mismatch:digest-mismatch"}},
		{name: "valid signature by another release manager", setup: func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, "3.99.0", sign(t, k.rmA, []byte("artifact 3.99.0"), crypto.SHA512, at), k)
		}, want: []string{"mismatch:pgp-wrong-signer"}},
		{name: "signature by a stranger", setup: func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, "3.99.0", sign(t, k.stranger, []byte("artifact 3.99.0"), crypto.SHA512, at), k)
		}, want: []string{"mismatch:pgp-unknown-signer"}},
		{name: "sigstore identity right, issuer wrong", setup: func(t *testing.T, dir string, k *keys) []string {
			pol := filepath.Join(dir, "p.yaml")
			write(t, pol, []byte(`lines: [{line: "3.13", manager: thomas, identity: thomas@python.org, issuer: https://github.com/login/oauth, first_stable: "2024-10-07", end_of_life: "2029-10", sigstore_from: {source: 3.13.0}}]`))
			return bySHA(t, dir, nil, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"), "--policy", pol)
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-wrong-identity"}},
		{name: "sigstore issuer right, email wrong", setup: func(t *testing.T, dir string, k *keys) []string {
			pol := filepath.Join(dir, "p.yaml")
			write(t, pol, []byte(`lines: [{line: "3.13", manager: thomas, identity: twouters@python.org, issuer: https://accounts.google.com, first_stable: "2024-10-07", end_of_life: "2029-10", sigstore_from: {source: 3.13.0}}]`))
			return bySHA(t, dir, nil, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"), "--policy", pol)
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-wrong-identity"}},
		{name: "bundle by another manager", setup: func(t *testing.T, dir string, k *keys) []string {
			p := filepath.Join(dir, "3.13.9", "Python-3.13.9.tgz")
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
			return []string{"verify", "--format", "json", "--sha256", "88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851", p}
		}, want: []string{"gap:pgp-missing", "mismatch:digest-mismatch", "mismatch:sigstore-wrong-identity"}},
		{name: "stripped asc on a PGP line", needsTarball: true, setup: func(t *testing.T, dir string, k *keys) []string {
			return tarball(t, dir, nil, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
		}, want: []string{"gap:pgp-missing"}},
		{name: "stripped sigstore bundle", needsTarball: true, setup: func(t *testing.T, dir string, k *keys) []string {
			return tarball(t, dir, real(t, "asc/Python-3.13.5.tar.xz.asc"), nil)
		}, want: []string{"gap:sigstore-missing"}},
		{name: "both stripped", needsTarball: true, setup: func(t *testing.T, dir string, k *keys) []string {
			return tarball(t, dir, nil, nil)
		}, want: []string{"gap:pgp-missing", "gap:sigstore-missing"}},
		{name: "bundle downgraded to legacy crt+sig", setup: func(t *testing.T, dir string, k *keys) []string {
			crt, sig := fixtures.LegacyFromBundle(t, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
			p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
			write(t, p+".crt", crt)
			write(t, p+".sig", sig)
			write(t, p+".asc", real(t, "asc/Python-3.13.5.tar.xz.asc"))
			return []string{"verify", "--format", "json", "--fail-on", "note", "--sha256", sha3135, p}
		}, want: []string{"note:pgp-not-checked", "note:signing-time-unproven", "note:sigstore-legacy-format"}},
		{name: "legacy sig without its crt", setup: func(t *testing.T, dir string, k *keys) []string {
			_, sig := fixtures.LegacyFromBundle(t, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
			p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
			write(t, p+".sig", sig)
			return []string{"verify", "--format", "json", "--fail-on", "mismatch", "--sha256", sha3135, p}
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"}},
		{name: "key expired before signing", setup: func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, "3.97.0", sign(t, k.expiring, []byte("artifact 3.97.0"), crypto.SHA512, t0.Add(2*time.Hour)), k)
		}, want: []string{"mismatch:pgp-invalid"}},
		{name: "revoked key", setup: func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, "3.96.0", sign(t, k.revoked, []byte("artifact 3.96.0"), crypto.SHA512, at), k)
		}, want: []string{"mismatch:pgp-invalid"}},
		{name: "SHA-1 signature", setup: func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, "3.98.0", sign(t, k.rmA, []byte("artifact 3.98.0"), crypto.SHA1, at), k)
		}, want: []string{"mismatch:pgp-weak-hash"}},
		{name: "signature over another file", setup: func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, "3.98.0", sign(t, k.rmA, []byte("something else"), crypto.SHA512, at), k)
		}, want: []string{"mismatch:pgp-invalid"}},
		{name: "certificate expired, no log entry", setup: func(t *testing.T, dir string, k *keys) []string {
			var m map[string]any
			must(t, json.Unmarshal(real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"), &m))
			delete(m["verificationMaterial"].(map[string]any), "tlogEntries")
			b, _ := json.Marshal(m)
			return bySHA(t, dir, nil, b, "--fail-on", "mismatch")
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"}},
		{name: "bundle signature flipped", setup: func(t *testing.T, dir string, k *keys) []string {
			var m map[string]any
			must(t, json.Unmarshal(real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"), &m))
			ms := m["messageSignature"].(map[string]any)
			sig, _ := base64.StdEncoding.DecodeString(ms["signature"].(string))
			sig[10] ^= 1
			ms["signature"] = base64.StdEncoding.EncodeToString(sig)
			b, _ := json.Marshal(m)
			return bySHA(t, dir, nil, b, "--fail-on", "mismatch")
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-untrusted"}},
		{name: "unknown bundle media type", setup: func(t *testing.T, dir string, k *keys) []string {
			var m map[string]any
			must(t, json.Unmarshal(real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"), &m))
			m["mediaType"] = "application/vnd.dev.sigstore.bundle.v0.9+json"
			b, _ := json.Marshal(m)
			return bySHA(t, dir, nil, b, "--fail-on", "mismatch")
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-unsupported"}},
		{name: "bundle digest differs from the SBOM", setup: func(t *testing.T, dir string, k *keys) []string {
			p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
			write(t, p+".spdx.json", []byte(`{"spdxVersion":"SPDX-2.3","packages":[{"name":"CPython","packageFileName":"Python-3.13.5.tar.xz","checksums":[{"algorithm":"SHA256","checksumValue":"`+strings.Repeat("0", 64)+`"}]}]}`))
			return bySHA(t, dir, nil, real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"), "--fail-on", "mismatch")
		}, want: []string{"gap:pgp-missing", "mismatch:digest-mismatch"}},
		{name: "SBOM and API disagree", setup: func(t *testing.T, dir string, k *keys) []string {
			tree := filepath.Join(dir, "tree")
			p := filepath.Join(tree, "3.13.5", "Python-3.13.5.tar.xz")
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
			write(t, p+".spdx.json", []byte(`{"spdxVersion":"SPDX-2.3","packages":[{"packageFileName":"Python-3.13.5.tar.xz","checksums":[{"algorithm":"SHA256","checksumValue":"`+sha3135+`"}]}]}`))
			api := filepath.Join(dir, "api.json")
			write(t, api, []byte(`[{"name":"Python 3.13.5","url":"https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tar.xz","sha256_sum":"`+strings.Repeat("1", 64)+`"}]`))
			return []string{"audit", "--format", "json", "--fail-on", "mismatch", "--digest-only", "--source", tree, "--api", api, "3.13.5"}
		}, want: []string{"gap:pgp-missing", "mismatch:digest-mismatch"}},
		{name: "API claims an asc that is not there", setup: func(t *testing.T, dir string, k *keys) []string {
			tree := filepath.Join(dir, "tree")
			p := filepath.Join(tree, "3.14.0", "Python-3.14.0.tgz")
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
			api := filepath.Join(dir, "api.json")
			u := "https://www.python.org/ftp/python/3.14.0/Python-3.14.0.tgz"
			write(t, api, []byte(`[{"url":"`+u+`","sha256_sum":"88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851","gpg_signature_file":"`+u+`.asc","sigstore_bundle_file":"`+u+`.sigstore"}]`))
			return []string{"audit", "--format", "json", "--digest-only", "--source", tree, "--api", api, "3.14.0"}
		}, want: []string{"mismatch:api-claim-missing"}},
		{name: "empty asc", setup: func(t *testing.T, dir string, k *keys) []string {
			return generated(t, dir, "3.98.0", []byte{}, k)
		}, want: []string{"mismatch:pgp-malformed"}},
		{name: "empty bundle", setup: func(t *testing.T, dir string, k *keys) []string {
			return bySHA(t, dir, nil, []byte{}, "--fail-on", "mismatch")
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"}},
		{name: "garbage JSON bundle", setup: func(t *testing.T, dir string, k *keys) []string {
			return bySHA(t, dir, nil, []byte(`{"mediaType": [}`), "--fail-on", "mismatch")
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"}},
		{name: "0-byte artifact", setup: func(t *testing.T, dir string, k *keys) []string {
			p := filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz")
			write(t, p, nil)
			write(t, p+".asc", real(t, "asc/Python-3.13.5.tar.xz.asc"))
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
			return []string{"verify", "--format", "json", p}
		}, want: []string{"mismatch:digest-mismatch", "mismatch:pgp-invalid"}},
		{name: "armor with a bad checksum", setup: func(t *testing.T, dir string, k *keys) []string {
			asc := string(real(t, "asc/Python-3.13.5.tar.xz.asc"))
			asc = strings.Replace(asc, "=wAK6", "=AAAA", 1)
			return bySHA(t, dir, []byte(asc), real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
		}, want: []string{"mismatch:pgp-malformed"}},
		{name: "public key served as asc", setup: func(t *testing.T, dir string, k *keys) []string {
			var buf bytes.Buffer
			w, _ := armor.Encode(&buf, openpgp.PublicKeyType, nil)
			k.rmA.Serialize(w)
			w.Close()
			return generated(t, dir, "3.98.0", buf.Bytes(), k)
		}, want: []string{"mismatch:pgp-malformed"}},
		{name: "2 GB asc", setup: func(t *testing.T, dir string, k *keys) []string {
			args := generated(t, dir, "3.98.0", nil, k)
			sparse(t, filepath.Join(dir, "3.98.0", "Python-3.98.0.tar.xz.asc"), 2<<30)
			return args
		}, want: []string{"mismatch:pgp-malformed"}},
		{name: "2 GB bundle", setup: func(t *testing.T, dir string, k *keys) []string {
			args := bySHA(t, dir, nil, nil, "--fail-on", "mismatch")
			must(t, os.MkdirAll(filepath.Join(dir, "3.13.5"), 0o755))
			sparse(t, filepath.Join(dir, "3.13.5", "Python-3.13.5.tar.xz.sigstore"), 2<<30)
			return args
		}, want: []string{"gap:pgp-missing", "mismatch:sigstore-malformed"}},
		{name: "asc symlinked outside the tree", setup: func(t *testing.T, dir string, k *keys) []string {
			tree := filepath.Join(dir, "tree")
			p := filepath.Join(tree, "3.14.0", "Python-3.14.0.tgz")
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
			write(t, filepath.Join(dir, "outside.asc"), real(t, "asc/Python-3.13.5.tar.xz.asc"))
			must(t, os.Symlink(filepath.Join(dir, "outside.asc"), p+".asc"))
			// With artifacts the .asc is read, and refused.
			return []string{"audit", "--format", "json", "--source", tree, "3.14.0"}
		}, want: []string{"mismatch:source-error", "mismatch:source-error"}}, // the .asc refused, the artifact absent
		{name: "asc symlinked outside the tree, digest-only", setup: func(t *testing.T, dir string, k *keys) []string {
			tree := filepath.Join(dir, "tree")
			p := filepath.Join(tree, "3.14.0", "Python-3.14.0.tgz")
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
			write(t, filepath.Join(dir, "outside.asc"), real(t, "asc/Python-3.13.5.tar.xz.asc"))
			must(t, os.Symlink(filepath.Join(dir, "outside.asc"), p+".asc"))
			// Digest-only never reads an .asc (issue 18): the symlink is
			// not followed, the signature is only seen in the listing.
			return []string{"audit", "--format", "json", "--fail-on", "note", "--digest-only", "--source", tree, "3.14.0"}
		}, want: []string{"note:pgp-not-checked", "note:pgp-not-guaranteed"}}, // sigaudit's record confirms the bundle's digest
		{name: "bundle symlinked outside the tree", setup: func(t *testing.T, dir string, k *keys) []string {
			tree := filepath.Join(dir, "tree")
			p := filepath.Join(tree, "3.14.0", "Python-3.14.0.tgz")
			write(t, filepath.Join(dir, "outside.sigstore"), real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			must(t, os.Symlink(filepath.Join(dir, "outside.sigstore"), p+".sigstore"))
			return []string{"audit", "--format", "json", "--digest-only", "--source", tree, "3.14.0"}
		}, want: []string{"mismatch:source-error"}},
		{name: "file name with a newline", setup: func(t *testing.T, dir string, k *keys) []string {
			tree := filepath.Join(dir, "tree")
			write(t, filepath.Join(tree, "3.14.0", "Python-3.14.0.tgz\n.evil"), []byte("x"))
			return []string{"audit", "--format", "json", "--fail-on", "note", "--digest-only", "--source", tree, "3.14.0"}
		}, want: []string{"gap:release-incomplete", "note:unknown-artifact"}},
		{name: "very long file name", setup: func(t *testing.T, dir string, k *keys) []string {
			tree := filepath.Join(dir, "tree")
			write(t, filepath.Join(tree, "3.14.0", "Python-3.14.0"+strings.Repeat("a", 200)+".tgz"), []byte("x"))
			return []string{"audit", "--format", "json", "--fail-on", "note", "--digest-only", "--source", tree, "3.14.0"}
		}, want: []string{"gap:release-incomplete", "note:unknown-artifact"}},
		{name: "PGP signature on a Sigstore-only line", setup: func(t *testing.T, dir string, k *keys) []string {
			p := filepath.Join(dir, "3.14.0", "Python-3.14.0.tgz")
			write(t, p+".asc", sign(t, k.stranger, []byte("x"), crypto.SHA512, at))
			write(t, p+".sigstore", real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore"))
			return []string{"verify", "--format", "json", "--fail-on", "note", "--sha256", "88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851", p}
		}, want: []string{"note:pgp-not-checked", "note:pgp-not-guaranteed"}},
	}
}

func TestAttackMatrix(t *testing.T) {
	_, tarErr := os.Stat(realTarball)
	cs := cases()
	if len(cs) < 30 {
		t.Fatalf("only %d attack cases", len(cs))
	}
	// Each attack runs twice: as is, and with the files hashed by the
	// background pass that sigaudit starts during initialization for
	// "verify" (internal/prehash), which must change nothing.
	for _, mode := range []string{"", "prehashed/"} {
		for _, c := range cs {
			t.Run(mode+c.name, func(t *testing.T) { runAttack(t, c, mode != "", tarErr) })
		}
	}
}

func runAttack(t *testing.T, c attackCase, prehashed bool, tarErr error) {
	if c.needsTarball && tarErr != nil {
		t.Skipf("needs %s", realTarball)
	}
	dir := t.TempDir()
	k := makeKeys(t, dir)
	args := c.setup(t, dir, k)
	if prehashed {
		if args[0] != "verify" {
			t.Skip("no background pass for", args[0])
		}
		prehash.Start(args[1:])
		t.Cleanup(func() { prehash.Start(nil) })
	}
	start := time.Now()
	code, out, errOut := run(args...)
	if time.Since(start) > 20*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
	if code == cli.ExitOK {
		t.Errorf("exit 0: the attack passed unnoticed\n%s", out)
	}
	if code != cli.ExitFindings {
		t.Fatalf("exit %d, want 3; stderr: %s", code, errOut)
	}
	checkFindings(t, out, c.want)
}

// checkFindings checks that the JSON report out has exactly the findings
// want ("severity:code", in any order), and never a false "verified": a
// method that verified must not carry a mismatch about itself.
func checkFindings(t *testing.T, out string, want []string) {
	t.Helper()
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	var got []string
	for _, a := range rep.Artifacts {
		for _, f := range a.Findings {
			got = append(got, f.Severity+":"+f.Code)
			if strings.HasPrefix(f.Code, "pgp-") && f.Severity == report.Mismatch && a.PGP.Status == "verified" {
				t.Errorf("PGP verified despite %s", f.Code)
			}
			if (strings.HasPrefix(f.Code, "sigstore-") || f.Code == "digest-mismatch") && f.Severity == report.Mismatch && a.Sigstore.Status == "verified" {
				t.Errorf("Sigstore verified despite %s", f.Code)
			}
		}
	}
	sort.Strings(got)
	want = append([]string(nil), want...)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("findings %v, want %v\n%s", got, want, out)
	}
}

// --- hostile HTTP mirrors, end to end ---

func TestHostileMirrors(t *testing.T) {
	bundle := real(t, "sigstore-bundles/Python-3.14.0.tgz.sigstore")
	good := func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/":
			fmt.Fprint(w, `<a href="3.14.0/">3.14.0/</a>`)
		case "/3.14.0/Python-3.14.0.tgz.sigstore":
			w.Write(bundle)
		default:
			return false
		}
		return true
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(bundle) }))
	defer other.Close()
	type mirror struct {
		name    string
		handler http.HandlerFunc
		tls     bool
		code    int    // exit code
		finding string // a finding that must be reported, or "" for an error
		errText string // text the error must contain
	}
	api := `[{"url":"https://www.python.org/ftp/python/3.14.0/Python-3.14.0.tgz","sha256_sum":"88d2da4eed42fa9a5f42ff58a8bc8988881bd6c547e297e46682c2687638a851"}]`
	dirListing := func(w http.ResponseWriter, extra string) {
		fmt.Fprint(w, `<a href="Python-3.14.0.tgz.sigstore">b</a>`+extra)
	}
	mirrors := []mirror{
		{name: "404 root", handler: func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) }, code: 1, errText: "not found"},
		{name: "500 everywhere", handler: func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 500) }, code: 1, errText: "HTTP 500"},
		{name: "500 on the release listing", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				good(w, r)
				return
			}
			http.Error(w, "x", 500)
		}, code: 1, finding: "source-error"}, // an unreadable source is an operational error
		{name: "truncated bundle", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/3.14.0/" {
				dirListing(w, "")
				return
			}
			if r.URL.Path == "/3.14.0/Python-3.14.0.tgz.sigstore" {
				w.Header().Set("Content-Length", fmt.Sprint(len(bundle)))
				w.Write(bundle[:100])
				return
			}
			good(w, r)
		}, code: 1, finding: "source-error"}, // unreadable (source.ErrUnreadable): an operational error
		{name: "slow-loris bundle", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/3.14.0/" {
				dirListing(w, "")
				return
			}
			if r.URL.Path == "/3.14.0/Python-3.14.0.tgz.sigstore" {
				w.Header().Set("Content-Length", fmt.Sprint(len(bundle)))
				w.Write(bundle[:10])
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
				case <-time.After(20 * time.Second):
				}
				return
			}
			good(w, r)
		}, code: 1, finding: "source-error"}, // unreadable (source.ErrUnreadable): an operational error
		{name: "redirect to another host", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/3.14.0/" {
				dirListing(w, "")
				return
			}
			if r.URL.Path == "/3.14.0/Python-3.14.0.tgz.sigstore" {
				http.Redirect(w, r, other.URL+"/x.sigstore", http.StatusFound)
				return
			}
			good(w, r)
		}, code: 1, finding: "source-error"}, // unreadable (source.ErrUnreadable): an operational error
		{name: "redirect loop", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}, code: 1, errText: "redirects"},
		{name: "huge listing", handler: func(w http.ResponseWriter, r *http.Request) {
			for i := 0; i < 20<<10; i++ {
				if _, err := fmt.Fprint(w, strings.Repeat(`<a href="3.14.0/">x</a>`, 20)); err != nil {
					return
				}
			}
		}, code: 1, errText: "larger than"},
		{name: "listing with ../ and absolute links", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/3.14.0/" {
				dirListing(w, `<a href="../3.13.0/Python-3.13.0.tgz">up</a><a href="/etc/passwd">abs</a><a href="`+other.URL+`/Python-3.14.0.tgz.asc">off</a><a href="Python-3.14.0.tgz%00.asc">nul</a>`)
				return
			}
			if !good(w, r) {
				http.NotFound(w, r)
			}
		}, code: 0},
		{name: "wrong content length", handler: func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/3.14.0/" {
				w.Header().Set("Content-Length", "100000")
				dirListing(w, "")
				return
			}
			good(w, r)
		}, code: 1, finding: "source-error"}, // a listing cut short is an operational error
		{name: "TLS error", tls: true, handler: func(w http.ResponseWriter, r *http.Request) { good(w, r) }, code: 1, errText: "certificate"},
	}
	for _, m := range mirrors {
		t.Run(m.name, func(t *testing.T) {
			var srv *httptest.Server
			if m.tls {
				srv = httptest.NewTLSServer(m.handler)
			} else {
				srv = httptest.NewServer(m.handler)
			}
			defer srv.Close()
			dir := t.TempDir()
			apiPath := filepath.Join(dir, "api.json")
			write(t, apiPath, []byte(api))
			cache := filepath.Join(dir, "cache")
			start := time.Now()
			code, out, errOut := run("audit", "--format", "json", "--digest-only", "--timeout", "1s", "--cache", cache,
				"--source", srv.URL+"/", "--api", apiPath, "3.14.0")
			if d := time.Since(start); d > 15*time.Second {
				t.Errorf("took %v", d)
			}
			if code != m.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, m.code, out, errOut)
			}
			if m.errText != "" && !strings.Contains(errOut, m.errText) {
				t.Errorf("stderr %q lacks %q", errOut, m.errText)
			}
			if m.finding != "" && !strings.Contains(out, `"code": "`+m.finding+`"`) {
				t.Errorf("no %s finding:\n%s", m.finding, out)
			}
			if strings.Contains(out, `"status": "verified"`) && m.code != 0 && m.finding != "source-error" {
				t.Errorf("verified on a hostile mirror:\n%s", out)
			}
			// Nothing outside the cache, and no partial file inside it.
			filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
				if err != nil || info.IsDir() {
					return nil
				}
				if p == apiPath {
					return nil
				}
				if !strings.HasPrefix(p, cache+string(filepath.Separator)) {
					t.Errorf("file written outside the cache: %s", p)
				}
				if strings.HasPrefix(filepath.Base(p), ".part-") {
					t.Errorf("partial cache file left: %s", p)
				}
				if filepath.Base(p) == "Python-3.14.0.tgz.sigstore" {
					b, _ := os.ReadFile(p)
					if !bytes.Equal(b, bundle) {
						t.Errorf("cache holds a corrupt bundle")
					}
				}
				return nil
			})
		})
	}
}

var _ = sha256.Sum256
