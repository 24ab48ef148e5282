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
	if errors.As(err, &ul) || errors.Is(err, audit.ErrBadSelector) {
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

// Errors of the commands, one constructor per wording.

func errJobsRange(n int) error {
	return usageErr("use --jobs between 1 and 64", "--jobs %d out of range", n)
}

// errTimeoutNotPositive: a --timeout of zero or less; example is a good one.
func errTimeoutNotPositive(example string) error {
	return usageErr("use e.g. --timeout "+example, "--timeout must be positive")
}

func errArtifactNotSelected(name string) error {
	return usageErr("check the artifact name", "--artifact %q is not in the selected releases", name)
}

// errWriting: output that could not be written; what says what (may be "").
func errWriting(what string, err error) error {
	if what == "" {
		return opErr("", "writing: %v", err)
	}
	return opErr("", "writing %s: %v", what, err)
}

func errNoSubcommand(cmdPath string) error {
	return usageErr("run '"+cmdPath+" --help' for its commands", "%s: no command given", cmdPath)
}

func errCommandArgs(cmdPath string, err error) error {
	return usageErr("run '"+cmdPath+" --help'", "%s: %v", cmdPath, err)
}

func errReadPolicy(err error) error {
	return usageErr("check the --policy path", "cannot read policy file: %v", err)
}

func errBadPolicy(err error) error {
	return usageErr("see the README's 'Policy files' section for the schema", "invalid policy file: %v", err)
}

func errReadKeyring(err error) error {
	return usageErr("check the --keyring path", "cannot read keyring: %v", err)
}

func errBadKeyring(path string, err error) error {
	return usageErr("pass an armored or binary OpenPGP public key file", "--keyring %q: %v", path, err)
}

func errNoUserCacheDir(err error) error {
	return opErr("pass --tuf-cache DIR", "no user cache dir: %v", err)
}

func errRefreshTrust(err error) error {
	return opErr("without a network, drop --refresh-trust to use the embedded root or pass --trusted-root FILE", "%v", err)
}

func errTUFCache(err error) error {
	return opErr("run 'sigaudit trust update' again, or remove the TUF cache", "%v", err)
}

func errSameOutput(flagA, flagB, path string) error {
	return usageErr("give each output its own file", "%s and %s name the same file %q", flagA, flagB, path)
}

func errUnreadArtifacts() error {
	return opErr("see the artifacts with status \"error\"", "some files could not be read: no verdict for them")
}

func errNoRecipe() error {
	return usageErr("name recipe files: e.g. 'sigaudit lint Dockerfile'", "no file given")
}

// errRendering: a renderer failed; what names the output (may be "").
func errRendering(what string, err error) error {
	if what == "" {
		return opErr("", "rendering: %v", err)
	}
	return opErr("", "rendering %s: %v", what, err)
}

func errRecipesUnchecked(failed, total int, first string) error {
	return opErr("lint only recipe files that download CPython from python.org", "%d of %d files could not be checked; first: %s", failed, total, first)
}

func errInterrupted(err error) error {
	return opErr("", "interrupted: %v", err)
}

func errCreateOutput(flag string, err error) error {
	return opErr("check that the directory of "+flag+" exists and is writable", "writing %s: %v", flag, err)
}

func errPinOneVersion(got int) error {
	return usageErr("name one release: e.g. 'sigaudit pin 3.13.5 --format dockerfile'", "want exactly one VERSION, got %d", got)
}

func errNoFormat(allowed []string) error {
	return usageErr("use --format "+strings.Join(allowed, "|"), "no --format given")
}

func errPinDigestUnproven(version string, err error) error {
	return usageErr("pin the Sigstore identity instead: 'sigaudit pin "+version+" --format dockerfile'", "%v", err)
}

func errPinSource(err error) error {
	return opErr("check --source (the release must be there with its .sigstore bundles)", "%v", err)
}

func errBadAt(at string) error {
	return usageErr("use --at YYYY-MM-DD", "bad --at %q", at)
}

func errReadFrom(err error) error {
	return usageErr("check the --from path", "cannot read --from file: %v", err)
}

func errBadFrom(err error) error {
	return usageErr("see 'sigaudit plan --help' for the accepted shapes", "%v", err)
}

func errBadBundleFile(path string, err error) error {
	return usageErr("pass a Sigstore bundle", "--bundle %q: %v", path, err)
}

func errTUFRootNeedsURL() error {
	return usageErr("pass the mirror's --tuf-url too", "--tuf-root needs --tuf-url")
}

func errTrustUpdate(err error) error {
	return opErr("check --tuf-url and the network; the previous trust root is kept", "%v", err)
}

func errNoOutputFile() error {
	return usageErr("pass -o FILE", "no output file given")
}

func errExportTrust(err error) error {
	return opErr("", "exporting the trust root: %v", err)
}

func errNoArgs(cmdPath, got string) error {
	return usageErr("run '"+cmdPath+" --help'", "%s takes no arguments, got %q", cmdPath, got)
}

func errTrustState(err error) error {
	return usageErr("check --trusted-root, or run 'sigaudit trust update' again", "%v", err)
}

// errInternal: an error with nothing to add (encoding our own output).
func errInternal(err error) error {
	return opErr("", "%v", err)
}

func errNoArtifact() error {
	return usageErr("run 'sigaudit verify --help'", "no artifact given")
}

func errBadArtifactPath(path string) error {
	return usageErr("name a file", "bad artifact path %q", path)
}

func errUnknownArtifactName(base string) error {
	return usageErr("say what it is with --release VERSION (and --kind KIND), e.g. 'sigaudit verify --release 3.13.5 "+base+"'",
		"%q is not named like a python.org artifact, so sigaudit cannot tell what it must be signed by", base)
}

func errKindMismatch(base, own, kind string) error {
	return usageErr("drop --kind, or check the file", "%q is a %s artifact, not %s", base, own, kind)
}

func errReleaseMismatch(base, kind, version, release string) error {
	return usageErr("drop --release and --kind, or check the file", "%q is named as %s %s, not as --release %s", base, kind, version, release)
}

func errUnknownArtifactKind(kind, base string) error {
	return usageErr("pass --kind source|windows|macos|android|docs with an extension that kind uses",
		"cannot tell which %s artifact %q is", kind, base)
}

func errArtifactIsDir(path string) error {
	return usageErr("name the artifact file", "%q is a directory", path)
}

func errArtifactNotRegular(path string) error {
	return usageErr("name a regular file", "%q is not a regular file", path)
}

func errArtifactMissing(path string) error {
	return usageErr("check the path, or pass --sha256 HEX to verify Sigstore from a digest", "artifact %q does not exist", path)
}

func errReadArtifact(err error) error {
	return opErr("", "cannot read artifact: %v", err)
}

func errFlagsDisagree(flagA, valueA, flagB, valueB string) error {
	return usageErr("give it once", "--%s %q and --%s %q disagree", flagA, valueA, flagB, valueB)
}

func errNoBundle() error {
	return usageErr("pass --bundle FILE", "no bundle given")
}

func errBadRegexp(re string, err error) error {
	return usageErr("use Go regular expression syntax", "bad regexp %q: %v", re, err)
}

func errKeyOrIdentity() error {
	return usageErr("pass either --identity SAN --issuer URL, or --key PEM", "give exactly one of --key or --identity/--issuer")
}

func errIdentityIssuer() error {
	return usageErr("pass both --identity and --issuer", "--identity and --issuer go together")
}

func errArtifactOrDigest() error {
	return usageErr("pass one ARTIFACT file or --sha256 HEX", "give exactly one artifact or --sha256")
}

func errReadKey(err error) error {
	return usageErr("check the --key path", "cannot read key: %v", err)
}

func errBadKey(path string, err error) error {
	return usageErr("pass a PEM public key", "--key %q: %v", path, err)
}

func errArtifactPath(err error) error {
	return usageErr("check the artifact path", "cannot read artifact: %v", err)
}

func errReadBundle(err error) error {
	return opErr("", "cannot read bundle: %v", err)
}

func errBundlePath(err error) error {
	return usageErr("check the --bundle path", "cannot read bundle: %v", err)
}

// errPinUnproven: pin found a digest it cannot prove (exit 3, findings).
func errPinUnproven(version string, err error) error {
	return &Error{Code: ExitFindings, Msg: err.Error(), Hint: "'sigaudit checksums " + version + " --format json' says which condition failed; --allow-unproven prints it marked UNPROVEN"}
}
