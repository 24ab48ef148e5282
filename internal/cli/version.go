package cli

import (
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/timeline"
)

// version and commit are set at build time with
// -ldflags "-X github.com/sigaudit/sigaudit/internal/cli.version=v1.2.3
// -X github.com/sigaudit/sigaudit/internal/cli.commit=abc123"; without
// them they come from the module and VCS information Go embeds.
var (
	version = ""
	commit  = ""
)

// VersionInfo is what 'sigaudit version' prints.
type VersionInfo struct {
	Schema    string `json:"schema"`
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	CommitAt  string `json:"commit_time,omitempty"`
	Modified  bool   `json:"modified,omitempty"`
	GoVersion string `json:"go_version"`
	Platform  string `json:"platform"`
	Timeline  struct {
		Revision string `json:"revision"`
		Updated  string `json:"updated,omitempty"`
	} `json:"timeline"`
	TrustedRoot struct {
		SHA256         string `json:"sha256"`
		NewestKeyStart string `json:"newest_key_start,omitempty"`
		Keys           int    `json:"keys"`
	} `json:"trusted_root"`
	Record struct {
		Artifacts         int    `json:"artifacts"`
		Bundles           int    `json:"bundles"`
		NewestSigningTime string `json:"newest_signing_time,omitempty"`
		AgeDays           int    `json:"age_days"`
		SHA256            string `json:"sha256"`
	} `json:"record"`
}

// Version returns sigaudit's version: the -ldflags value, else the module
// version Go recorded (a tag for 'go install ...@v1.2.3'), else "devel".
func Version() string {
	v, _, _, _ := buildVersion()
	return v
}

// Commit returns the VCS revision sigaudit was built from, or "".
func Commit() string {
	_, c, _, _ := buildVersion()
	return c
}

func buildVersion() (ver, rev, at string, modified bool) {
	ver, rev = version, commit
	if bi, ok := debug.ReadBuildInfo(); ok {
		if ver == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			ver = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if rev == "" {
					rev = s.Value
				}
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if ver == "" {
		ver = "devel"
	}
	return ver, rev, at, modified
}

func versionInfo(now time.Time) VersionInfo {
	var v VersionInfo
	v.Schema = "sigaudit/v1"
	v.Version, v.Commit, v.CommitAt, v.Modified = buildVersion()
	v.GoVersion = runtime.Version()
	v.Platform = runtime.GOOS + "/" + runtime.GOARCH
	ti := timeline.EmbeddedInfo()
	v.Timeline.Revision, v.Timeline.Updated = ti.Revision, ti.Updated
	if ri, err := sigstore.EmbeddedRootInfo(); err == nil {
		v.TrustedRoot.SHA256 = ri.SHA256
		v.TrustedRoot.Keys = ri.Keys
		if !ri.NewestStart.IsZero() {
			v.TrustedRoot.NewestKeyStart = ri.NewestStart.UTC().Format(time.RFC3339)
		}
	}
	ri := record.Info()
	v.Record.Artifacts, v.Record.Bundles, v.Record.SHA256 = ri.Artifacts, ri.Bundles, ri.SHA256
	if !ri.NewestSig.IsZero() {
		v.Record.NewestSigningTime = ri.NewestSig.UTC().Format(time.RFC3339)
		v.Record.AgeDays = int(now.Sub(ri.NewestSig).Hours() / 24)
	}
	return v
}

func newVersionCmd(e *env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version [flags]",
		Short: "print sigaudit's version and the age of its embedded data",
		Long: `Prints sigaudit's version and VCS revision, the Go version, the revision of
the embedded release timeline, the SHA-256 and newest key of the embedded
Sigstore trusted root, and how old the embedded record of python.org's
digests is.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return writeVersion(e, format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output `FORMAT`: text or json")
	return cmd
}

func writeVersion(e *env, format string) error {
	if err := checkFormat(format, []string{"text", "json"}); err != nil {
		return err
	}
	v := versionInfo(e.now())
	if format == "json" {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return errInternal(err)
		}
		_, err = e.stdout.Write(append(b, '\n'))
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "sigaudit %s\n", v.Version)
	if v.Commit != "" {
		mod := ""
		if v.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(w, "commit        %s%s %s\n", v.Commit, mod, v.CommitAt)
	}
	fmt.Fprintf(w, "go            %s %s\n", v.GoVersion, v.Platform)
	fmt.Fprintf(w, "timeline      revision %s, updated %s\n", v.Timeline.Revision, orUnknown(v.Timeline.Updated))
	fmt.Fprintf(w, "trusted root  sha256 %s, %d keys, newest from %s\n", v.TrustedRoot.SHA256, v.TrustedRoot.Keys, orUnknown(v.TrustedRoot.NewestKeyStart))
	fmt.Fprintf(w, "record        %d artifacts, %d bundles, newest signature %s (%d days old)\n",
		v.Record.Artifacts, v.Record.Bundles, orUnknown(v.Record.NewestSigningTime), v.Record.AgeDays)
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
