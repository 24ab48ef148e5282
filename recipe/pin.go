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
	dir := dirOf(pv)
	base := "https://www.python.org/ftp/python/" + dir + "/"
	xz := "Python-" + version + ".tar.xz"
	if f == SigningKey {
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
	artifact := xz
	if f == Brew {
		artifact = "Python-" + version + ".tgz"
	}
	digest, note, err := m.digest(version, artifact)
	if err != nil {
		return nil, err
	}
	url := base + artifact
	fps := strings.Join(exp.PGPFingerprints, " ")
	usePGP := exp.PGP && len(exp.PGPFingerprints) > 0
	sigaudit := "sigaudit verify --release " + version + " " + artifact
	cosign := fmt.Sprintf("cosign verify-blob --new-bundle-format --bundle %s.sigstore --certificate-identity %s --certificate-oidc-issuer %s %s", artifact, exp.Identity, exp.Issuer, artifact)
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	header := func(c string) {
		w("%s CPython %s from python.org, written by `sigaudit pin %s --format %s`.", c, version, version, f)
		if note != "" {
			w("%s %s", c, note)
		}
		if usePGP {
			w("%s PGP: %s signs it with key %s (%s).", c, exp.PGPSigner, fps, exp.PGPReason)
		} else {
			w("%s No PGP signature (%s); Sigstore identity %s, issuer %s.", c, exp.PGPReason, exp.Identity, exp.Issuer)
		}
	}
	switch f {
	case Dockerfile:
		header("#")
		if usePGP {
			w("ENV GPG_KEY %s", exp.PGPFingerprints[0])
		}
		w("ENV PYTHON_VERSION %s", version)
		w("ENV PYTHON_SHA256 %s", digest)
		w("RUN set -eux; \\")
		w("\twget -O python.tar.xz %q; \\", url)
		w("\techo \"$PYTHON_SHA256 *python.tar.xz\" | sha256sum -c -; \\")
		if usePGP {
			w("\twget -O python.tar.xz.asc %q; \\", url+".asc")
			w("\tGNUPGHOME=\"$(mktemp -d)\"; export GNUPGHOME; \\")
			w("\tgpg --batch --keyserver hkps://keys.openpgp.org --recv-keys \"$GPG_KEY\"; \\")
			w("\tgpg --batch --verify python.tar.xz.asc python.tar.xz; \\")
			w("\tgpgconf --kill all; \\")
			w("\trm -rf \"$GNUPGHOME\" python.tar.xz.asc")
		} else {
			w("\twget -O python.tar.xz.sigstore %q; \\", url+".sigstore")
			w("\tcosign verify-blob --new-bundle-format --bundle python.tar.xz.sigstore --certificate-identity %s --certificate-oidc-issuer %s python.tar.xz; \\", exp.Identity, exp.Issuer)
			w("\trm python.tar.xz.sigstore")
			w("# or: sigaudit verify --release %s python.tar.xz", version)
		}
	case Pyenv:
		header("#")
		verifyFn := fmt.Sprintf("verify_py%d%d", pv.Major, pv.Minor)
		w("install_package %q %q standard %s copy_python_gdb ensurepip", "Python-"+version, url+"#"+digest, verifyFn)
		w("# Checked before pinning: %s", orIf(usePGP, "gpg --verify "+artifact+".asc "+artifact+" (key "+fps+")", cosign))
	case PKGBUILD:
		header("#")
		w("pkgver=%s", version)
		if usePGP {
			w("source=(%q{,.asc})", base+"Python-${pkgver}.tar.xz")
			w("sha256sums=('%s'", digest)
			w("            'SKIP')")
			for i, fp := range exp.PGPFingerprints {
				if i == 0 {
					w("validpgpkeys=('%s') # %s", fp, exp.PGPSigner)
				}
			}
		} else {
			w("source=(%q{,.sigstore})", base+"Python-${pkgver}.tar.xz")
			w("sha256sums=('%s'", digest)
			w("            'SKIP')")
			w("makedepends+=(cosign)")
			w("verify() {")
			w("  cosign verify-blob --new-bundle-format --bundle \"Python-${pkgver}.tar.xz.sigstore\" --certificate-identity %s --certificate-oidc-issuer %s \"Python-${pkgver}.tar.xz\"", exp.Identity, exp.Issuer)
			w("}")
		}
	case Brew:
		header("#")
		w("  url %q", url)
		w("  sha256 %q", digest)
		w("  # Checked before pinning: %s", orIf(usePGP, "gpg --verify "+artifact+".asc "+artifact+" (key "+fps+")", cosign))
	case Nix:
		header("#")
		sri, err := sriOf(digest)
		if err != nil {
			return nil, err
		}
		suffix := ""
		if pv.Pre != "" {
			suffix = fmt.Sprintf("%s%d", pv.Pre, pv.PreNum)
		}
		w("python%d%d = {", pv.Major, pv.Minor)
		w("  sourceVersion = {")
		w("    major = \"%d\";", pv.Major)
		w("    minor = \"%d\";", pv.Minor)
		w("    patch = \"%d\";", pv.Patch)
		w("    suffix = %q;", suffix)
		w("  };")
		w("  hash = %q;", sri)
		w("};")
		w("# Checked before pinning: %s", orIf(usePGP, "gpg --verify "+artifact+".asc "+artifact+" (key "+fps+")", cosign))
	case Conda:
		header("#")
		dev := ""
		if pv.Pre != "" {
			dev = fmt.Sprintf("%s%d", pv.Pre, pv.PreNum)
		}
		w("{%% set version = %q %%}", dir)
		w("{%% set dev = %q %%}", dev)
		w("source:")
		w("  - url: https://www.python.org/ftp/python/{{ version }}/Python-{{ version }}{{ dev }}.tar.xz")
		w("    sha256: %s", digest)
		w("    # Checked before pinning: %s", orIf(usePGP, "gpg --verify "+artifact+".asc "+artifact+" (key "+fps+")", cosign))
	case Gentoo:
		header("#")
		if !usePGP {
			w("VERIFY_SIG_METHOD=sigstore")
		}
		w("inherit verify-sig")
		w("SRC_URI=\"")
		w("\t%s", url)
		if usePGP {
			w("\tverify-sig? ( %s.asc )", url)
		} else {
			w("\tverify-sig? ( %s.sigstore )", url)
		}
		w("\"")
		if usePGP {
			w("# Keyring: an openpgp-keys package holding only %s's key %s.", exp.PGPSigner, fps)
			w("VERIFY_SIG_OPENPGP_KEY_FINGERPRINT=%s", exp.PGPFingerprints[0])
		} else {
			w("VERIFY_SIG_CERT_IDENTITY=%s", exp.Identity)
			w("VERIFY_SIG_CERT_OIDC_ISSUER=%s", exp.Issuer)
		}
		w("src_unpack() {")
		w("\tverify-sig_verify_detached \"${DISTDIR}\"/%s{,%s}", artifact, orIf(usePGP, ".asc", ".sigstore"))
		w("\tdefault")
		w("}")
		w("# Manifest (ebuild manifest) records BLAKE2B and SHA512; python.org's SHA-256 of %s is %s.", artifact, digest)
	case SHA256Sum:
		header("#")
		w("# Verify: %s", orIf(usePGP, "gpg --verify "+artifact+".asc "+artifact+" (key "+fps+")", sigaudit))
		if !usePGP {
			w("# or: %s", cosign)
		}
		w("%s  %s", digest, artifact)
	default:
		return nil, fmt.Errorf("unknown pin format %q (want one of %s)", f, formatList(PinFormats))
	}
	return []byte(b.String()), nil
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
