package audit

import (
	"fmt"
	"strings"
	"time"

	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

// downloadBase is where python.org publishes releases.
const downloadBase = "https://www.python.org/ftp/python/"

// versionVar is the shell variable a plan row for a whole line uses.
const versionVar = "${PYTHON_VERSION}"

// BuildPlan is the migration plan for the lines or versions in args on
// the date when: BuildPolicy's rows with the date PGP can be relied on
// until, and the commands that download and verify a release's source
// tarball and, for each of kinds (windows, macos, ...), an installer of
// that kind with its own signer.
func BuildPlan(tl *timeline.Timeline, args []string, opt timeline.Options, when time.Time, kinds ...string) (*report.Plan, error) {
	if len(args) == 0 {
		for _, l := range tl.Lines() {
			args = append(args, l.Line)
		}
	}
	pol, err := BuildPolicy(tl, args, opt)
	if err != nil {
		return nil, err
	}
	p := &report.Plan{At: when.Format("2006-01-02"), PGPDelayed: opt.PGPDelayed}
	for i, r := range pol.Rows {
		v, line, err := resolve(tl, args[i])
		if err != nil {
			return nil, err
		}
		row := report.PlanRow{
			Line: r.Line, Version: r.Version, Manager: r.Manager, Methods: r.Methods,
			PGPUntil: "never", Identity: r.Sigstore.Identity, Issuer: r.Sigstore.Issuer,
			EndOfLife: r.EndOfLife, PastEndOfLife: when.After(line.EndOfLife.Last()),
			FirstStable: line.FirstStable.String(), Planned: line.Planned,
		}
		if from, ok := line.SigstoreFrom["source"]; ok {
			row.SigstoreFrom = from
		}
		if r.PGP.Expected {
			row.PGPUntil = r.PGP.Until
			row.PGPFingerprints = r.PGP.Fingerprints
		}
		row.Commands = planCommands(r.Version, "Python-"+fileVersion(r.Version)+".tar.xz", r.Sigstore.Expected, r.Sigstore.Identity, r.Sigstore.Issuer, r.PGP.Expected, r.PGP.Fingerprints)
		for _, k := range kinds {
			ex, err := tl.Expect(v, k, opt)
			if err != nil {
				return nil, err
			}
			pk := report.PlanKind{Kind: k, Methods: ex.Methods(), PGPFingerprints: []string{}}
			if ex.PGP {
				pk.PGPSigner, pk.PGPFingerprints = ex.PGPSigner, ex.PGPFingerprints
			}
			if ex.Sigstore {
				pk.Identity, pk.Issuer = ex.Identity, ex.Issuer
			}
			file, ok := kindFileName(k, fileVersion(r.Version))
			if !ok {
				return nil, fmt.Errorf("no installer name for kind %q", k)
			}
			pk.Commands = planCommands(r.Version, file, ex.Sigstore, ex.Identity, ex.Issuer, ex.PGP, ex.PGPFingerprints)
			row.Kinds = append(row.Kinds, pk)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, nil
}

// PlanKinds are the kinds plan --kind accepts.
var PlanKinds = []string{"windows", "macos", "android", "docs"}

// kindFileName is the name of the usual installer of kind for version v
// (which may be the shell variable ${PYTHON_VERSION}).
func kindFileName(kind, v string) (string, bool) {
	switch kind {
	case "source":
		return "Python-" + v + ".tar.xz", true
	case "windows":
		return "python-" + v + "-amd64.exe", true
	case "macos":
		return "python-" + v + "-macos11.pkg", true
	case "android":
		return "python-" + v + "-aarch64-linux-android.tar.gz", true
	case "docs":
		return "python-" + v + "-docs-html.tar.bz2", true
	}
	return "", false
}

func fileVersion(v string) string {
	if v == "" {
		return versionVar
	}
	return v
}

// releaseDir is the directory of python.org's tree a version's files are
// in: X.Y.Z, also for its pre-releases (3.15.0a8 is in 3.15.0/). For the
// shell variable it is the POSIX expansion that strips the pre-release
// suffix, as docker-library/python's Dockerfiles do.
func releaseDir(v string) string {
	if v == "" || v == versionVar {
		return "${PYTHON_VERSION%%[a-z]*}"
	}
	pv, err := timeline.ParseVersion(v)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%d.%d.%d", pv.Major, pv.Minor, pv.Patch)
}

// planCommands are the commands that download file of version (a line's
// row when version is empty) and verify it: sigaudit always; cosign only
// where Sigstore is guaranteed; gpg, in a throwaway GNUPGHOME as
// docker-library does, only while PGP lasts.
func planCommands(version, file string, sigstoreOK bool, identity, issuer string, pgpOK bool, fingerprints []string) report.PlanCommands {
	url := downloadBase + releaseDir(version) + "/" + file
	dl := "curl -fsSL -O " + url
	if sigstoreOK {
		dl += " -O " + url + ".sigstore"
	}
	if pgpOK && len(fingerprints) > 0 {
		dl += " -O " + url + ".asc"
	}
	c := report.PlanCommands{Download: dl, Sigaudit: "sigaudit verify " + file}
	if sigstoreOK && identity != "" {
		c.Cosign = fmt.Sprintf("cosign verify-blob --new-bundle-format --bundle %s.sigstore --certificate-identity %s --certificate-oidc-issuer %s %s",
			file, identity, issuer, file)
	}
	if pgpOK && len(fingerprints) > 0 {
		c.GPG = fmt.Sprintf(`GNUPGHOME="$(mktemp -d)" && export GNUPGHOME && gpg --batch --keyserver hkps://keys.openpgp.org --recv-keys %s && gpg --batch --verify %s.asc %s && gpgconf --kill all && rm -rf "$GNUPGHOME"`,
			strings.Join(fingerprints, " "), file, file)
	}
	return c
}
