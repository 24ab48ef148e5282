// Package cli is sigaudit's command line: commands and flags (spf13/cobra),
// wiring of the timeline, pgp, sigstore, source and report packages, and
// exit codes. It is the only package that writes to stdout and stderr, and
// it writes only to the writers its Env gives it.
package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/sigaudit/sigaudit/internal/prehash"
)

// Env is everything a run of sigaudit depends on outside its arguments'
// files: cmd/sigaudit fills it from the process, tests inject their own.
type Env struct {
	// Args are the command-line arguments without the program name.
	Args   []string
	Stdout io.Writer
	Stderr io.Writer
	// Prehashed returns the background hash pass started for path before
	// the command ran (internal/prehash), or nil. Optional.
	Prehashed func(path string) *prehash.Result
	// IsTerminal says whether w is a terminal: progress and colour are
	// only for terminals. Optional (default: never a terminal).
	IsTerminal func(w io.Writer) bool
	// Getenv reads an environment variable (NO_COLOR,
	// GITHUB_STEP_SUMMARY). Optional (default: every variable unset).
	Getenv func(string) string
	// Now is the clock (progress rates, plan dates). Optional.
	Now func() time.Time
}

// env is what a command runs with.
type env struct {
	ctx              context.Context
	stdout, stderr   io.Writer
	stdoutIsTerminal bool
	stderrIsTerminal bool
	width            int // of the terminal stdout is, or 0
	getenv           func(string) string
	now              func() time.Time
	prehashed        func(string) *prehash.Result
}

// Run runs sigaudit as env describes and returns the exit code.
func Run(ctx context.Context, cfg Env) int {
	e := &env{
		ctx: ctx, stdout: cfg.Stdout, stderr: cfg.Stderr,
		getenv: cfg.Getenv, now: cfg.Now, prehashed: cfg.Prehashed,
	}
	if e.getenv == nil {
		e.getenv = func(string) string { return "" }
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.prehashed == nil {
		e.prehashed = func(string) *prehash.Result { return nil }
	}
	if cfg.IsTerminal != nil {
		e.stdoutIsTerminal = cfg.IsTerminal(cfg.Stdout)
		e.stderrIsTerminal = cfg.IsTerminal(cfg.Stderr)
	}
	if e.stdoutIsTerminal {
		e.width = terminalWidth(cfg.Stdout, e.getenv)
	}
	root := newRoot(e)
	root.SetArgs(longFlags(root, cfg.Args))
	err := root.ExecuteContext(ctx)
	return printErr(e.stderr, err)
}

// Main runs sigaudit with args (without the program name) and returns the
// exit code, with the process's pre-hash lookup and terminal detection. It
// is Run for callers that have only writers (tests, in-process attacks).
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return Run(ctx, Env{
		Args: args, Stdout: stdout, Stderr: stderr,
		Prehashed: prehash.Take, IsTerminal: IsTerminal, Getenv: os.Getenv,
	})
}

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is the width of the terminal w is, or $COLUMNS, or 0.
func terminalWidth(w io.Writer, getenv func(string) string) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	return 0
}

const rootLong = `sigaudit audits CPython release artifacts for the signatures PEP 761 says
they must carry (OpenPGP and Sigstore).

Exit codes: 0 clean, 3 findings (gaps or mismatches), 2 usage error,
1 operational error.`

// The help text: the description, one usage line, the flags with their
// --names. Usage is printed only on request (--help, help COMMAND).
const helpTemplate = `{{with (or .Long .Short)}}{{. | trimTrailingWhitespaces}}

{{end}}Usage: {{if .HasAvailableSubCommands}}{{.CommandPath}} COMMAND [flags] [arguments]{{else}}{{.UseLine}}{{end}}
{{- if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{.LocalFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableInheritedFlags}}

Global flags:
{{.InheritedFlags.FlagUsages | trimTrailingWhitespaces}}{{end}}{{if .HasAvailableSubCommands}}

Run '{{.CommandPath}} COMMAND --help' for a command's flags.{{end}}
`

// NewRootCommand returns sigaudit's command tree, writing to stdout and
// stderr; cmd/sigaudit-gendocs renders its man pages from it.
func NewRootCommand(stdout, stderr io.Writer) *cobra.Command {
	return newRoot(&env{ctx: context.Background(), stdout: stdout, stderr: stderr,
		getenv: func(string) string { return "" }, now: time.Now,
		prehashed: func(string) *prehash.Result { return nil }})
}

func newRoot(e *env) *cobra.Command {
	var showVersion bool
	root := &cobra.Command{
		Use:           "sigaudit",
		Short:         "audit CPython release artifacts for PEP 761 signatures",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,

		SuggestionsMinimumDistance: 2,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommandErr(args[0], cmd.SuggestionsFor(args[0]))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if showVersion {
				return writeVersion(e, "text")
			}
			return noCommandErr()
		},
	}
	root.Flags().BoolVar(&showVersion, "version", false, "print sigaudit's version and the age of its embedded data")
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return flagErr(c.CommandPath(), err)
	})
	root.SetHelpTemplate(helpTemplate)
	root.SetUsageTemplate(helpTemplate)
	root.SetHelpCommand(newHelpCmd(root))
	root.AddCommand(
		newAuditCmd(e),
		newChecksumsCmd(e),
		newLintCmd(e),
		newPinCmd(e),
		newPlanCmd(e),
		newPolicyCmd(e),
		newVerifyBundleCmd(e),
		newVerifyCmd(e),
		newVersionCmd(e),
		newTrustCmd(e),
	)
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Short = "print a shell completion script (bash, zsh, fish, powershell)"
		}
	}
	// The same --help line in every command, whether its help is asked
	// with --help or with 'sigaudit help COMMAND'.
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.Args = usageArgs(c.Args)
		if c.HasSubCommands() && c.RunE == nil && c.Run == nil {
			// A command group named alone (sigaudit trust) is a usage
			// error, not a help page with exit 0.
			c.RunE = func(c *cobra.Command, args []string) error {
				return errNoSubcommand(c.CommandPath())
			}
		}
		c.InitDefaultHelpFlag()
		c.Flags().Lookup("help").Usage = "print this help"
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	return root
}

// usageArgs makes every argument-count error of cobra's validators a usage
// error, and an unknown subcommand of a command group (sigaudit completion
// nope) too.
func usageArgs(orig cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if orig == nil {
			if c.HasSubCommands() && len(args) > 0 {
				return unknownCommandErr(c.CommandPath()+" "+args[0], c.SuggestionsFor(args[0]))
			}
			return nil
		}
		err := orig(c, args)
		var ce *Error
		if err != nil && !errors.As(err, &ce) {
			return errCommandArgs(c.CommandPath(), err)
		}
		return err
	}
}

// newHelpCmd is "sigaudit help [COMMAND]": the command's help on stdout,
// or a usage error for an unknown command.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "help about any command",
		Long:  "Prints the help of COMMAND, or of sigaudit.",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				name := strings.Join(args, " ")
				return unknownCommandErr(name, root.SuggestionsFor(args[0]))
			}
			return cmd.Help()
		},
	}
}

// longFlags accepts the single-dash spelling of long flags (-format json)
// that sigaudit's earlier standard-library parser took, by rewriting it to
// --format before cobra sees it. Only names of registered long flags are
// rewritten, and nothing after "--".
func longFlags(root *cobra.Command, args []string) []string {
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		c.Flags().VisitAll(func(f *pflag.Flag) { names[f.Name] = true })
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	names["help"] = true
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) > 2 && a[0] == '-' && a[1] != '-' {
			name, _, _ := strings.Cut(a[1:], "=")
			if len(name) > 1 && names[name] {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}
