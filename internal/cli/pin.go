package cli

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sigaudit/sigaudit/recipe"
	"github.com/sigaudit/sigaudit/timeline"
)

const pinLong = `Prints the lines a packager pastes for a release, from proven material
only: the download URL (pre-releases live in the final's directory: 3.15.0a8
in 3.15.0/), the SHA-256 a verified Sigstore bundle binds to the artifact
(audited digest-only in --source, as 'sigaudit checksums' does), and the
verification that fits the line: the PGP key while PEP 761 guarantees PGP,
otherwise the Sigstore identity and issuer with the cosign and sigaudit
verify commands. --format signing-key writes the line manager's armored
public key (Debian's debian/upstream/signing-key.asc). Whatever pin writes,
'sigaudit lint' judges clean.

A digest that cannot be proven is not printed (exit 3) unless
--allow-unproven, which prints it marked UNPROVEN.`

type pinFlags struct {
	af            auditorFlags
	tr            treeFlags
	format        string
	allowUnproven bool
}

func pinFormats() []string {
	var out []string
	for _, f := range recipe.PinFormats {
		out = append(out, string(f))
	}
	return out
}

func newPinCmd(e *env) *cobra.Command {
	var f pinFlags
	cmd := &cobra.Command{
		Use:     "pin [flags] VERSION --format " + strings.Join(pinFormats(), "|"),
		Short:   "print a release's recipe lines: URL, proven SHA-256, verification",
		Long:    pinLong,
		Example: "  sigaudit pin 3.13.5 --format dockerfile\n  sigaudit pin 3.13.5 --format signing-key > debian/upstream/signing-key.asc",
		RunE: func(cmd *cobra.Command, pos []string) error {
			return runPin(e, pos, &f)
		},
	}
	fs := cmd.Flags()
	f.af.register(fs)
	f.tr.register(fs, true)
	fs.StringVar(&f.format, "format", "", "recipe `FORMAT`: "+strings.Join(pinFormats(), ", ")+" (required)")
	fs.BoolVar(&f.allowUnproven, "allow-unproven", false, "print, marked UNPROVEN, a digest nothing proves (instead of exit 3)")
	return cmd
}

func runPin(e *env, pos []string, f *pinFlags) error {
	if len(pos) != 1 {
		return errPinOneVersion(len(pos))
	}
	if f.format == "" {
		return errNoFormat(pinFormats())
	}
	if err := checkFormat(f.format, pinFormats()); err != nil {
		return err
	}
	if _, err := timeline.ParseVersion(pos[0]); err != nil {
		return versionErr(err)
	}
	tl, err := f.af.timeline.load()
	if err != nil {
		return err
	}
	m := recipe.Material{Timeline: tl, Expect: f.af.timeline.options(), AllowUnproven: f.allowUnproven}
	if _, err := tl.ExpectString(pos[0], "source", m.Expect); err != nil {
		return versionErr(err)
	}
	if recipe.Format(f.format) != recipe.SigningKey {
		c, err := liveDigests(e, &f.af, &f.tr, pos, f.allowUnproven)
		if err != nil {
			return err
		}
		d := recipe.ChecksumDigests{Checksums: c}
		if f.allowUnproven {
			d.Fallback = recipe.RecordDigests{} // printed marked UNPROVEN
		}
		m.Digests = d
	}
	out, err := recipe.Pin(pos[0], recipe.Format(f.format), m)
	switch {
	case errors.Is(err, recipe.ErrUnproven):
		return errPinUnproven(pos[0], err)
	case err != nil && recipe.Format(f.format) == recipe.SigningKey:
		return errPinDigestUnproven(pos[0], err)
	case err != nil:
		return errPinSource(err)
	}
	if _, err := e.stdout.Write(out); err != nil {
		return errWriting("", err)
	}
	return nil
}
