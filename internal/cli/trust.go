package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
)

const trustLong = `Manages the Sigstore trust root (trusted_root.json) that bundles are
verified against: the public-good root compiled into sigaudit, a newer one
fetched through TUF by 'trust update' (kept in the TUF cache and used from
then on), or a file given with --trusted-root.

  sigaudit trust show                      which root is in use, its keys
  sigaudit trust update                    fetch the current root through TUF
  sigaudit trust export -o trusted_root.json
                                           for air-gapped machines, which then
                                           run with --trusted-root`

func newTrustCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trust COMMAND",
		Short: "show, update (TUF) or export the Sigstore trust root",
		Long:  trustLong,
	}
	cmd.AddCommand(newTrustShowCmd(e), newTrustUpdateCmd(e), newTrustExportCmd(e))
	return cmd
}

// trustCache is the TUF cache directory: --tuf-cache, or the user's.
func trustCache(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	d, err := sigstore.DefaultCacheDir()
	if err != nil {
		return "", errNoUserCacheDir(err)
	}
	return d, nil
}

func newTrustShowCmd(e *env) *cobra.Command {
	var trustedRoot, cache, format, bundlePath string
	cmd := &cobra.Command{
		Use:   "show [flags]",
		Short: "which trust root is in use: origin, SHA-256, age, and each key's validity window",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, []string{"table", "json"}); err != nil {
				return err
			}
			dir, err := trustCache(cache)
			if err != nil {
				return err
			}
			st, _, err := sigstore.CurrentTrust(dir, trustedRoot)
			if err != nil {
				return trustErr(err)
			}
			var bc *bundleCheck
			if bundlePath != "" {
				raw, err := readLocal(bundlePath, sigstore.MaxBundleSize)
				if err != nil {
					return readFileErr("--bundle", err)
				}
				b, _, err := sigstore.ReadBundle(bytes.NewReader(raw))
				if err != nil {
					return errBadBundleFile(bundlePath, err)
				}
				v := b.Inspect()
				bc = &bundleCheck{File: bundlePath, Warning: st.SigningTimeWarning(v.LogTime)}
				if !v.LogTime.IsZero() {
					bc.LogTime = v.LogTime.UTC().Format(time.RFC3339)
				}
			}
			return writeTrustState(e, format, st, bc)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&trustedRoot, "trusted-root", "", "describe this trusted_root.json `FILE` instead of the root in use")
	fs.StringVar(&cache, "tuf-cache", "", "TUF cache `DIR` (default: the user cache dir)")
	fs.StringVar(&format, "format", "table", "output `FORMAT`: table or json")
	fs.StringVar(&bundlePath, "bundle", "", "also say whether this bundle's log time is covered by the root's keys (`FILE`)")
	return cmd
}

// bundleCheck is trust show --bundle: whether the root can verify a
// bundle signed when its log entry says.
type bundleCheck struct {
	File    string `json:"file"`
	LogTime string `json:"log_time,omitempty"`
	Warning string `json:"warning,omitempty"`
}

func newTrustUpdateCmd(e *env) *cobra.Command {
	var cache, tufURL, tufRoot, format string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "update [flags]",
		Short: "fetch the current trust root through TUF (public-good, or a mirror with --tuf-url --tuf-root)",
		Long: `Fetches trusted_root.json through TUF, from Sigstore's public-good
repository or from a mirror (--tuf-url URL --tuf-root root.json, as
'cosign initialize --mirror --root' does), with TUF's protections against
rollback, freeze, mix-and-match and tampered targets, and installs it in
the TUF cache, from which every command then reads it. On any failure the
previous root stays in use (exit 1).`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, []string{"table", "json"}); err != nil {
				return err
			}
			if timeout <= 0 {
				return errTimeoutNotPositive("60s")
			}
			if tufRoot != "" && tufURL == "" {
				return errTUFRootNeedsURL()
			}
			dir, err := trustCache(cache)
			if err != nil {
				return err
			}
			o := sigstore.TrustOptions{CacheDir: dir, MirrorURL: tufURL, HTTPClient: &http.Client{Timeout: timeout}, Now: e.now}
			if tufRoot != "" {
				b, err := readLocal(tufRoot, sigstore.MaxBundleSize)
				if err != nil {
					return readFileErr("--tuf-root", err)
				}
				o.InitialRoot = b
			}
			st, err := sigstore.UpdateTrust(e.ctx, o)
			if err != nil {
				return errTrustUpdate(err)
			}
			return writeTrustState(e, format, st, nil)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&cache, "tuf-cache", "", "TUF cache `DIR` to update (default: the user cache dir)")
	fs.StringVar(&tufURL, "tuf-url", "", "TUF repository `URL` of a mirror (default: https://tuf-repo-cdn.sigstore.dev)")
	fs.StringVar(&tufRoot, "tuf-root", "", "the mirror's initial TUF root.json `FILE` (trusted on first use)")
	fs.DurationVar(&timeout, "timeout", 60*time.Second, "HTTP `DURATION` for each request")
	fs.StringVar(&format, "format", "table", "output `FORMAT`: table or json")
	return cmd
}

func newTrustExportCmd(e *env) *cobra.Command {
	var cache, trustedRoot, out string
	cmd := &cobra.Command{
		Use:     "export -o FILE",
		Short:   "write the trust root in use to FILE, for machines that then run with --trusted-root",
		Args:    noArgs,
		Example: "  sigaudit trust export -o trusted_root.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errNoOutputFile()
			}
			dir, err := trustCache(cache)
			if err != nil {
				return err
			}
			st, err := sigstore.ExportTrust(dir, trustedRoot, out)
			if err != nil {
				return errExportTrust(err)
			}
			fmt.Fprintf(e.stdout, "wrote %s: %s trust root, sha256 %s\n", report.OneLine(out), st.Origin, st.Info.SHA256)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&out, "output", "o", "", "write to `FILE` (atomically)")
	fs.StringVar(&cache, "tuf-cache", "", "TUF cache `DIR` (default: the user cache dir)")
	fs.StringVar(&trustedRoot, "trusted-root", "", "export this trusted_root.json `FILE` (after checking it) instead")
	return cmd
}

// noArgs refuses positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return errNoArgs(cmd.CommandPath(), args[0])
	}
	return nil
}

func trustErr(err error) error {
	return errTrustState(err)
}

func writeTrustState(e *env, format string, st sigstore.TrustState, bc *bundleCheck) error {
	if format == "json" {
		b, err := json.MarshalIndent(struct {
			Schema string `json:"schema"`
			sigstore.TrustState
			Bundle *bundleCheck `json:"bundle,omitempty"`
		}{report.Schema, st, bc}, "", "  ")
		if err != nil {
			return errInternal(err)
		}
		_, err = e.stdout.Write(append(b, '\n'))
		return err
	}
	w := e.stdout
	now := e.now()
	fmt.Fprintf(w, "trust root    %s", st.Origin)
	if st.Path != "" {
		fmt.Fprintf(w, " (%s)", report.OneLine(st.Path))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "sha256        %s\n", st.Info.SHA256)
	if st.Repository != "" {
		fmt.Fprintf(w, "repository    %s (TUF root v%d)\n", report.OneLine(st.Repository), st.TUFRootVersion)
	}
	if !st.AsOf.IsZero() {
		fmt.Fprintf(w, "current as of %s (%d days ago)\n", st.AsOf.UTC().Format(time.RFC3339), int(st.Age(now).Hours()/24))
	}
	if !st.Info.NewestStart.IsZero() {
		fmt.Fprintf(w, "newest key    %s\n", st.Info.NewestStart.UTC().Format("2006-01-02"))
	}
	if st.Note != "" {
		fmt.Fprintf(w, "note          %s\n", report.OneLine(st.Note))
	}
	fmt.Fprintf(w, "\n%-8s %-10s %-10s %s\n", "Kind", "From", "Until", "URI")
	for _, k := range st.Info.Windows {
		until := "-"
		if !k.End.IsZero() {
			until = k.End.UTC().Format("2006-01-02")
		}
		fmt.Fprintf(w, "%-8s %-10s %-10s %s\n", k.Kind, k.Start.UTC().Format("2006-01-02"), until, report.OneLine(k.URI))
	}
	if bc != nil {
		fmt.Fprintf(w, "\nbundle        %s, log time %s\n", report.OneLine(bc.File), orUnknown(bc.LogTime))
		if bc.Warning != "" {
			fmt.Fprintf(w, "warning       %s\n", report.OneLine(bc.Warning))
		} else {
			fmt.Fprintln(w, "              covered by the root's keys")
		}
	}
	return nil
}
