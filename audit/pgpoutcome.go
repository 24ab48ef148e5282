package audit

import (
	"time"

	"github.com/sigaudit/sigaudit/pgp"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/timeline"
)

// pgpOutcome is the PGP method's entry and findings.
type pgpOutcome struct {
	method   report.Method
	findings []report.Finding
}

// pgpOutcome decides the PGP verdict from the .asc, the pass over the
// artifact and the expectation.
func (a *Auditor) pgpOutcome(name string, ex timeline.Expectation, p parsed, h hashed) pgpOutcome {
	o := pgpOutcome{method: report.Method{Status: report.StatusNotExpected, File: p.ascFile}}
	switch p.asc {
	case ascAbsent:
		switch {
		case ex.PGP:
			o.method.Status = report.StatusMissing
			o.findings = append(o.findings, pgpMissing(name, ex.PGPSigner))
		case ex.PGPUnknown:
			o.findings = append(o.findings, pgpRecordUnknown(name, ex.PGPReason))
		}
		return o
	case ascUnreadable:
		o.method.Status, o.method.Reason = string(pgp.Malformed), "cannot read .asc: "+p.ascErr.Error()
		if ioError(p.ascErr) {
			o.method.Status = report.StatusError
		}
	case ascMalformed:
		o.method.Status, o.method.Reason = string(pgp.Malformed), p.ascReason
		o.findings = append(o.findings, pgpMalformed(name, p.ascReason))
	case ascSignature:
		a.pgpSignature(&o, name, ex, p.sig, h)
	case ascUnread:
		// Not read, so no signer details: fingerprint, key ID, hash,
		// creation time and signer stay empty.
		o.method.Status = report.StatusNotChecked
		o.method.Reason = "digest-only mode: the artifact and its .asc were not downloaded"
		o.findings = append(o.findings, pgpNotChecked(true, "PGP signature present, not checked in digest-only mode"))
	}
	if !ex.PGP && !ex.PGPUnknown && p.asc != ascUnreadable {
		o.findings = append(o.findings, pgpNotGuaranteed(ex.PGPReason))
	}
	return o
}

// pgpSignature decides the verdict of a parsed signature.
func (a *Auditor) pgpSignature(o *pgpOutcome, name string, ex timeline.Expectation, sig *pgp.Signature, h hashed) {
	keyring, err := a.Keyring()
	if err != nil {
		o.method.Status, o.method.Reason = report.StatusError, "cannot load keyring: "+err.Error()
		o.findings = append(o.findings, sourceError(report.Mismatch, "cannot check %s.asc: cannot load the PGP keyring: %v", name, err))
		return
	}
	switch {
	case h.check != nil:
		a.pgpVerdict(o, h.check.Verdict(keyring, ex.PGPFingerprints), ex, name)
	case a.DigestOnly:
		id := keyring.Identify(sig)
		o.method.Status = report.StatusNotChecked
		o.method.Fingerprint, o.method.KeyID, o.method.Hash = id.Fingerprint, id.KeyID, id.Hash
		o.method.Created = id.Created.Format(time.RFC3339)
		o.method.Signer = a.signerName(id.Fingerprint)
		o.method.Reason = "digest-only mode: the artifact was not downloaded"
		o.findings = append(o.findings, pgpNotChecked(true, "PGP signature present, not checked in digest-only mode"))
	case h.state == artUnreadable:
		o.method.Status, o.method.Reason = report.StatusError, "the artifact could not be read, so the signature was not verified: "+h.err.Error()
	case h.state == artAbsent:
		o.method.Status, o.method.Reason = report.StatusNotChecked, "the artifact is not published or was refused, so the signature was not verified"
		o.findings = append(o.findings, pgpNotChecked(false, "PGP signature present, not checked: "+name+" is not published or was refused"))
	default:
		o.method.Status, o.method.Reason = report.StatusNotChecked, "the artifact was not read, so the signature was not verified"
		o.findings = append(o.findings, pgpNotChecked(false, "PGP signature present, not checked: "+name+" was not read"))
	}
}

// pgpVerdict turns a verification verdict into the method's entry and
// its finding.
func (a *Auditor) pgpVerdict(o *pgpOutcome, v pgp.Verdict, ex timeline.Expectation, name string) {
	m := &o.method
	m.Status = string(v.Status)
	m.Fingerprint, m.KeyID, m.Hash, m.Reason = v.Fingerprint, v.KeyID, v.Hash, v.Reason
	if !v.Created.IsZero() {
		m.Created = v.Created.Format(time.RFC3339)
	}
	m.Signer = a.signerName(v.Fingerprint)
	if m.Signer == "" {
		m.Signer = v.UserID
	}
	if f, ok := pgpFinding(v, ex, m.Signer, name); ok {
		o.findings = append(o.findings, f)
	}
}
