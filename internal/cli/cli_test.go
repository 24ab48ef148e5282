package cli

import (
	"bytes"
	"context"
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
// IsTerminal says.
func TestVerifyProgressOnlyOnTerminal(t *testing.T) {
	args := []string{"verify", "--fail-on", "none", "../../testdata/realdata/README.md", "../../testdata/realdata/README.md"}
	_, _, errOut := runEnv(t, Env{Args: args})
	if strings.Contains(errOut, "files") {
		t.Errorf("progress without a terminal: %q", errOut)
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
