package sigstore

import (
	"errors"
	"strings"

	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/verify"
)

// verifySteps are the errors verify.(*Verifier).Verify returns in
// sigstore-go v1.3.0 (pkg/verify/signed_entity.go), in the order it runs
// its steps. Each step wraps its cause with a fixed prefix ("...: %w") or
// returns a fixed message; classify matches these exactly, at the start of
// the message, never anywhere inside it (a cause's own text, such as a
// transparency log entry whose digest "does not match artifact", says
// nothing about the step that failed).
var verifySteps = []struct {
	prefix string
	status Status
}{
	{"failed to build policy: ", Invalid},
	{"failed to verify log inclusion: ", Untrusted},
	{"failed to verify timestamps: ", Untrusted},
	{"failed to fetch verification content: ", Malformed},
	{"expected key signature, not certificate", WrongIdentity},
	{"must provide timestamp to verify certificate", Untrusted},
	{"failed to summarize certificate: ", Malformed},
	{"failed to verify leaf certificate: ", Untrusted},
	{"failed to verify signed certificate timestamp: ", Untrusted},
	{"signature time outside of public key validity window", Untrusted},
	{"SCTs required but bundle is signed with a public key, which cannot contain SCTs", WrongIdentity},
	{"failed to fetch signature content: ", Malformed},
	{"failed to fetch entity version: ", Malformed},
	{"failed to get signature verifier: ", Unsupported},
	{"failed to verify signature: ", Invalid}, // refined by signatureCauses
	{"failed to fetch envelope statement: ", Malformed},
	{"can't verify certificate identities: entity was not signed with a certificate", WrongIdentity},
	{"can't verify certificate identities: no identities provided", WrongIdentity},
	{"failed to verify certificate identity: ", WrongIdentity},
}

// signatureCauses are the causes of "failed to verify signature: " that
// say the signature is over another artifact rather than bad: the exact
// messages of pkg/verify/signature.go v1.3.0.
var signatureCauses = map[string]Status{
	// message signature, artifact digest given
	"artifact does not match digest": DigestMismatch,
	// DSSE envelope, artifact given
	"provided artifact digests do not match digests in statement":     DigestMismatch,
	"no matching artifact hash algorithm found in subject digests":    DigestMismatch,
	"provided artifact digests does not match digests in statement":   DigestMismatch,
	"provided artifact digest does not match any digest in statement": DigestMismatch,
	// ed25519 message signatures need the artifact's bytes
	"message signatures with ed25519 signatures can only be verified with artifacts, and not just their digest": Unsupported,
}

// classify maps an error of verify.(*Verifier).Verify to a status by the
// verification step that failed: typed errors first, then the step's
// exact prefix. Anything else (a message sigstore-go did not produce in
// v1.3.0) is Invalid: never verified.
func classify(err error) Status {
	var noID *verify.ErrNoMatchingCertificateIdentity
	switch {
	case errors.As(err, &noID):
		return WrongIdentity
	case errors.Is(err, verify.ErrDSSEInvalidSignatureCount):
		return Malformed
	case errors.Is(err, bundle.ErrValidation):
		return Malformed
	}
	msg := err.Error()
	for _, s := range verifySteps {
		if !strings.HasPrefix(msg, s.prefix) {
			continue
		}
		if s.prefix == "failed to verify signature: " {
			if cause := errors.Unwrap(err); cause != nil {
				if st, ok := signatureCauses[cause.Error()]; ok {
					return st
				}
			}
		}
		return s.status
	}
	return Invalid
}
