package recipe

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// PinFormats are the formats Pin writes.
var PinFormats = []Format{Dockerfile, Pyenv, PKGBUILD, Brew, Nix, Conda, Gentoo, SHA256Sum, SigningKey}

// Material is what Pin writes from.
type Material struct {
	// Digests gives python.org's SHA-256 of each artifact. Pin writes only
	// proven digests (see Proof) unless AllowUnproven is set, in which
	// case the output says the digest is unproven.
	Digests       Digests
	AllowUnproven bool
	Timeline      *timeline.Timeline // nil: timeline.Default()
	Expect        timeline.Options
}

// ErrUnproven: the digest Pin would write is not proven.
var ErrUnproven = errors.New("python.org's digest is not proven")

func sriOf(hexDigest string) (string, error) {
	b, err := hex.DecodeString(hexDigest)
	if err != nil {
		return "", err
	}
	return "sha256-" + base64.StdEncoding.EncodeToString(b), nil
}

// Pin returns the lines a packager pastes into a recipe of format f for
// version: the download URL (right for pre-releases), the checksum, and the
// verification that fits the line: the PGP key while PEP 761 guarantees
// PGP, otherwise the Sigstore identity and issuer with sigaudit's and
// cosign's verify commands. Format signing-key writes the armored public
// key of the line's manager.
func Pin(version string, f Format, m Material) ([]byte, error) {
	pv, err := timeline.ParseVersion(version)
	if err != nil {
		return nil, err
	}
	tl := m.Timeline
	if tl == nil {
		tl = defaultTimeline()
	}
	exp, err := tl.Expect(pv, source.KindSource, m.Expect)
	if err != nil {
		return nil, err
	}
	if f == SigningKey {
		return pinKeys(version, exp)
	}
	write, ok := pinWriters[f]
	if !ok {
		return nil, fmt.Errorf("unknown pin format %q (want one of %s)", f, formatList(PinFormats))
	}
	p := &pinning{version: version, pv: pv, f: f, exp: exp, dir: dirOf(pv)}
	p.base = "https://www.python.org/ftp/python/" + p.dir + "/"
	p.artifact = "Python-" + version + ".tar.xz"
	if f == Brew {
		p.artifact = "Python-" + version + ".tgz"
	}
	if p.digest, p.note, err = m.digest(version, p.artifact); err != nil {
		return nil, err
	}
	p.url = p.base + p.artifact
	p.fps = strings.Join(exp.PGPFingerprints, " ")
	p.usePGP = exp.PGP && len(exp.PGPFingerprints) > 0
	p.header("#")
	if err := write(p); err != nil {
		return nil, err
	}
	return []byte(p.b.String()), nil
}

// pinKeys is the SigningKey format: the line's embedded PGP keys.
func pinKeys(version string, exp timeline.Expectation) ([]byte, error) {
	if !exp.PGP || len(exp.PGPFingerprints) == 0 {
		return nil, fmt.Errorf("%s has no PGP signing key: %s; pin the Sigstore identity %s and issuer %s instead", version, exp.PGPReason, exp.Identity, exp.Issuer)
	}
	var out []byte
	for _, fp := range exp.PGPFingerprints {
		k, err := pgp.EmbeddedKey(fp)
		if err != nil {
			return nil, err
		}
		out = append(out, k...)
	}
	return out, nil
}

// pinning is one pin being written: what every format's writer needs.
type pinning struct {
	version string
	pv      timeline.Version
	f       Format
	exp     timeline.Expectation
	// dir is the release directory, base its URL; artifact, url and
	// digest are the file pinned; note says why the digest is unproven.
	dir, base, artifact, url, digest, note string
	fps                                    string // the PGP fingerprints, space-separated
	usePGP                                 bool
	b                                      strings.Builder
}

// w writes one line.
func (p *pinning) w(format string, args ...any) { fmt.Fprintf(&p.b, format+"\n", args...) }

// header says what wrote the pin and how the file is signed, in comment
// lines starting with c.
func (p *pinning) header(c string) {
	p.w("%s CPython %s from python.org, written by `sigaudit pin %s --format %s`.", c, p.version, p.version, p.f)
	if p.note != "" {
		p.w("%s %s", c, p.note)
	}
	if p.usePGP {
		p.w("%s PGP: %s signs it with key %s (%s).", c, p.exp.PGPSigner, p.fps, p.exp.PGPReason)
	} else {
		p.w("%s No PGP signature (%s); Sigstore identity %s, issuer %s.", c, p.exp.PGPReason, p.exp.Identity, p.exp.Issuer)
	}
}

// cosign is the cosign command that checks the artifact's bundle.
func (p *pinning) cosign() string {
	return fmt.Sprintf("cosign verify-blob --new-bundle-format --bundle %s.sigstore --certificate-identity %s --certificate-oidc-issuer %s %s", p.artifact, p.exp.Identity, p.exp.Issuer, p.artifact)
}

// checked is the check made before pinning: gpg with the line's key, or
// else cosign with its identity.
func (p *pinning) checked() string {
	return orIf(p.usePGP, "gpg --verify "+p.artifact+".asc "+p.artifact+" (key "+p.fps+")", p.cosign())
}

// pinWriters write each format's lines after the header.
var pinWriters = map[Format]func(*pinning) error{
	Dockerfile: pinDockerfile,
	Pyenv: func(p *pinning) error {
		verifyFn := fmt.Sprintf("verify_py%d%d", p.pv.Major, p.pv.Minor)
		p.w("install_package %q %q standard %s copy_python_gdb ensurepip", "Python-"+p.version, p.url+"#"+p.digest, verifyFn)
		p.w("# Checked before pinning: %s", p.checked())
		return nil
	},
	PKGBUILD: pinPKGBUILD,
	Brew: func(p *pinning) error {
		p.w("  url %q", p.url)
		p.w("  sha256 %q", p.digest)
		p.w("  # Checked before pinning: %s", p.checked())
		return nil
	},
	Nix:    pinNix,
	Conda:  pinConda,
	Gentoo: pinGentoo,
	SHA256Sum: func(p *pinning) error {
		p.w("# Verify: %s", orIf(p.usePGP, "gpg --verify "+p.artifact+".asc "+p.artifact+" (key "+p.fps+")", "sigaudit verify --release "+p.version+" "+p.artifact))
		if !p.usePGP {
			p.w("# or: %s", p.cosign())
		}
		p.w("%s  %s", p.digest, p.artifact)
		return nil
	},
}

func pinDockerfile(p *pinning) error {
	if p.usePGP {
		p.w("ENV GPG_KEY %s", p.exp.PGPFingerprints[0])
	}
	p.w("ENV PYTHON_VERSION %s", p.version)
	p.w("ENV PYTHON_SHA256 %s", p.digest)
	p.w("RUN set -eux; \\")
	p.w("\twget -O python.tar.xz %q; \\", p.url)
	p.w("\techo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -; \\")
	if p.usePGP {
		p.w("\twget -O python.tar.xz.asc %q; \\", p.url+".asc")
		p.w("\tGNUPGHOME=\"$(mktemp -d)\"; export GNUPGHOME; \\")
		p.w("\tgpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$GPG_KEY\"; \\")
		p.w("\tgpg --batch --verify python.tar.xz.asc python.tar.xz; \\")
		p.w("\tgpgconf --kill all; \\")
		p.w("\trm -rf \"$GNUPGHOME\" python.tar.xz.asc")
		return nil
	}
	p.w("\twget -O python.tar.xz.sigstore %q; \\", p.url+".sigstore")
	p.w("\tcosign verify-blob --new-bundle-format --bundle python.tar.xz.sigstore --certificate-identity %s --certificate-oidc-issuer %s python.tar.xz; \\", p.exp.Identity, p.exp.Issuer)
	p.w("\trm python.tar.xz.sigstore")
	p.w("# or: sigaudit verify --release %s python.tar.xz", p.version)
	return nil
}

func pinPKGBUILD(p *pinning) error {
	p.w("pkgver=%s", p.version)
	if p.usePGP {
		p.w("source=(%q{,.asc})", p.base+"Python-${pkgver}.tar.xz")
		p.w("sha256sums=('%s'", p.digest)
		p.w("            'SKIP')")
		p.w("validpgpkeys=('%s') # %s", p.exp.PGPFingerprints[0], p.exp.PGPSigner)
		return nil
	}
	p.w("source=(%q{,.sigstore})", p.base+"Python-${pkgver}.tar.xz")
	p.w("sha256sums=('%s'", p.digest)
	p.w("            'SKIP')")
	p.w("makedepends+=(cosign)")
	p.w("verify() {")
	p.w("  cosign verify-blob --new-bundle-format --bundle \"Python-${pkgver}.tar.xz.sigstore\" --certificate-identity %s --certificate-oidc-issuer %s \"Python-${pkgver}.tar.xz\"", p.exp.Identity, p.exp.Issuer)
	p.w("}")
	return nil
}

// preSuffix is the pre-release suffix of v ("rc2"), or "".
func preSuffix(v timeline.Version) string {
	if v.Pre == "" {
		return ""
	}
	return fmt.Sprintf("%s%d", v.Pre, v.PreNum)
}

func pinNix(p *pinning) error {
	sri, err := sriOf(p.digest)
	if err != nil {
		return err
	}
	p.w("python%d%d = {", p.pv.Major, p.pv.Minor)
	p.w("  sourceVersion = {")
	p.w("    major = \"%d\";", p.pv.Major)
	p.w("    minor = \"%d\";", p.pv.Minor)
	p.w("    patch = \"%d\";", p.pv.Patch)
	p.w("    suffix = %q;", preSuffix(p.pv))
	p.w("  };")
	p.w("  hash = %q;", sri)
	p.w("};")
	p.w("# Checked before pinning: %s", p.checked())
	return nil
}

func pinConda(p *pinning) error {
	p.w("{%% set version = %q %%}", p.dir)
	p.w("{%% set dev = %q %%}", preSuffix(p.pv))
	p.w("source:")
	p.w("  - url: https://www.python.org/ftp/python/{{ version }}/Python-{{ version }}{{ dev }}.tar.xz")
	p.w("    sha256: %s", p.digest)
	p.w("    # Checked before pinning: %s", p.checked())
	return nil
}

func pinGentoo(p *pinning) error {
	if !p.usePGP {
		p.w("VERIFY_SIG_METHOD=sigstore")
	}
	p.w("inherit verify-sig")
	p.w("SRC_URI=\"")
	p.w("\t%s", p.url)
	p.w("\tverify-sig? ( %s%s )", p.url, orIf(p.usePGP, ".asc", ".sigstore"))
	p.w("\"")
	if p.usePGP {
		p.w("# Keyring: an openpgp-keys package holding only %s's key %s.", p.exp.PGPSigner, p.fps)
		p.w("VERIFY_SIG_OPENPGP_KEY_FINGERPRINT=%s", p.exp.PGPFingerprints[0])
	} else {
		p.w("VERIFY_SIG_CERT_IDENTITY=%s", p.exp.Identity)
		p.w("VERIFY_SIG_CERT_OIDC_ISSUER=%s", p.exp.Issuer)
	}
	p.w("src_unpack() {")
	p.w("\tverify-sig_verify_detached \"${DISTDIR}\"/%s{,%s}", p.artifact, orIf(p.usePGP, ".asc", ".sigstore"))
	p.w("\tdefault")
	p.w("}")
	p.w("# Manifest (ebuild manifest) records BLAKE2B and SHA512; python.org's SHA-256 of %s is %s.", p.artifact, p.digest)
	return nil
}

func orIf(c bool, a, b string) string {
	if c {
		return a
	}
	return b
}

func formatList(fs []Format) string {
	var s []string
	for _, f := range fs {
		s = append(s, string(f))
	}
	return strings.Join(s, "|")
}

func (m Material) digest(version, artifact string) (string, string, error) {
	if m.Digests == nil {
		return "", "", fmt.Errorf("%s: no digest source", artifact)
	}
	d, proof, ok := m.Digests.Digest(version, artifact)
	if !ok && proof.Source != "" {
		return "", "", fmt.Errorf("%s: %w (%s)", artifact, ErrUnproven, proof.Source)
	}
	if !ok {
		return "", "", fmt.Errorf("%s: sigaudit knows no python.org digest for it", artifact)
	}
	if !proof.Proven {
		if !m.AllowUnproven {
			return "", "", fmt.Errorf("%s: %w (%s)", artifact, ErrUnproven, orDefault(proof.Source, "no proof"))
		}
		return d, "UNPROVEN: the SHA-256 below is as observed (" + orDefault(proof.Source, "no proof") + "), not proven by a verified Sigstore bundle.", nil
	}
	return d, "", nil
}
