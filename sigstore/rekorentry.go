package sigstore

import (
	"bytes"
	"crypto"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/go-openapi/strfmt"
	"github.com/sigstore/rekor/pkg/generated/models"
	rekorx509 "github.com/sigstore/rekor/pkg/pki/x509"
	"github.com/sigstore/rekor/pkg/types"
	"github.com/sigstore/rekor/pkg/types/hashedrekord"
	hashedrekordv001 "github.com/sigstore/rekor/pkg/types/hashedrekord/v0.0.1"
	"github.com/sigstore/sigstore/pkg/signature/options"
)

// Parsing a Rekor v1 hashedrekord v0.0.1 entry (tlog.ParseTransparencyLogEntry
// -> rekor's V001Entry.Unmarshal) verifies the entry's signature over the
// entry's digest with the entry's key. sigstore-go's Verify then checks, for
// every entry it counts, that the entry's signature, key and digest are the
// bundle's own (byte-equal signature, equal certificate or key, same digest
// and algorithm), and verifies the bundle's message signature over that
// digest with that key: the same ECDSA verification a second time (a P-384
// one for most python.org bundles). An entry it does not count (unknown
// log, bad SET) contributes nothing to a verdict. So the verification at
// parse time adds no check to a verification, only its cost.
//
// hashedRekordV001 parses such entries exactly as rekor does (the same
// decoding, the same schema validation, the same cross-field checks: a
// parsable signature, a parsable key, a digest of the right length for its
// algorithm) except for the signature verification that Verify repeats.
// It is installed in rekor's type registry (process-wide) once, before the
// first bundle is parsed; every other kind and version is left to rekor.
//
// What changes: a bundle whose log entry carries a signature that does not
// verify is no longer rejected as malformed when read; its verification
// fails instead (the bundle's message signature is that same signature).
// Inspect never claimed anything was verified.
var installEntryParser = sync.OnceFunc(func() {
	orig, ok := types.TypeMap.Load(hashedrekord.KIND)
	if !ok {
		return // rekor's own parser is absent too: nothing to replace
	}
	newOrig, ok := orig.(func() types.TypeImpl)
	if !ok {
		return
	}
	types.TypeMap.Store(hashedrekord.KIND, func() types.TypeImpl {
		return hashedRekordType{TypeImpl: newOrig()}
	})
})

// hashedRekordType is rekor's hashedrekord type with v0.0.1 entries parsed
// by parseHashedRekordV001.
type hashedRekordType struct {
	types.TypeImpl
}

func (t hashedRekordType) UnmarshalEntry(pe models.ProposedEntry) (types.EntryImpl, error) {
	if hr, ok := pe.(*models.Hashedrekord); ok && hr.APIVersion != nil && *hr.APIVersion == hashedrekordv001.APIVERSION {
		return parseHashedRekordV001(hr)
	}
	return t.TypeImpl.UnmarshalEntry(pe)
}

// parseHashedRekordV001 is rekor v1.5.3's V001Entry.Unmarshal and
// validate without the final sigObj.Verify (see installEntryParser).
func parseHashedRekordV001(rekord *models.Hashedrekord) (*hashedrekordv001.V001Entry, error) {
	v := &hashedrekordv001.V001Entry{}
	if err := hashedrekordv001.DecodeEntry(rekord.Spec, &v.HashedRekordObj); err != nil {
		return nil, err
	}
	if err := v.HashedRekordObj.Validate(strfmt.Default); err != nil {
		return nil, err
	}
	if _, _, err := checkHashedRekordV001(&v.HashedRekordObj); err != nil {
		return nil, err
	}
	return v, nil
}

// checkHashedRekordV001 makes rekor's cross-field checks and returns the
// parsed signature, key and digest (the tests verify with them).
func checkHashedRekordV001(obj *models.HashedrekordV001Schema) (*rekorx509.Signature, []byte, error) {
	sig := obj.Signature
	if sig == nil {
		return nil, nil, &types.InputValidationError{Err: errors.New("missing signature")}
	}
	sigObj, err := rekorx509.NewSignatureWithOpts(bytes.NewReader(sig.Content), options.WithED25519ph())
	if err != nil {
		return nil, nil, &types.InputValidationError{Err: err}
	}
	key := sig.PublicKey
	if key == nil {
		return nil, nil, &types.InputValidationError{Err: errors.New("missing public key")}
	}
	if _, err := rekorx509.NewPublicKey(bytes.NewReader(key.Content)); err != nil {
		return nil, nil, &types.InputValidationError{Err: err}
	}
	data := obj.Data
	if data == nil {
		return nil, nil, &types.InputValidationError{Err: errors.New("missing data")}
	}
	hash := data.Hash
	if hash == nil {
		return nil, nil, &types.InputValidationError{Err: errors.New("missing hash")}
	}
	if hash.Value == nil {
		return nil, nil, &types.InputValidationError{Err: errors.New("missing hash value")}
	}
	want := crypto.SHA256.Size() // rekor's default, also for an absent algorithm
	if hash.Algorithm != nil {
		switch *hash.Algorithm {
		case models.HashedrekordV001SchemaDataHashAlgorithmSha384:
			want = crypto.SHA384.Size()
		case models.HashedrekordV001SchemaDataHashAlgorithmSha512:
			want = crypto.SHA512.Size()
		}
	}
	if len(*hash.Value) != want*2 {
		return nil, nil, &types.InputValidationError{Err: errors.New("invalid value for hash")}
	}
	decoded, err := hex.DecodeString(*hash.Value)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid hash value: %w", err)
	}
	return sigObj, decoded, nil
}
