package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sigaudit/sigaudit/source"
)

// syntheticMirror lays out n artifacts over n/4 release directories of 3.13,
// each with a real python.org bundle (thomas@python.org) and an API entry
// giving the digest that bundle signs: a digest-only audit verifies every
// one of them in full.
func syntheticMirror(b *testing.B, n int) (string, string) {
	dir := b.TempDir()
	bundle, err := os.ReadFile(filepath.Join(realData, "sigstore-bundles", "Python-3.13.5.tar.xz.sigstore"))
	if err != nil {
		b.Fatal(err)
	}
	const digest = "93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640"
	kinds := []string{"Python-%s.tgz", "Python-%s.tar.xz", "python-%s-amd64.exe", "python-%s-embed-amd64.zip"}
	var api []source.APIFile
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
			api = append(api, source.APIFile{URL: "https://www.python.org/ftp/python/" + v + "/" + name, SHA256: digest})
		}
	}
	apiPath := filepath.Join(dir, "api.json")
	j, _ := json.Marshal(api)
	if err := os.WriteFile(apiPath, j, 0o644); err != nil {
		b.Fatal(err)
	}
	return dir, apiPath
}

// BenchmarkAuditDigestOnly3000: a digest-only audit of 3,000 artifacts
// from a local mirror (target: under 5 s on 2 cores; see bench/).
func BenchmarkAuditDigestOnly3000(b *testing.B) {
	dir, api := syntheticMirror(b, 3000)
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
