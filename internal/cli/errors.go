package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sigaudit/sigaudit/audit"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// Every user-facing error of the command line is built here: an *Error
// carries the exit code, the one-line message and the hint printed the age
// way (sigaudit: error: ... / sigaudit: hint: ...).

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

// userErr unwraps an *Error a loader returned.
func userErr(err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return opErr("", "%v", err)
}

// flagErr is a bad flag, a bad flag value or a missing one, as the flag
// parser words it.
func flagErr(cmdPath string, err error) error {
	return usageErr("run '"+cmdPath+" --help' for its flags", "%v", err)
}

func unknownCommandErr(name string, suggestions []string) error {
	hint := "run 'sigaudit --help' for the list of commands"
	if len(suggestions) > 0 {
		hint = "did you mean 'sigaudit " + suggestions[0] + "'? " + hint
	}
	return usageErr(hint, "unknown command %q", name)
}

func noCommandErr() error {
	return usageErr("run 'sigaudit --help' for the list of commands", "no command given")
}

func formatErr(format string, allowed []string) error {
	return usageErr("use --format "+strings.Join(allowed, "|"), "unknown format %q", format)
}

func noReleaseErr(example string) error {
	return usageErr("name releases: e.g. "+example, "no release selected")
}

// versionErr turns a timeline error about a command-line version into a
// usage error with a hint.
func versionErr(err error) error {
	var ul *timeline.UnknownLineError
	if errors.As(err, &ul) {
		return usageErr(ul.Hint(), "%v", err)
	}
	return usageErr("versions look like 3.13.5, 3.14.0rc2 or 3.15.0a8; lines like 3.13", "%v", err)
}

// selectErr words an error from selecting releases in a tree. Selectors
// are validated before the tree is read, so a malformed version never gets
// here.
func selectErr(err error) error {
	var ul *timeline.UnknownLineError
	if errors.As(err, &ul) {
		return versionErr(err)
	}
	if errors.Is(err, audit.ErrNoRelease) {
		return usageErr("list the tree to see which releases it has", "%v", err)
	}
	return opErr("check --source, the network, or --timeout", "%v", err)
}

// readFileErr words a failure to read a file named by a flag.
func readFileErr(flagName string, err error) error {
	if errors.Is(err, source.ErrTooLarge) {
		return usageErr("check the "+flagName+" path", "%s: %v", flagName, err)
	}
	return usageErr("check the "+flagName+" path", "cannot read %s file: %v", flagName, err)
}

// conflictErr: two flags that cannot be given together.
func conflictErr(a, b string) error {
	return usageErr("drop one of them", "%s and %s cannot be combined", a, b)
}

// choiceErr: a flag value outside its fixed set.
func choiceErr(flag, value string, allowed []string) error {
	return usageErr("use "+flag+" "+strings.Join(allowed, "|"), "unknown %s %q", flag, value)
}

// sha256Err: a --sha256 value that is not 64 hex digits.
func sha256Err(value string) error {
	return usageErr("give 64 hex digits", "malformed --sha256 %q", value)
}

// flagFileErr: a file named by a flag that cannot be read or parsed.
func flagFileErr(flag, hint string, err error) error {
	return usageErr(hint, "%s: %v", flag, err)
}

// interruptedErr: a job stopped before it finished (Ctrl-C, SIGTERM, or
// an error of the source).
func interruptedErr(what string, err error) error {
	return opErr("", "%s interrupted: %v", what, err)
}

// oneArtifactErr: flags that describe a single artifact given with several.
func oneArtifactErr(flags string) error {
	return usageErr("verify one artifact at a time with them", "%s take one artifact", flags)
}

// printErr prints err the age way and maps it to an exit code.
func printErr(stderr io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var ce *Error
	if !errors.As(err, &ce) {
		ce = &Error{Code: ExitError, Msg: err.Error()}
	}
	if ce.Msg != "" {
		fmt.Fprintf(stderr, "sigaudit: error: %s\n", report.OneLine(ce.Msg))
	}
	if ce.Hint != "" {
		fmt.Fprintf(stderr, "sigaudit: hint: %s\n", report.OneLine(ce.Hint))
	}
	return ce.Code
}

// Errors of the release tree flags (audit, checksums).

func errBadSourceURL(err error) error {
	return usageErr("use --source https://host/path/ or a directory", "%v", err)
}

func errSourceNotDir(src string) error {
	return usageErr("use --source URL or an existing directory laid out like python.org/ftp/python/", "source %q is not a directory", src)
}

func errOpenSource(err error) error {
	return opErr("", "cannot open source: %v", err)
}

func errAPIFetch(err error) error {
	return opErr("check --api, or drop it", "cannot read the downloads API: %v", err)
}

// errAPIFile words a local --api file that cannot be read (missing, not a
// regular file, too large) or is not a release_file listing.
func errAPIFile(api string, err error) error {
	if errors.Is(err, source.ErrNotFound) || errors.Is(err, source.ErrNotRegular) ||
		errors.Is(err, source.ErrUnreadable) || errors.Is(err, source.ErrTooLarge) {
		return usageErr("check the --api path", "cannot read --api file: %v", err)
	}
	return usageErr("pass a release_file listing from python.org's API", "--api %q: %v", api, err)
}
