// Package cli is sigaudit's command line: flag parsing, wiring of the
// timeline, pgp, sigstore, source and report packages, and exit codes. It is
// the only package that writes to stdout and stderr.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/sigaudit/sigaudit/report"
)

// Exit codes. Every subcommand uses the same ones.
const (
	ExitOK       = 0 // clean
	ExitError    = 1 // operational error: could not finish the job
	ExitUsage    = 2 // bad command line or bad input named on it
	ExitFindings = 3 // the job finished and found gaps or mismatches
)

// Error is a user-facing error with an exit code and an optional hint.
type Error struct {
	Code int
	Msg  string
	Hint string
}

func (e *Error) Error() string { return e.Msg }

func usageErr(hint, format string, args ...any) error {
	return &Error{Code: ExitUsage, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

func opErr(hint, format string, args ...any) error {
	return &Error{Code: ExitError, Msg: fmt.Sprintf(format, args...), Hint: hint}
}

// errFindings is returned when a job found what --fail-on asks to fail on.
var errFindings = &Error{Code: ExitFindings}

// env is what a command runs with.
type env struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	// stderrIsTerminal enables progress output.
	stderrIsTerminal bool
}

type command struct {
	name    string
	summary string
	run     func(e *env, args []string) error
}

func commands() []command {
	return []command{
		{"checksums", "print SHA-256 values proven by verified Sigstore bundles", runChecksums},
		{"plan", "the PEP 761 migration plan for the lines a packager ships", runPlan},
		{"policy", "what PEP 761 guarantees for release lines or versions", runPolicy},
		{"audit", "audit every artifact of releases in a python.org-like tree", runAudit},
		{"verify-bundle", "verify any artifact against a Sigstore bundle and an identity or key", runVerifyBundle},
		{"verify", "verify local release files and the signatures beside them", runVerify},
	}
}

const mainUsage = `sigaudit audits CPython release artifacts for the signatures PEP 761 says
they must carry (OpenPGP and Sigstore).

Usage:
  sigaudit <command> [flags] [arguments]

Commands:
%s
Run 'sigaudit <command> --help' for a command's flags.

Exit codes: 0 clean, 3 findings (gaps or mismatches), 2 usage error,
1 operational error.
`

func printMainUsage(w io.Writer) {
	var b strings.Builder
	cmds := commands()
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	for _, c := range cmds {
		fmt.Fprintf(&b, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, b.String())
}

// Main runs sigaudit with args (without the program name) and returns the
// exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdout: stdout, stderr: stderr, stderrIsTerminal: isTerminal(stderr)}
	restore := quietLibraries()
	err := dispatch(e, args)
	restore()
	return exitCode(stderr, err)
}

func dispatch(e *env, args []string) error {
	if len(args) == 0 {
		printMainUsage(e.stderr)
		return usageErr("run 'sigaudit --help' for the list of commands", "no command given")
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		printMainUsage(e.stdout)
		return nil
	case "-version", "--version", "version":
		fmt.Fprintln(e.stdout, "sigaudit", Version())
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(e, args[1:])
		}
	}
	return usageErr("run 'sigaudit --help' for the list of commands", "unknown command %q", args[0])
}

// exitCode prints err the age way and maps it to an exit code.
func exitCode(stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	var ce *Error
	if !errors.As(err, &ce) {
		ce = &Error{Code: ExitError, Msg: err.Error()}
	}
	if ce.Msg != "" {
		fmt.Fprintf(stderr, "sigaudit: error: %s\n", oneLine(ce.Msg))
	}
	if ce.Hint != "" {
		fmt.Fprintf(stderr, "sigaudit: hint: %s\n", oneLine(ce.Hint))
	}
	return ce.Code
}

// oneLine keeps an error on one terminal line (see report.OneLine).
func oneLine(s string) string { return report.OneLine(s) }

// flagSet makes a FlagSet whose --help prints the command's usage to stdout.
func flagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("sigaudit "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "%s\nFlags:\n", strings.TrimSpace(usage))
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
	}
	return fs
}

// parse parses flags that may come before, between or after positional
// arguments, with the standard flag package, and returns the positionals.
// "--" ends flag parsing.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.Usage()
				return nil, flag.ErrHelp
			}
			return nil, usageErr("run '"+fs.Name()+" --help' for its flags", "%v", err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at the first non-flag; "--" was consumed if it was there.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func checkFormat(format string, allowed []string) error {
	for _, f := range allowed {
		if f == format {
			return nil
		}
	}
	return usageErr("use --format "+strings.Join(allowed, "|"), "unknown format %q", format)
}

// Version is set at build time with -ldflags "-X ...cli.version=v1.2.3".
var version = "devel"

// Version returns sigaudit's version.
func Version() string { return version }

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
