package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func runEnv(t *testing.T, env Env) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env.Stdout, env.Stderr = &out, &errb
	code := Run(context.Background(), env)
	return code, out.String(), errb.String()
}

// A usage error prints exactly one error line and one hint on stderr and
// nothing on stdout, whatever the command.
func TestUsageErrorLeavesStdoutEmpty(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"nope"},
		{"policy", "--nope"},
		{"policy", "3.x.1"},
		{"audit"},
		{"audit", "--jobs", "0", "3.13"},
		{"audit", "--jobs", "x", "3.13"},
		{"checksums", "--kind", "wheel", "3.13.5"},
		{"verify"},
		{"verify", "--format", "yaml", "x"},
		{"verify-bundle", "x"},
		{"plan", "--at", "yesterday"},
		{"version", "--format", "xml"},
		{"version", "extra"},
		{"help", "nope"},
	} {
		code, out, errOut := runEnv(t, Env{Args: args})
		if code != ExitUsage {
			t.Errorf("%q: exit %d, want %d (stderr %q)", args, code, ExitUsage, errOut)
		}
		if out != "" {
			t.Errorf("%q: stdout %q, want nothing", args, out)
		}
		lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "sigaudit: error: ") || !strings.HasPrefix(lines[1], "sigaudit: hint: ") {
			t.Errorf("%q: stderr %q, want one error line and one hint", args, errOut)
		}
	}
}

func TestHelpPrintsOnce(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"verify", "--help"}, {"help", "verify"}, {"audit", "-h"}} {
		code, out, errOut := runEnv(t, Env{Args: args})
		if code != ExitOK || errOut != "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, errOut)
		}
		if n := strings.Count(out, "Usage: "); n != 1 {
			t.Errorf("%q: %d usage lines, want 1:\n%s", args, n, out)
		}
	}
}

func TestLongFlags(t *testing.T) {
	root := NewRootCommand(nil, nil)
	got := longFlags(root, []string{"policy", "-format", "json", "-pgp-delayed", "-x", "-format=json", "--", "-format"})
	want := []string{"policy", "--format", "json", "--pgp-delayed", "-x", "--format=json", "--", "-format"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("longFlags = %q, want %q", got, want)
	}
}

// fakeClock advances by step on every reading.
type fakeClock struct {
	t    time.Time
	step time.Duration
}

func (c *fakeClock) now() time.Time { c.t = c.t.Add(c.step); return c.t }

func TestProgressThrottled(t *testing.T) {
	var buf bytes.Buffer
	clk := &fakeClock{t: time.Unix(0, 0), step: 10 * time.Millisecond}
	p := &progress{w: &buf, what: "artifacts", now: clk.now, enabled: true}
	for i := 1; i <= 1000; i++ {
		p.update(i, 1000)
	}
	// 1000 updates over 10 s: at most one line per 100 ms, plus the last.
	if p.updates > 102 || p.updates < 90 {
		t.Errorf("%d lines drawn for 10 s of updates, want about 100", p.updates)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "sigaudit: 1000/1000 artifacts  100/s  in 10s\n") {
		t.Errorf("last line: %q", out[strings.LastIndex(out, "\r"):])
	}
	if strings.Count(out, "\n") != 1 {
		t.Errorf("progress wrote %d newlines, want 1", strings.Count(out, "\n"))
	}

	// Not a terminal: nothing at all.
	buf.Reset()
	q := &progress{w: &buf, what: "artifacts", now: clk.now}
	q.update(1, 2)
	q.update(2, 2)
	if buf.Len() != 0 {
		t.Errorf("progress off a terminal wrote %q", buf.String())
	}
}

func TestProgressLine(t *testing.T) {
	for _, c := range []struct {
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{0, 10, 0, "sigaudit: 0/10 artifacts"},
		{5, 10, 10 * time.Second, "sigaudit: 5/10 artifacts  0.5/s  ETA 10s"},
		{120, 2103, 4 * time.Second, "sigaudit: 120/2103 artifacts  30/s  ETA 1m06s"},
		{1, 10000, time.Second, "sigaudit: 1/10000 artifacts  1.0/s  ETA 2h46m"},
	} {
		if got := progressLine("artifacts", c.done, c.total, c.elapsed); got != c.want {
			t.Errorf("progressLine(%d, %d, %v) = %q, want %q", c.done, c.total, c.elapsed, got, c.want)
		}
	}
}

// Progress is drawn only when stderr is a terminal, as the injected
// IsTerminal says, and never on stdout.
func TestVerifyProgressOnlyOnTerminal(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "Python-3.13.5.tgz"), filepath.Join(dir, "Python-3.12.11.tgz")
	writeTarball(t, a, "Python-3.13.5")
	writeTarball(t, b, "Python-3.12.11")
	args := []string{"verify", "--fail-on", "none", "--format", "json", a, b}
	_, out, errOut := runEnv(t, Env{Args: args})
	if strings.Contains(errOut, "files") {
		t.Errorf("progress without a terminal: %q", errOut)
	}
	var stdout, stderr bytes.Buffer
	code := Run(context.Background(), Env{Args: args, Stdout: &stdout, Stderr: &stderr,
		IsTerminal: func(w io.Writer) bool { return w == &stderr }})
	if code != ExitOK || !strings.HasSuffix(stderr.String(), "\n") || !strings.Contains(stderr.String(), "\rsigaudit: 2/2 files") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if stdout.String() != out {
		t.Errorf("progress changed stdout")
	}
}

func TestCanonicalName(t *testing.T) {
	for _, c := range []struct{ base, v, kind, want string }{
		{"python.tar.xz", "3.13.5", "", "Python-3.13.5.tar.xz"},
		{"python.tgz", "3.15.0a8", "", "Python-3.15.0a8.tgz"},
		{"installer.exe", "3.14.0", "", "python-3.14.0-amd64.exe"},
		{"py.pkg", "3.13.5", "", "python-3.13.5-macos11.pkg"},
		{"embed.zip", "3.13.5", "windows", "python-3.13.5-embed-amd64.zip"},
		{"docs.zip", "3.13.5", "docs", "python-3.13.5-docs-html.zip"},
		{"android.tar.gz", "3.14.0", "android", "python-3.14.0-aarch64-linux-android.tar.gz"},
		{"python.zip", "3.13.5", "", ""},
		{"python.tar.xz", "3.13.5", "windows", ""},
	} {
		got, ok := canonicalName(c.base, c.v, c.kind)
		if !ok {
			got = ""
		}
		if got != c.want {
			t.Errorf("canonicalName(%q, %q, %q) = %q, want %q", c.base, c.v, c.kind, got, c.want)
		}
	}
}

// writeTarball writes a gzip'd tar whose first entry is top/README.
func writeTarball(t *testing.T, path, top string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	body := []byte("hello\n")
	if err := tw.WriteHeader(&tar.Header{Name: top + "/README", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	tw.Write(body)
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A source tarball renamed as another release is caught by its top-level
// directory (issue 16.3), under its own name or through --release.
func TestVerifyTopDir(t *testing.T) {
	dir := t.TempDir()
	renamed := filepath.Join(dir, "Python-3.12.11.tgz")
	writeTarball(t, renamed, "Python-3.13.5")
	right := filepath.Join(dir, "Python-3.13.5.tgz")
	writeTarball(t, right, "Python-3.13.5")
	docker := filepath.Join(dir, "python.tgz")
	writeTarball(t, docker, "Python-3.13.5")
	for _, c := range []struct {
		args []string
		bad  bool
	}{
		{[]string{"verify", "--format", "json", "--fail-on", "none", renamed}, true},
		{[]string{"verify", "--format", "json", "--fail-on", "none", "--release", "3.12.11", docker}, true},
		{[]string{"verify", "--format", "json", "--fail-on", "none", right}, false},
		{[]string{"verify", "--format", "json", "--fail-on", "none", "--release", "3.13.5", docker}, false},
	} {
		code, out, errOut := runEnv(t, Env{Args: c.args})
		if code != ExitOK {
			t.Fatalf("%q: exit %d: %s", c.args, code, errOut)
		}
		if got := strings.Contains(out, `"archive-version-mismatch"`); got != c.bad {
			t.Errorf("%q: archive-version-mismatch %v, want %v\n%s", c.args, got, c.bad, out)
		}
	}
	code, _, _ := runEnv(t, Env{Args: []string{"verify", renamed}})
	if code != ExitFindings {
		t.Errorf("renamed tarball: exit %d, want %d", code, ExitFindings)
	}
}

// Colour and the terminal width only for a terminal, and never with
// NO_COLOR.
func TestLayoutOptions(t *testing.T) {
	rf := &reportFlags{show: "all", wide: true}
	term := &env{stdoutIsTerminal: true, width: 120, getenv: func(string) string { return "" }}
	if o := rf.options(term, true); !o.Color || o.Width != 120 || o.Show != "all" || !o.Wide {
		t.Errorf("terminal: %+v", o)
	}
	noColor := &env{stdoutIsTerminal: true, width: 120, getenv: func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	}}
	if o := rf.options(noColor, true); o.Color {
		t.Errorf("NO_COLOR: %+v", o)
	}
	if o := rf.options(term, false); o.Color || o.Width != 0 {
		t.Errorf("file output: %+v", o)
	}
	if o := layout(&env{getenv: func(string) string { return "" }}, false); o.Color || o.Width != 0 {
		t.Errorf("plan/policy off a terminal: %+v", o)
	}
}

func TestVersionOutput(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) }
	code, out, _ := runEnv(t, Env{Args: []string{"version"}, Now: now})
	if code != ExitOK {
		t.Fatal(code)
	}
	for _, want := range []string{"sigaudit ", "go ", "timeline ", "trusted root  sha256 ", "record "} {
		if !strings.Contains(out, want) {
			t.Errorf("version lacks %q:\n%s", want, out)
		}
	}
	_, out2, _ := runEnv(t, Env{Args: []string{"--version"}, Now: now})
	if out2 != out {
		t.Errorf("--version differs from version:\n%s\n%s", out2, out)
	}
	code, js, _ := runEnv(t, Env{Args: []string{"version", "--format", "json"}, Now: now})
	var v VersionInfo
	if err := json.Unmarshal([]byte(js), &v); err != nil || code != ExitOK {
		t.Fatalf("%v %d %s", err, code, js)
	}
	if v.Schema != "sigaudit/v1" || v.Version == "" || len(v.TrustedRoot.SHA256) != 64 || v.Record.Artifacts == 0 || v.Record.AgeDays <= 0 {
		t.Errorf("version JSON: %+v", v)
	}
}

func FuzzLongFlags(f *testing.F) {
	for _, s := range []string{"policy -format json", "audit --jobs 4 -- -x", "verify -sha256=ab -", "-h", "x -- -policy"} {
		f.Add(s)
	}
	root := NewRootCommand(nil, nil)
	f.Fuzz(func(t *testing.T, line string) {
		args := strings.Split(line, " ")
		got := longFlags(root, args)
		if len(got) != len(args) {
			t.Fatalf("%q -> %q: length changed", args, got)
		}
		dash := false
		for i := range args {
			if dash && got[i] != args[i] {
				t.Fatalf("%q -> %q: changed after --", args, got)
			}
			if got[i] != args[i] && got[i] != "-"+args[i] {
				t.Fatalf("%q -> %q: rewrote %q", args, got, args[i])
			}
			if args[i] == "--" {
				dash = true
			}
		}
	})
}

// trust show --bundle warns when the bundle's log time is not covered by
// the root's keys (issue 16's trust root story).
func TestTrustShowBundleWarning(t *testing.T) {
	bundle := "../../testdata/realdata/sigstore-bundles/Python-3.14.0.tgz.sigstore"
	dir := t.TempDir()
	code, out, errOut := runEnv(t, Env{Args: []string{"trust", "show", "--tuf-cache", dir, "--bundle", bundle}})
	if code != ExitOK || !strings.Contains(out, "covered by the root's keys") {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	// An old root: every transparency log key ended in 2022.
	raw, err := os.ReadFile("../../sigstore/trusted_root.json")
	if err != nil {
		t.Skip(err)
	}
	var tr map[string]any
	if err := json.Unmarshal(raw, &tr); err != nil {
		t.Fatal(err)
	}
	for _, l := range tr["tlogs"].([]any) {
		vf := l.(map[string]any)["publicKey"].(map[string]any)["validFor"].(map[string]any)
		vf["start"], vf["end"] = "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z"
	}
	old, _ := json.Marshal(tr)
	oldPath := filepath.Join(dir, "old.json")
	if err := os.WriteFile(oldPath, old, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = runEnv(t, Env{Args: []string{"trust", "show", "--trusted-root", oldPath, "--bundle", bundle, "--format", "json"}})
	if code != ExitOK || !strings.Contains(out, `"warning": "signed at 2025-10-07T14:16:09Z, when no transparency log key`) {
		t.Errorf("exit %d: %s%s", code, out, errOut)
	}
}
