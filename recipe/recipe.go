// Package recipe reads the files packagers use to download CPython from
// python.org (Dockerfiles, pyenv definitions, Homebrew formulae, PKGBUILDs,
// conda recipes, ebuilds, Nix expressions, ...), lists what they pin and
// how they verify it, and judges that against PEP 761 and python.org's
// real digests (`sigaudit lint`). It also writes the lines a packager
// pastes for a release (`sigaudit pin`). It prints nothing.
package recipe

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"unicode/utf8"
)

// MaxSize bounds how much of a recipe is read. Real recipes are below
// 100 KB; a bigger file is refused, not truncated.
const MaxSize = 4 << 20

// Format names a kind of recipe.
type Format string

// The formats Detect knows. The names of Pin's output formats (dockerfile,
// pyenv, pkgbuild, brew, nix, conda, gentoo, sha256sum, signing-key) are
// formats Detect reads back.
const (
	Dockerfile         Format = "dockerfile"           // docker-library/python and similar
	DockerTemplate     Format = "dockerfile-template"  // docker-library's jq templates
	DockerVersionsJSON Format = "docker-versions-json" // docker-library's versions.json
	DockerVersionsSh   Format = "docker-versions-sh"   // docker-library's versions.sh generator
	Pyenv              Format = "pyenv"                // pyenv python-build definition
	PyenvScript        Format = "pyenv-script"         // pyenv's python-build program
	Conda              Format = "conda"                // conda-forge meta.yaml
	Brew               Format = "brew"                 // Homebrew formula
	Nix                Format = "nix"                  // nixpkgs python/default.nix
	Gentoo             Format = "gentoo"               // dev-lang/python ebuild
	GentooManifest     Format = "gentoo-manifest"      // Gentoo Manifest
	PKGBUILD           Format = "pkgbuild"             // Arch Linux PKGBUILD
	APKBUILD           Format = "apkbuild"             // Alpine APKBUILD
	FedoraSpec         Format = "fedora-spec"          // RPM spec
	FedoraSources      Format = "fedora-sources"       // dist-git `sources`
	DebianWatch        Format = "debian-watch"         // debian/watch
	Manylinux          Format = "manylinux"            // pypa/manylinux Dockerfile and build-cpython.sh
	Heroku             Format = "heroku"               // heroku-buildpack-python build script
	Standalone         Format = "python-build-standalone"
	Paketo             Format = "paketo"    // paketo buildpack.toml
	Termux             Format = "termux"    // termux build.sh
	SHA256Sum          Format = "sha256sum" // `sha256sum` output
	SigningKey         Format = "signing-key"
	Generic            Format = "generic" // anything else: python.org URLs, checksums, keys found anywhere
)

// Formats lists every format Detect can return.
var Formats = []Format{Dockerfile, DockerTemplate, DockerVersionsJSON, DockerVersionsSh, Pyenv, PyenvScript,
	Conda, Brew, Nix, Gentoo, GentooManifest, PKGBUILD, APKBUILD, FedoraSpec, FedoraSources, DebianWatch,
	Manylinux, Heroku, Standalone, Paketo, Termux, SHA256Sum, SigningKey, Generic}

// Checksum is one checksum a recipe pins for an artifact.
type Checksum struct {
	Algorithm string // sha256, sha512, sha384, blake2b, sha1, md5
	Hex       string // lower-case hex ("" for Ref)
	Written   string // as written (hex, Nix SRI, Nix base32)
	Ref       string // a template reference standing for the value ({{ .checksums.source.sha256 }})
	Line      int
}

// Artifact is one python.org artifact a recipe downloads or pins.
type Artifact struct {
	Version  string `json:"version"`  // "" when the recipe computes it (templates, generators)
	Artifact string `json:"artifact"` // file name, as resolved
	URL      string `json:"url"`      // as resolved; "" when the recipe names only the file
	SHA256   string `json:"sha256"`   // lower-case hex, "" when none
	Line     int    `json:"line"`

	Kind      string     `json:"-"` // source, windows, ... (source.ParseName)
	Checksums []Checksum `json:"-"`
	Size      int64      `json:"-"` // pinned size (Gentoo Manifest, python-build-standalone), 0 if none
}

// Key is a PGP key a recipe pins.
type Key struct {
	Fingerprint string // upper-case 40 hex; "" for a whole keyring
	Keyring     string // a keyring named by path or URL, when not pinned by fingerprint
	Scope       string // release line ("3.13") or version the key is for; "" for every pin
	Line        int
}

// Identity is a Sigstore certificate identity or OIDC issuer a recipe pins.
type Identity struct {
	Value  string
	Issuer bool // an OIDC issuer, not a certificate identity
	Scope  string
	Line   int
}

// Verification is what the recipe does with what it downloads.
type Verification struct {
	PGP          bool // runs gpg --verify / gpgv / %gpgverify / makepkg validpgpkeys / verify-sig
	PGPLine      int
	ASC          bool // downloads python.org's .asc
	ASCLine      int
	Sigstore     bool // runs cosign verify-blob / sigstore verify / sigaudit verify / verify-sig sigstore
	SigstoreLine int
	Keys         []Key
	Identities   []Identity
	// DigestFromBundle: the recipe reads the SHA-256 out of a .sigstore
	// bundle (docker-library's versions.sh).
	DigestFromBundle    int // line, 0 if not
	BundleVerified      bool
	Delegated           string // verification happens in another file (the template, the build script)
	ChecksumElsewhere   string // checksums live in a companion file (Manifest, dist-git sources)
	VerifiesByConstruct bool   // the format always checks its pinned checksum (pyenv, brew, ...)
	ScopedOnlyLines     []string
}

// Finding is one judgement about a recipe line.
type Finding struct {
	Severity string `json:"severity"`
	Code     string `json:"code"`
	Message  string `json:"message"`
	Line     int    `json:"line"`
}

// Recipe is one file as read and judged.
type Recipe struct {
	File     string     `json:"file"` // as given
	Format   Format     `json:"format"`
	Pins     []Artifact `json:"pins"`
	Findings []Finding  `json:"findings"`
	// Error is set when the file could not be read or holds nothing
	// sigaudit can check; such a recipe is never reported clean.
	Error string `json:"error,omitempty"`
	// NothingFound is set (with Error) when the file was read but holds
	// nothing to check (ErrNothingFound): `lint --skip-unpinned` leaves
	// such files out.
	NothingFound bool `json:"-"`

	Verify Verification `json:"-"`
}

// Finding codes of `sigaudit lint` (issue 20).
const (
	CodeChecksumMismatch = "checksum-mismatch"
	CodeChecksumUnproven = "checksum-unproven"
	CodeChecksumWeak     = "checksum-weak"
	CodePGPKeyWrong      = "pgp-key-wrong"
	CodePGPKeyExtra      = "pgp-key-extra"
	CodePGPObsolete      = "pgp-obsolete"
	CodePGPUnverified    = "pgp-unverified"
	CodeSigstoreIdentity = "sigstore-identity-wrong"
	CodeUnverified       = "unverified"
)

// Codes lists lint's finding codes with their severity and description.
var Codes = []struct{ Code, Severity, Description string }{
	{CodeChecksumMismatch, "mismatch", "a pinned SHA-256 differs from python.org's digest for that artifact"},
	{CodeChecksumUnproven, "note", "the pin agrees with what is known, but nothing proves python.org's digest (or the pin is a SHA-512/BLAKE2 that cannot be compared)"},
	{CodeChecksumWeak, "gap", "the artifact is pinned only by MD5 or SHA-1, or by nothing at all"},
	{CodePGPKeyWrong, "mismatch", "the PGP keys do not include the signer PEP 761 names for that version"},
	{CodePGPKeyExtra, "note", "PGP keys beyond the signer PEP 761 names (or a whole keyring)"},
	{CodePGPObsolete, "note", "PGP keys or .asc downloads for a version python.org publishes no PGP signature for"},
	{CodePGPUnverified, "note", "PGP is guaranteed for that version but the recipe does not verify it"},
	{CodeSigstoreIdentity, "mismatch", "a Sigstore identity or OIDC issuer is not the one the timeline expects"},
	{CodeUnverified, "gap", "a python.org download with neither a checksum nor a signature check"},
}

// codeDescription describes a lint finding code.
func codeDescription(code string) string {
	for _, c := range Codes {
		if c.Code == code {
			return c.Description
		}
	}
	return code
}

// ErrNothingFound: the file names no python.org download, checksum, PGP
// key or Sigstore identity.
var errNothingFound = errors.New("nothing to check: no python.org download, checksum, PGP fingerprint or Sigstore identity found")

// ReadFile reads a recipe from disk: regular files only (a FIFO or a
// device is refused before it is opened for reading), at most MaxSize
// bytes, text only.
func ReadFile(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	if fi.Size() > MaxSize {
		return nil, fmt.Errorf("%s: %d bytes, larger than the %d MiB a recipe may have", name, fi.Size(), MaxSize>>20)
	}
	f, err := openRegular(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > MaxSize {
		return nil, fmt.Errorf("%s: larger than the %d MiB a recipe may have", name, MaxSize>>20)
	}
	return b, checkText(b)
}

// checkText refuses binary content: a NUL byte or invalid UTF-8.
func checkText(b []byte) error {
	if len(b) > MaxSize {
		return fmt.Errorf("larger than the %d MiB a recipe may have", MaxSize>>20)
	}
	if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
		return errors.New("binary file (NUL bytes or invalid UTF-8): not a recipe")
	}
	return nil
}

var (
	reInstallPackage = lazyRegexp(`(?m)^\s*install_(?:package|git)\s+"`)
	reVersionName    = lazyRegexp(`^[0-9]+\.[0-9]+(?:\.[0-9]+)?(?:[a-z]+[0-9]*)?(?:-dev)?t?$`)
	reSHA256SumLine  = lazyRegexp(`(?m)^[0-9a-fA-F]{64}[ \t]+\*?\S+[ \t]*$`)
	reDISTLine       = lazyRegexp(`(?m)^DIST\s+\S+\s+[0-9]+\s`)
	reBrewClass      = lazyRegexp(`(?m)^class \w+ < Formula`)
	reBSDSumLine     = lazyRegexp(`(?m)^(?:SHA512|SHA256|MD5|SHA1|BLAKE2b)\s*\([^)]+\)\s*=\s*[0-9a-f]+\s*$`)
)

// detect tells a recipe's format from its file name (the base name is
// enough) and content. Anything unrecognised is Generic.
func detect(name string, content []byte) Format {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	lower := strings.ToLower(base)
	s := string(content)
	has := func(sub string) bool { return strings.Contains(s, sub) }
	switch {
	case strings.HasPrefix(strings.TrimSpace(s), "-----BEGIN PGP PUBLIC KEY BLOCK-----"):
		return SigningKey
	case lower == "build-cpython.sh" || (strings.HasPrefix(lower, "dockerfile") && has("build-cpython.sh")):
		return Manylinux
	case strings.HasSuffix(lower, ".template") && has("{{"):
		return DockerTemplate
	case lower == "dockerfile" || strings.HasPrefix(lower, "dockerfile.") || strings.HasSuffix(lower, ".dockerfile") || strings.HasSuffix(lower, ".containerfile") || lower == "containerfile":
		return Dockerfile
	case lower == "versions.sh" && has("messageDigest"):
		return DockerVersionsSh
	case strings.HasSuffix(lower, ".json") && (has(`"checksums"`) || lower == "versions.json"):
		return DockerVersionsJSON
	case lower == "python-build" || (has("verify_checksum()") && has("install_package()")):
		return PyenvScript
	case reInstallPackage.MatchString(s) || (reVersionName.MatchString(base) && has("BASH_SOURCE")):
		return Pyenv
	case lower == "meta.yaml" || lower == "recipe.yaml" || (strings.Contains(s, "{% set version") && has("source:")):
		return Conda
	case strings.HasSuffix(lower, ".rb") || reBrewClass.MatchString(s):
		return Brew
	case strings.HasSuffix(lower, ".nix") || has("sourceVersion = {"):
		return Nix
	case strings.HasSuffix(lower, ".ebuild"):
		return Gentoo
	case lower == "manifest" || reDISTLine.MatchString(s):
		return GentooManifest
	case lower == "pkgbuild" || (has("pkgver=") && has("validpgpkeys")):
		return PKGBUILD
	case lower == "apkbuild":
		return APKBUILD
	case strings.HasSuffix(lower, ".spec") || has("%gpgverify"):
		return FedoraSpec
	case lower == "sources" && reBSDSumLine.MatchString(s):
		return FedoraSources
	case lower == "watch" || strings.HasPrefix(s, "version=") && has("opts="):
		return DebianWatch
	case lower == "build_python_runtime.sh" || (has("SIGSTORE_IDENTITY") || has("GPG_KEY_FINGERPRINT")) && has("case "):
		return Heroku
	case lower == "downloads.py" && has("DOWNLOADS"):
		return Standalone
	case lower == "buildpack.toml" || has("[[metadata.dependencies]]"):
		return Paketo
	case has("TERMUX_PKG_"):
		return Termux
	case strings.HasSuffix(lower, ".sha256") || lower == "sha256sums" || lower == "sha256sums.txt" || reSHA256SumLine.MatchString(s) && !has("python.org/ftp"):
		return SHA256Sum
	case reBSDSumLine.MatchString(s):
		return FedoraSources
	}
	return Generic
}

// parse reads content as the recipe file (name as given, for messages and
// detection) and lists its pins and verification. It returns
// errNothingFound (wrapped) when the file holds nothing to check.
func parse(name string, content []byte) (*Recipe, error) {
	if err := checkText(content); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := detect(name, content)
	r, err := parseAs(f, name, content)
	if err != nil {
		return r, err
	}
	return r, nil
}

// parseAs reads content as format f.
func parseAs(f Format, name string, content []byte) (*Recipe, error) {
	if err := checkText(content); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	p := newParser(f, name, content)
	p.run()
	r := p.recipe()
	if len(r.Pins) == 0 && len(r.Verify.Keys) == 0 && len(r.Verify.Identities) == 0 && r.Verify.DigestFromBundle == 0 {
		r.Error = errNothingFound.Error()
		return r, fmt.Errorf("%s: %w", name, errNothingFound)
	}
	return r, nil
}
