package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	openpgp "github.com/ProtonMail/go-crypto/openpgp/v2"

	"github.com/sigaudit/sigaudit/internal/testing/fakesigstore"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
)

// syntheticMirror lays out n artifacts of a generated release line 3.99
// over n/4 release directories, each with its own Sigstore bundle from a
// generated Sigstore (its own leaf certificate, SCT and log entry: nothing
// is shared between artifacts but the CA and logs), a PGP signature by a
// generated key, and an API entry giving its SHA-256. It returns the
// arguments of a digest-only audit that verifies every bundle in full
// against the generated trust root, as python.org's own are verified
// against the public-good one.
func syntheticMirror(b *testing.B, n int) []string {
	dir := b.TempDir()
	fs, err := fakesigstore.New(time.Now().Add(-time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	rootJSON, err := fs.TrustedRootJSON()
	if err != nil {
		b.Fatal(err)
	}
	rootPath := filepath.Join(dir, "trusted_root.json")
	writeFile(b, rootPath, rootJSON)
	key, err := openpgp.NewEntity("Bench RM", "", "rm@example.org", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		b.Fatal(err)
	}
	var kr bytes.Buffer
	w, _ := armor.Encode(&kr, openpgp.PublicKeyType, nil)
	if err := key.Serialize(w); err != nil {
		b.Fatal(err)
	}
	w.Close()
	keyring := filepath.Join(dir, "keyring.asc")
	writeFile(b, keyring, kr.Bytes())
	policy := filepath.Join(dir, "policy.yaml")
	writeFile(b, policy, []byte(fmt.Sprintf(`managers: [{id: bench, name: Bench RM, pgp: [%X]}]
lines:
  - {line: "3.99", manager: bench, identity: rm@example.org, issuer: https://accounts.example.org,
     first_stable: "2020-01-01", end_of_life: "2099-01",
     sigstore_from: {source: 3.99.0a1, windows: 3.99.0a1, macos: 3.99.0a1}}
`, key.PrimaryKey.Fingerprint)))

	kinds := []string{"Python-%s.tgz", "Python-%s.tar.xz", "python-%s-amd64.exe", "python-%s-embed-amd64.zip"}
	var api []source.APIRow
	for i := 0; len(api) < n; i++ {
		v := fmt.Sprintf("3.99.%d", i)
		for _, k := range kinds {
			name := fmt.Sprintf(k, v)
			content := []byte("contents of " + name)
			sum := sha256.Sum256(content)
			bundle, err := fs.Bundle("rm@example.org", "https://accounts.example.org", sum[:], time.Now())
			if err != nil {
				b.Fatal(err)
			}
			p := filepath.Join(dir, v, name)
			writeFile(b, p+".sigstore", bundle)
			var sig bytes.Buffer
			if err := openpgp.ArmoredDetachSign(&sig, []*openpgp.Entity{key}, bytes.NewReader(content), nil); err != nil {
				b.Fatal(err)
			}
			writeFile(b, p+".asc", sig.Bytes())
			api = append(api, source.APIRow{URL: "https://www.python.org/ftp/python/" + v + "/" + name, SHA256: hex.EncodeToString(sum[:])})
		}
	}
	apiPath := filepath.Join(dir, "api.json")
	j, _ := json.Marshal(api)
	writeFile(b, apiPath, j)
	return []string{"audit", "--source", dir, "--api", apiPath, "--digest-only", "--policy", policy,
		"--keyring", keyring, "--trusted-root", rootPath, "--jobs", "4", "--format", "json", "3.99"}
}

func writeFile(b *testing.B, p string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAuditDigestOnly3000: a digest-only audit of 3,000 artifacts
// from a local mirror (target: under 5 s on 2 cores; see bench/). A first
// run, not timed, checks that every bundle verifies and every signature is
// identified, so the benchmark times verification, not failures.
func BenchmarkAuditDigestOnly3000(b *testing.B) {
	args := syntheticMirror(b, 3000)
	var out bytes.Buffer
	if code := Main(context.Background(), args, &out, io.Discard); code != ExitOK {
		b.Fatalf("exit %d, want 0 (PGP not checked in digest-only mode is a note)", code)
	}
	var rep report.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		b.Fatal(err)
	}
	if len(rep.Artifacts) != 3000 {
		b.Fatalf("%d artifacts audited", len(rep.Artifacts))
	}
	for _, a := range rep.Artifacts {
		if a.Sigstore.Status != "verified" || a.PGP.Status != report.StatusNotChecked || a.PGP.Signer != "Bench RM" {
			b.Fatalf("%s: Sigstore %s (%s), PGP %s %q", a.Name, a.Sigstore.Status, a.Sigstore.Reason, a.PGP.Status, a.PGP.Signer)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := Main(context.Background(), args, io.Discard, io.Discard); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
}

// realBundleMirror lays out n artifacts over n/4 release directories of 3.13,
// each with the same real python.org bundle (thomas@python.org) and an API entry
// giving the digest that bundle signs: a digest-only audit verifies every
// one of them in full.
func realBundleMirror(b *testing.B, n int) (string, string) {
	dir := b.TempDir()
	bundle, err := os.ReadFile(filepath.Join(realData, "sigstore-bundles", "Python-3.13.5.tar.xz.sigstore"))
	if err != nil {
		b.Fatal(err)
	}
	const digest = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
	kinds := []string{"Python-%s.tgz", "Python-%s.tar.xz", "python-%s-amd64.exe", "python-%s-embed-amd64.zip"}
	var api []source.APIRow
	for i := 0; len(api) < n; i++ {
		v := fmt.Sprintf("3.13.%d", 100+i)
		for _, k := range kinds {
			name := fmt.Sprintf(k, v)
			p := filepath.Join(dir, v, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
			if err := os.WriteFile(p+".sigstore", bundle, 0o644); err != nil {
				b.Fatal(err)
			}
			api = append(api, source.APIRow{URL: "https://www.python.org/ftp/python/" + v + "/" + name, SHA256: digest})
		}
	}
	apiPath := filepath.Join(dir, "api.json")
	j, _ := json.Marshal(api)
	if err := os.WriteFile(apiPath, j, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir, apiPath
}

// BenchmarkAuditDigestOnly3000RealBundles is the same audit with python.org's
// real v0.3 bundle (inclusion proof and signed checkpoint: more to verify
// than the generated v0.1 bundles) behind every artifact.
func BenchmarkAuditDigestOnly3000RealBundles(b *testing.B) {
	dir, api := realBundleMirror(b, 3000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		code := Main(context.Background(), []string{"audit", "--source", dir, "--api", api, "--digest-only", "--fail-on", "none", "--jobs", "4", "--format", "json", "3.13"}, io.Discard, io.Discard)
		if code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
}

// BenchmarkVerifyRealTarball: both methods over the real 22.9 MB tarball.
func BenchmarkVerifyRealTarball(b *testing.B) {
	const tarball = "../../../shared/realdata/artifacts/Python-3.13.5.tar.xz"
	if _, err := os.Stat(tarball); err != nil {
		b.Skip("real tarball not available")
	}
	dir := b.TempDir()
	abs, _ := filepath.Abs(tarball)
	p := filepath.Join(dir, "Python-3.13.5.tar.xz")
	os.Symlink(abs, p)
	for _, s := range []string{".asc", ".sigstore"} {
		src := filepath.Join(realData, "asc", "Python-3.13.5.tar.xz"+s)
		if s == ".sigstore" {
			src = filepath.Join(realData, "sigstore-bundles", "Python-3.13.5.tar.xz"+s)
		}
		data, _ := os.ReadFile(src)
		os.WriteFile(p+s, data, 0o644)
	}
	b.SetBytes(22856016)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := Main(context.Background(), []string{"verify", p}, io.Discard, io.Discard); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
}
