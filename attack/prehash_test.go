package attack

import (
	"crypto"
	_ "crypto/sha512" // SHA-384 fixtures
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sigaudit/sigaudit/internal/prehash"
	"github.com/sigaudit/sigaudit/report"
)

// verifyJSON runs args and returns the one artifact of the JSON report.
func verifyJSON(t *testing.T, args []string) report.Artifact {
	t.Helper()
	_, out, errOut := run(args...)
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Artifacts) != 1 {
		t.Fatalf("not one artifact (%v): %s %s", err, out, errOut)
	}
	return rep.Artifacts[0]
}

// The background pass that "sigaudit verify" starts during initialization
// (internal/prehash) is handed to the command only for the very file it
// read. A file replaced or rewritten since is read again, so the verdict
// is about the file as it is when the command looks at it.
func TestPrehashHandOff(t *testing.T) {
	orig := []byte(strings.Repeat("the real release ", 40000)) // 680 kB, three chunks
	tampered := []byte(strings.Repeat("a trojan release ", 40000))
	for _, c := range []struct {
		name string
		hash crypto.Hash
		// change runs after the background pass has finished.
		change func(t *testing.T, p string)
		want   string // PGP status
	}{
		{"unchanged, SHA-512", crypto.SHA512, nil, "verified"},
		{"unchanged, SHA-256 (one state for both methods)", crypto.SHA256, nil, "verified"},
		{"unchanged, SHA-384 (not pre-hashed: read again)", crypto.SHA384, nil, "verified"},
		{"replaced by another file with the same size and time", crypto.SHA512, func(t *testing.T, p string) {
			st, err := os.Stat(p)
			must(t, err)
			other := p + ".new"
			write(t, other, tampered)
			must(t, os.Chtimes(other, st.ModTime(), st.ModTime()))
			must(t, os.Rename(other, p))
		}, "invalid"},
		{"rewritten in place, new size", crypto.SHA512, func(t *testing.T, p string) {
			write(t, p, append(tampered, '!'))
		}, "invalid"},
		{"rewritten in place, same size, new time", crypto.SHA512, func(t *testing.T, p string) {
			write(t, p, tampered)
			later := time.Now().Add(time.Hour)
			must(t, os.Chtimes(p, later, later))
		}, "invalid"},
		// Same inode, size and time: the pass is used, not a second read. The
		// verdict is about the bytes read once, as with any single read.
		{"rewritten in place, same size and time: the pass is used", crypto.SHA512, func(t *testing.T, p string) {
			st, err := os.Stat(p)
			must(t, err)
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			must(t, err)
			_, err = f.WriteAt(tampered, 0)
			must(t, err)
			must(t, f.Close())
			must(t, os.Chtimes(p, st.ModTime(), st.ModTime()))
		}, "verified"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			k := makeKeys(t, dir)
			args := generated(t, dir, "3.99.0", sign(t, k.rmB, orig, c.hash, t0.Add(time.Hour)), k)
			p := args[len(args)-1]
			write(t, p, orig)
			prehash.Start(args[1:])
			t.Cleanup(func() { prehash.Start(nil) })
			prehash.Wait()
			if c.change != nil {
				c.change(t, p)
			}
			a := verifyJSON(t, args)
			if a.PGP.Status != c.want {
				t.Errorf("PGP %s (%s), want %s", a.PGP.Status, a.PGP.Reason, c.want)
			}
			if c.want == "verified" && c.change == nil {
				// Without the pass the same verdict comes from a plain read.
				prehash.Start(nil)
				if b := verifyJSON(t, args); b.PGP.Status != "verified" || b.SHA256 != a.SHA256 {
					t.Errorf("without the pass: %s, %s vs %s", b.PGP.Status, b.SHA256, a.SHA256)
				}
			}
		})
	}
}

// On the real 3.13.5 tarball, both methods verify from the background
// pass, several artifacts queue in order, and the digest is python.org's.
func TestPrehashRealTarball(t *testing.T) {
	if _, err := os.Stat(realTarball); err != nil {
		t.Skipf("needs %s", realTarball)
	}
	dir := t.TempDir()
	args := tarball(t, dir, real(t, "asc/Python-3.13.5.tar.xz.asc"), real(t, "sigstore-bundles/Python-3.13.5.tar.xz.sigstore"))
	p := args[len(args)-1]
	// A second, signed artifact named first: the queue hashes in order.
	k := makeKeys(t, dir)
	small := filepath.Join(dir, "3.99.0", "Python-3.99.0.tar.xz")
	write(t, small, []byte("small"))
	write(t, small+".asc", sign(t, k.rmB, []byte("small"), crypto.SHA512, t0.Add(time.Hour)))
	full := []string{"verify", "--format", "json", "--policy", k.policy, "--keyring", k.keyring, small, p}
	prehash.Start(full[1:])
	t.Cleanup(func() { prehash.Start(nil) })
	_, out, errOut := run(full...)
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Artifacts) != 2 {
		t.Fatalf("%v: %s %s", err, out, errOut)
	}
	for _, a := range rep.Artifacts {
		if a.PGP.Status != "verified" {
			t.Errorf("%s: PGP %s (%s)", a.Name, a.PGP.Status, a.PGP.Reason)
		}
	}
	a := rep.Artifacts[1]
	if a.Sigstore.Status != "verified" || a.SHA256 != sha3135 {
		t.Errorf("3.13.5: Sigstore %s (%s), SHA-256 %s", a.Sigstore.Status, a.Sigstore.Reason, a.SHA256)
	}
}
