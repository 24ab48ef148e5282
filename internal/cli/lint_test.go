package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sigaudit/sigaudit/recipe"
)

const recipeFixtures = "../../recipe/testdata/recipes"

func TestLintFixtures(t *testing.T) {
	code, out, errOut := run(t, "lint", "--format", "json", filepath.Join(recipeFixtures, "Dockerfile.mismatch"), filepath.Join(recipeFixtures, "Dockerfile.wrongkey"))
	if code != ExitFindings || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var res recipe.Result
	must(t, json.Unmarshal([]byte(out), &res))
	if res.Schema != recipe.Schema || len(res.Recipes) != 2 || res.Recipes[0].Findings[0].Code != recipe.CodeChecksumMismatch || res.Recipes[1].Findings[0].Code != recipe.CodePGPKeyWrong {
		t.Errorf("%s", out)
	}
	// --fail-on none: exit 0 with the same findings.
	if code, _, _ := run(t, "lint", "--fail-on", "none", filepath.Join(recipeFixtures, "Dockerfile.mismatch")); code != ExitOK {
		t.Errorf("--fail-on none: exit %d", code)
	}
	code, out, _ = run(t, "lint", "--format", "sarif", filepath.Join(recipeFixtures, "Dockerfile.manylinux"))
	if code != ExitFindings || !strings.Contains(out, `"startLine": 5`) {
		t.Errorf("sarif: exit %d\n%s", code, out)
	}
	validateSARIF(t, []byte(out))
	code, out, _ = run(t, "lint", "--format", "github", filepath.Join(recipeFixtures, "Dockerfile.manylinux"))
	if code != ExitFindings || !strings.Contains(out, "::error file=") {
		t.Errorf("github: exit %d\n%s", code, out)
	}
}

// Bad input: a clear error, exit 1 or 2, and the output is complete.
func TestLintBadInput(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "python.bin")
	must(t, os.WriteFile(bin, []byte("\x7fELF\x00\x00https://www.python.org/ftp/python/3.13.5/Python-3.13.5.tgz"), 0o644))
	huge := filepath.Join(dir, "Dockerfile")
	must(t, os.WriteFile(huge, []byte(strings.Repeat("#\n", recipe.MaxSize)), 0o644))
	for _, c := range []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"lint"}, ExitUsage, "no file given"},
		{[]string{"lint", "--format", "yaml", bin}, ExitUsage, "unknown format"},
		{[]string{"lint", "--fail-on", "bad", bin}, ExitUsage, "--fail-on"},
		{[]string{"lint", "--format", "json", bin}, ExitError, "binary file"},
		{[]string{"lint", "--format", "json", huge}, ExitError, "larger than"},
		{[]string{"lint", "--format", "json", dir}, ExitError, "not a regular file"},
		{[]string{"lint", "--format", "json", filepath.Join(dir, "missing")}, ExitError, "no such file"},
		{[]string{"lint", "--format", "json", filepath.Join(recipeFixtures, "nothing.txt"), filepath.Join(recipeFixtures, "Dockerfile.wrongkey")}, ExitError, "nothing to check"},
	} {
		code, out, errOut := run(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.err) || !strings.HasPrefix(errOut, "sigaudit: error: ") {
			t.Errorf("%v: exit %d, stderr %q", c.args, code, errOut)
		}
		if c.code == ExitError {
			var res recipe.Result
			if err := json.Unmarshal([]byte(out), &res); err != nil || len(res.Recipes) == 0 || res.Recipes[0].Error == "" {
				t.Errorf("%v: output %q (%v)", c.args, out, err)
			}
		}
	}
}

// pin writes from proven material only (a digest-only audit of a local
// tree of real python.org files), and lint judges what it wrote clean.
func TestPinThenLint(t *testing.T) {
	dir, _ := plantedMirror(t)
	api := filepath.Join(dir, "api.json")
	for _, f := range []string{"dockerfile", "pyenv", "pkgbuild", "nix", "conda", "gentoo", "sha256sum"} {
		code, out, errOut := run(t, "pin", "--source", dir, "--api", api, "3.13.0", "--format", f)
		if code != ExitOK || !strings.Contains(out, "086de5882e3cb310d4dca48457522e2e48018ecd43da9cdf827f6a0759efb07d") && f != "nix" && f != "gentoo" {
			t.Fatalf("pin %s: exit %d %s\n%s", f, code, errOut, out)
		}
		name := map[string]string{"dockerfile": "Dockerfile", "pyenv": "3.13.0", "pkgbuild": "PKGBUILD", "nix": "default.nix", "conda": "meta.yaml", "gentoo": "python-3.13.0.ebuild", "sha256sum": "SHA256SUMS"}[f]
		p := filepath.Join(t.TempDir(), name)
		must(t, os.WriteFile(p, []byte(out), 0o644))
		code, lintOut, errOut := run(t, "lint", "--format", "json", "--source", dir, "--api", api, p)
		var res recipe.Result
		must(t, json.Unmarshal([]byte(lintOut), &res))
		for _, fd := range res.Recipes[0].Findings {
			if fd.Code != recipe.CodePGPUnverified {
				t.Errorf("lint of pin %s: %s %s: %s", f, fd.Severity, fd.Code, fd.Message)
			}
		}
		if code != ExitOK {
			t.Errorf("lint of pin %s: exit %d %s", f, code, errOut)
		}
	}
	// The planted mirror's 3.13.0 .tgz carries 3.14.0's bundle: no digest.
	code, out, errOut := run(t, "pin", "--source", dir, "--api", api, "3.13.0", "--format", "brew")
	if code != ExitFindings || out != "" || !strings.Contains(errOut, "not proven") {
		t.Errorf("pin brew of a tampered .tgz: exit %d %q %s", code, out, errOut)
	}
	code, out, _ = run(t, "pin", "--source", dir, "--api", api, "--allow-unproven", "3.13.0", "--format", "brew")
	if code != ExitOK || !strings.Contains(out, "UNPROVEN") {
		t.Errorf("--allow-unproven: exit %d\n%s", code, out)
	}
}

func TestPinUsage(t *testing.T) {
	code, out, _ := run(t, "pin", "3.13.5", "--format", "signing-key")
	if code != ExitOK || !strings.HasPrefix(out, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
		t.Errorf("signing-key 3.13.5: exit %d", code)
	}
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"pin", "3.14.4", "--format", "signing-key"}, "hugo@python.org"},
		{[]string{"pin", "3.13.5"}, "no --format"},
		{[]string{"pin", "3.13.5", "--format", "yaml"}, "unknown format"},
		{[]string{"pin", "3.13", "--format", "dockerfile"}, "malformed version"},
		{[]string{"pin", "3.13.5", "3.13.4", "--format", "dockerfile"}, "exactly one"},
		{[]string{"pin", "3.99.1", "--format", "dockerfile"}, "3.99"},
	} {
		code, out, errOut := run(t, c.args...)
		if code != ExitUsage || out != "" || !strings.Contains(errOut, c.err) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, out, errOut)
		}
	}
}
