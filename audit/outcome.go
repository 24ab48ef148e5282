package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"

	"github.com/sigaudit/sigaudit/internal/fanout"
	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/sigstore"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// ascState is what the .asc turned out to be.
type ascState int

const (
	ascAbsent     ascState = iota
	ascSignature           // parsed: sig is set
	ascMalformed           // not a signature (or too large); reason says why
	ascUnreadable          // exists, could not be read; err says why
	ascUnread              // digest-only: published, deliberately not read
)

// sigstoreState is what the Sigstore material turned out to be.
type sigstoreState int

const (
	sigAbsent     sigstoreState = iota
	sigParsed                   // bundle or legacy is set
	sigBad                      // present, unusable: inspect says why
	sigUnreadable               // exists, could not be read; err says why
)

// parsed is what the signature files hold.
type parsed struct {
	asc       ascState
	ascFile   string
	ascReason string
	ascErr    error
	sig       *pgp.Signature

	sigstore sigstoreState
	sigFile  string // the .sigstore or .crt name, "" when absent
	sigErr   error
	bundle   *sigstore.Bundle
	legacy   *sigstore.Legacy
	// inspect is what reading the material said: the bundle's claims, or
	// why it is malformed or unsupported.
	inspect sigstore.Verdict

	findings []report.Finding // read errors, reported once
}

// parse reads the .asc and the Sigstore material.
func parse(name string, m material) parsed {
	var p parsed
	switch {
	case m.ascSeen:
		p.ascFile, p.asc = name+".asc", ascUnread
	case m.ascErr == nil:
		p.ascFile = name + ".asc"
		if s, err := pgp.ReadSignature(bytes.NewReader(m.asc)); err != nil {
			p.asc, p.ascReason = ascMalformed, err.Error()
		} else {
			p.asc, p.sig = ascSignature, s
		}
	case notFound(m.ascErr):
	case errorsIsTooLarge(m.ascErr):
		p.ascFile, p.asc, p.ascReason = name+".asc", ascMalformed, m.ascErr.Error()
	default:
		p.ascFile, p.asc, p.ascErr = name+".asc", ascUnreadable, m.ascErr
		p.findings = append(p.findings, sourceError(report.Mismatch, "cannot read %s.asc: %v", name, m.ascErr))
	}
	parseSigstore(&p, name, m)
	return p
}

func errorsIsTooLarge(err error) bool { return errors.Is(err, source.ErrTooLarge) }

func parseSigstore(p *parsed, name string, m material) {
	switch {
	case m.bundleEr == nil:
		p.sigFile = name + ".sigstore"
		b, v, err := sigstore.ReadBundle(bytes.NewReader(m.bundle))
		p.inspect, p.bundle, p.sigstore = v, b, sigParsed
		if err != nil {
			p.bundle, p.sigstore = nil, sigBad
		}
	case errorsIsTooLarge(m.bundleEr):
		p.sigFile, p.sigstore = name+".sigstore", sigBad
		p.inspect = sigstore.Verdict{Status: sigstore.Malformed, Reason: m.bundleEr.Error()}
	case !notFound(m.bundleEr):
		p.sigFile, p.sigstore, p.sigErr = name+".sigstore", sigUnreadable, m.bundleEr
		p.findings = append(p.findings, sourceError(report.Mismatch, "cannot read %s.sigstore: %v", name, m.bundleEr))
	case m.legacyEr == nil:
		p.sigFile = name + ".crt"
		l, v, err := sigstore.ReadLegacy(bytes.NewReader(m.crt), bytes.NewReader(m.sig))
		p.inspect, p.legacy, p.sigstore = v, l, sigParsed
		if err != nil {
			p.legacy, p.sigstore = nil, sigBad
		}
	case ioError(m.legacyEr):
		p.sigFile, p.sigstore, p.sigErr = name+".crt", sigUnreadable, m.legacyEr
		p.findings = append(p.findings, sourceError(report.Mismatch, "cannot read %s.crt/.sig: %v", name, m.legacyEr))
	case !notFound(m.legacyEr):
		p.sigstore = sigBad
		p.inspect = sigstore.Verdict{Status: sigstore.Malformed, Legacy: true, Reason: m.legacyEr.Error()}
	}
}

// outsideDigests are the SHA-256 values known from outside the artifact:
// the caller's (API, --sha256), the SBOM, python.org's record.
func outsideDigests(f Files, m material, version string) (map[string]string, []report.Finding) {
	digests := map[string]string{}
	for k, d := range f.Digests {
		digests[k] = d
	}
	var fs []report.Finding
	if m.sbomErr == nil {
		d, err := source.SBOMDigest(m.sbom, f.Name)
		switch {
		case err != nil:
			fs = append(fs, sourceError(report.Note, "cannot use %s.spdx.json: %v", f.Name, err))
		case d != "":
			digests["sbom"] = d
		}
	} else if !notFound(m.sbomErr) {
		fs = append(fs, sourceError(report.Note, "cannot read %s.spdx.json: %v", f.Name, m.sbomErr))
	}
	if d, ok := recordDigest(f.DirVersion, f.Name, version); ok {
		digests["record"] = d
	}
	return digests, fs
}

// warm loads the keyring and trust root while the artifact is hashed, and
// starts the speculative verification of the bundle.
func (a *Auditor) warm(f Files, p parsed, ex timeline.Expectation) *speculation {
	if sig := p.sig; sig != nil {
		// Load the keyring and check the signing key's validity at signing
		// time while the artifact is hashed; errors come later.
		go func() {
			if k, err := a.Keyring(); err == nil {
				k.Warm(sig)
			}
		}()
	}
	if p.sigstore == sigParsed {
		go a.Sigstore() // warm the memoized loader
	}
	if p.bundle != nil && f.Artifact != nil && !a.DigestOnly {
		return a.speculate(p.bundle, ex)
	}
	return nil
}

// artState is what became of reading the artifact.
type artState int

const (
	artSkipped    artState = iota // digest-only, or no artifact to read
	artHashed                     // sum is set
	artAbsent                     // not published, or refused
	artUnreadable                 // exists, could not be read: err
)

// hashed is the one pass over the artifact.
type hashed struct {
	state    artState
	sum      string     // hex SHA-256
	check    *pgp.Check // the PGP check fed by the same pass, if any
	err      error
	findings []report.Finding
	tooLarge bool // longer than the API says: a digest-mismatch
}

// hash reads the artifact once (or uses the pass made before Audit),
// feeding SHA-256 and the PGP check of sig.
func (a *Auditor) hash(ctx context.Context, f Files, sig *pgp.Signature) hashed {
	if f.Artifact == nil || a.DigestOnly {
		return hashed{}
	}
	var pre *Hashed
	var top chan []report.Finding
	if f.Hashed != nil {
		if wantsTopDir(f.Name, f.DirVersion) {
			// A pass made elsewhere may keep no head: the check then reads
			// the start of the file itself, beside the pass, not after it.
			top = make(chan []report.Finding, 1)
			go func() { top <- topDirFromHead(f, nil, false) }()
		}
		pre = f.Hashed()
	}
	if sum, c, ok := pre.usable(sig); ok {
		var fs []report.Finding
		switch {
		case pre.HeadKept:
			fs = topDirFromHead(f, pre.Head, true)
		case top != nil:
			fs = <-top
		}
		return hashed{state: artHashed, sum: hex.EncodeToString(sum), check: c, findings: fs}
	}
	rc, err := f.Artifact()
	switch {
	case err == nil:
	case notFound(err):
		return hashed{state: artAbsent, findings: []report.Finding{sourceError(report.Mismatch, "%s is not published (only its signatures are)", f.Name)}}
	case f.APISize > 0 && errorsIsTooLarge(err):
		return tooLarge(f, err)
	case ioError(err):
		return hashed{state: artUnreadable, err: err, findings: []report.Finding{sourceError(report.Mismatch, "cannot open %s: %v", f.Name, err)}}
	default: // refused (not a regular file, a symlink out of the tree)
		return hashed{state: artAbsent, findings: []report.Finding{sourceError(report.Mismatch, "cannot open %s: %v", f.Name, err)}}
	}
	h := sha256.New()
	ws := []io.Writer{h}
	var check *pgp.Check
	if sig != nil {
		check = pgp.NewCheck(sig)
		ws = append(ws, check)
	}
	var head *headWriter
	if wantsTopDir(f.Name, f.DirVersion) {
		head = &headWriter{} // the top-level directory, from this same pass
		ws = append(ws, head)
	}
	_, err = fanout.Copy(ctx, rc, ws...)
	rc.Close()
	if err != nil && f.APISize > 0 && errorsIsTooLarge(err) {
		return tooLarge(f, err)
	}
	if err != nil { // a read that fails is an I/O error
		return hashed{state: artUnreadable, err: err, findings: []report.Finding{sourceError(report.Mismatch, "reading %s failed: %v", f.Name, err)}}
	}
	out := hashed{state: artHashed, sum: hex.EncodeToString(h.Sum(nil)), check: check}
	if head != nil {
		out.findings = topDirFromHead(f, head.b, true)
	}
	return out
}

// tooLarge is an artifact longer than python.org's API says: the bytes
// served are not the ones the API describes, a digest-mismatch (not an
// operational error). Nothing is verified over them.
func tooLarge(f Files, err error) hashed {
	return hashed{state: artAbsent, tooLarge: true, findings: []report.Finding{digestMismatch(
		"%s is larger than the %d bytes python.org's API gives for it, so it is not the file the API describes: %v", f.Name, f.APISize, err)}}
}
