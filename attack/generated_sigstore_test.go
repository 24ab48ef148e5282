package attack

import (
	"crypto"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/cli"
	"github.com/sigaudit/sigaudit/internal/testing/fakesigstore"
)

// A release line signed end to end with generated material (a generated
// Sigstore: CA, CT log, transparency log; a generated PGP key), verified
// through the CLI with --policy, --keyring and --trusted-root: the good
// release verifies, and each attack is caught with its exact finding.
func TestGeneratedSigstoreEndToEnd(t *testing.T) {
	dir := t.TempDir()
	k := makeKeys(t, dir)
	fs, err := fakesigstore.New(time.Now().Add(-time.Hour))
	must(t, err)
	other, err := fakesigstore.New(time.Now().Add(-time.Hour))
	must(t, err)
	rootJSON, err := fs.TrustedRootJSON()
	must(t, err)
	trustedRoot := filepath.Join(dir, "trusted_root.json")
	write(t, trustedRoot, rootJSON)
	// Line 3.95: manager B, Sigstore identity b@example.org at a generated issuer.
	policy := filepath.Join(dir, "gen-policy.yaml")
	write(t, policy, []byte(fmt.Sprintf(`managers: [{id: b, name: Manager B, pgp: [%s]}]
lines:
  - {line: "3.95", manager: b, identity: b@example.org, issuer: https://accounts.example.org,
     first_stable: "2020-01-01", end_of_life: "2099-01", sigstore_from: {source: 3.95.0a1}}
`, fpr(k.rmB))))

	const id, iss = "b@example.org", "https://accounts.example.org"
	for _, c := range []struct {
		name   string
		bundle func(sum []byte) ([]byte, error)
		code   int
		want   []string
	}{
		{"good", func(sum []byte) ([]byte, error) { return fs.Bundle(id, iss, sum, time.Now()) }, cli.ExitOK, nil},
		{"right email, other issuer", func(sum []byte) ([]byte, error) { return fs.Bundle(id, "https://other.example.org", sum, time.Now()) },
			cli.ExitFindings, []string{"mismatch:sigstore-wrong-identity"}},
		{"another identity", func(sum []byte) ([]byte, error) { return fs.Bundle("mallory@example.org", iss, sum, time.Now()) },
			cli.ExitFindings, []string{"mismatch:sigstore-wrong-identity"}},
		{"another Sigstore instance", func(sum []byte) ([]byte, error) { return other.Bundle(id, iss, sum, time.Now()) },
			cli.ExitFindings, []string{"mismatch:sigstore-untrusted"}},
		{"bundle for another artifact", func([]byte) ([]byte, error) {
			s := sha256.Sum256([]byte("another artifact"))
			return fs.Bundle(id, iss, s[:], time.Now())
		}, cli.ExitFindings, []string{"mismatch:digest-mismatch"}},
		{"signed before the trust root's CA existed", func(sum []byte) ([]byte, error) {
			return fs.Bundle(id, iss, sum, time.Now().Add(-48*time.Hour))
		}, cli.ExitFindings, []string{"mismatch:sigstore-untrusted"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := filepath.Join(t.TempDir(), "3.95.0")
			p := filepath.Join(d, "Python-3.95.0.tar.xz")
			content := []byte("artifact 3.95.0 " + c.name)
			write(t, p, content)
			write(t, p+".asc", sign(t, k.rmB, content, crypto.SHA512, t0.Add(time.Hour)))
			sum := sha256.Sum256(content)
			b, err := c.bundle(sum[:])
			must(t, err)
			write(t, p+".sigstore", b)
			args := []string{"verify", "--format", "json", "--policy", policy, "--keyring", k.keyring, "--trusted-root", trustedRoot, p}
			code, out, errOut := run(args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, c.code, out, errOut)
			}
			a := verifyJSON(t, args)
			var got []string
			for _, f := range a.Findings {
				got = append(got, f.Severity+":"+f.Code)
			}
			sort.Strings(got)
			if strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("findings %v, want %v", got, c.want)
			}
			if a.PGP.Status != "verified" {
				t.Errorf("PGP %s (%s)", a.PGP.Status, a.PGP.Reason)
			}
			if (c.want == nil) != (a.Sigstore.Status == "verified") {
				t.Errorf("Sigstore %s (%s)", a.Sigstore.Status, a.Sigstore.Reason)
			}
		})
	}
}
