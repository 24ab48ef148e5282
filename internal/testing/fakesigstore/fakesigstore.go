// Package fakesigstore makes Sigstore bundles offline, for tests and
// benchmarks: a generated Fulcio-like CA (root and intermediate), a
// certificate transparency log that embeds an SCT in every leaf
// certificate, and a Rekor-like log that gives every entry a signed
// inclusion promise. Its trusted root is written as a trusted_root.json
// that sigaudit loads with --trusted-root, so generated bundles go through
// exactly the verification that python.org's real bundles go through.
//
// The bundles use media type v0.1 (certificate chain, inclusion promise),
// a format python.org published for 3.11-era releases; later versions need
// an inclusion proof against a signed checkpoint, which this log does not
// make. Nothing here is secure: the keys live in memory, for tests only.
package fakesigstore

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"sync/atomic"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	ctx509 "github.com/google/certificate-transparency-go/x509"
	ctx509util "github.com/google/certificate-transparency-go/x509util"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/tlog"
)

// Instance is one generated Sigstore: CA, CT log and transparency log.
type Instance struct {
	root, inter       *x509.Certificate
	rootKey, interKey *ecdsa.PrivateKey
	ctKey, rekorKey   *ecdsa.PrivateKey
	ctLogID           [32]byte
	rekorLogID        [32]byte
	start             time.Time
	serial            atomic.Int64
	logIndex          atomic.Int64
}

// New generates an instance valid from start for ten years.
func New(start time.Time) (*Instance, error) {
	s := &Instance{start: start.Truncate(time.Second)}
	var err error
	for _, k := range []**ecdsa.PrivateKey{&s.rootKey, &s.interKey, &s.ctKey, &s.rekorKey} {
		if *k, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			return nil, err
		}
	}
	end := s.start.AddDate(10, 0, 0)
	rootTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{Organization: []string{"fakesigstore"}, CommonName: "fakesigstore root"},
		NotBefore: s.start, NotAfter: end, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	if s.root, err = create(rootTmpl, rootTmpl, &s.rootKey.PublicKey, s.rootKey); err != nil {
		return nil, err
	}
	interTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{Organization: []string{"fakesigstore"}, CommonName: "fakesigstore intermediate"},
		NotBefore: s.start, NotAfter: end, IsCA: true, BasicConstraintsValid: true, MaxPathLenZero: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	if s.inter, err = create(interTmpl, s.root, &s.interKey.PublicKey, s.rootKey); err != nil {
		return nil, err
	}
	if s.ctLogID, err = logID(&s.ctKey.PublicKey); err != nil {
		return nil, err
	}
	if s.rekorLogID, err = logID(&s.rekorKey.PublicKey); err != nil {
		return nil, err
	}
	s.serial.Store(100)
	return s, nil
}

func create(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) (*x509.Certificate, error) {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func logID(pub crypto.PublicKey) ([32]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return [32]byte{}, err
	}
	return sha256.Sum256(der), nil
}

// TrustedRootJSON is the instance's trusted_root.json.
func (s *Instance) TrustedRootJSON() ([]byte, error) {
	end := s.start.AddDate(10, 0, 0)
	tr, err := root.NewTrustedRoot(root.TrustedRootMediaType01,
		[]root.CertificateAuthority{&root.FulcioCertificateAuthority{
			Root: s.root, Intermediates: []*x509.Certificate{s.inter},
			ValidityPeriodStart: s.start, ValidityPeriodEnd: end, URI: "https://fulcio.fakesigstore.invalid",
		}},
		map[string]*root.TransparencyLog{hex.EncodeToString(s.ctLogID[:]): {
			BaseURL: "https://ctfe.fakesigstore.invalid", ID: s.ctLogID[:], ValidityPeriodStart: s.start,
			HashFunc: crypto.SHA256, PublicKey: &s.ctKey.PublicKey, SignatureHashFunc: crypto.SHA256,
		}},
		nil,
		map[string]*root.TransparencyLog{hex.EncodeToString(s.rekorLogID[:]): {
			BaseURL: "https://rekor.fakesigstore.invalid", ID: s.rekorLogID[:], ValidityPeriodStart: s.start,
			HashFunc: crypto.SHA256, PublicKey: &s.rekorKey.PublicKey, SignatureHashFunc: crypto.SHA256,
		}})
	if err != nil {
		return nil, err
	}
	return tr.MarshalJSON()
}

// Bundle signs the artifact whose SHA-256 is digest as san (an email)
// with the OIDC issuer, at time at (after the instance's start), and
// returns the bundle's JSON.
func (s *Instance) Bundle(san, issuer string, digest []byte, at time.Time) ([]byte, error) {
	if len(digest) != sha256.Size {
		return nil, fmt.Errorf("fakesigstore: digest of %d bytes", len(digest))
	}
	at = at.Truncate(time.Second)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf, err := s.leaf(san, issuer, &leafKey.PublicKey, at)
	if err != nil {
		return nil, err
	}
	sig, err := ecdsa.SignASN1(rand.Reader, leafKey, digest)
	if err != nil {
		return nil, err
	}
	body, err := hashedRekord(digest, sig, leaf)
	if err != nil {
		return nil, err
	}
	index := s.logIndex.Add(1)
	set, err := s.promise(body, at.Unix(), index)
	if err != nil {
		return nil, err
	}
	b64 := base64.StdEncoding.EncodeToString
	bundle := map[string]any{
		"mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
		"verificationMaterial": map[string]any{
			"x509CertificateChain": map[string]any{"certificates": []any{
				map[string]any{"rawBytes": b64(leaf.Raw)},
				map[string]any{"rawBytes": b64(s.inter.Raw)},
			}},
			"tlogEntries": []any{map[string]any{
				"logIndex":          fmt.Sprint(index),
				"logId":             map[string]any{"keyId": b64(s.rekorLogID[:])},
				"kindVersion":       map[string]any{"kind": "hashedrekord", "version": "0.0.1"},
				"integratedTime":    fmt.Sprint(at.Unix()),
				"inclusionPromise":  map[string]any{"signedEntryTimestamp": b64(set)},
				"canonicalizedBody": b64(body),
			}},
		},
		"messageSignature": map[string]any{
			"messageDigest": map[string]any{"algorithm": "SHA2_256", "digest": b64(digest)},
			"signature":     b64(sig),
		},
	}
	return json.MarshalIndent(bundle, "", "  ")
}

// leaf makes a Fulcio-like certificate for san and issuer, valid for ten
// minutes from at, with an SCT from the instance's CT log embedded.
func (s *Instance) leaf(san, issuer string, pub *ecdsa.PublicKey, at time.Time) (*x509.Certificate, error) {
	tmpl := &x509.Certificate{
		SerialNumber:   big.NewInt(s.serial.Add(1)),
		EmailAddresses: []string{san},
		NotBefore:      at.Add(-time.Minute),
		NotAfter:       at.Add(10 * time.Minute),
		KeyUsage:       x509.KeyUsageDigitalSignature,
		ExtKeyUsage:    []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{
			// Fulcio's OIDC issuer extension (v1, raw string).
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}, Value: []byte(issuer)},
		},
	}
	// The SCT signs the certificate as it is without the SCT list (the
	// precertificate's TBS), which is what verifiers rebuild.
	pre, err := create(tmpl, s.inter, pub, s.interKey)
	if err != nil {
		return nil, err
	}
	sct := ct.SignedCertificateTimestamp{SCTVersion: ct.V1, LogID: ct.LogID{KeyID: s.ctLogID}, Timestamp: uint64(at.UnixMilli())}
	entry := ct.LogEntry{Leaf: ct.MerkleTreeLeaf{Version: ct.V1, LeafType: ct.TimestampedEntryLeafType,
		TimestampedEntry: &ct.TimestampedEntry{Timestamp: sct.Timestamp, EntryType: ct.PrecertLogEntryType,
			PrecertEntry: &ct.PreCert{IssuerKeyHash: sha256.Sum256(s.inter.RawSubjectPublicKeyInfo), TBSCertificate: pre.RawTBSCertificate}}}}
	input, err := ct.SerializeSCTSignatureInput(sct, entry)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(input)
	sigBytes, err := ecdsa.SignASN1(rand.Reader, s.ctKey, h[:])
	if err != nil {
		return nil, err
	}
	sct.Signature = ct.DigitallySigned{Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA}, Signature: sigBytes}
	list, err := ctx509util.MarshalSCTsIntoSCTList([]*ct.SignedCertificateTimestamp{&sct})
	if err != nil {
		return nil, err
	}
	listBytes, err := cttls.Marshal(*list)
	if err != nil {
		return nil, err
	}
	ext, err := asn1.Marshal(listBytes)
	if err != nil {
		return nil, err
	}
	tmpl.ExtraExtensions = append(tmpl.ExtraExtensions, pkix.Extension{Id: asn1.ObjectIdentifier(ctx509.OIDExtensionCTSCT), Value: ext})
	return create(tmpl, s.inter, pub, s.interKey)
}

// hashedRekord is the canonical body of a hashedrekord v0.0.1 entry.
func hashedRekord(digest, sig []byte, leaf *x509.Certificate) ([]byte, error) {
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	body := map[string]any{
		"apiVersion": "0.0.1",
		"kind":       "hashedrekord",
		"spec": map[string]any{
			"data": map[string]any{"hash": map[string]any{"algorithm": "sha256", "value": hex.EncodeToString(digest)}},
			"signature": map[string]any{
				"content":   base64.StdEncoding.EncodeToString(sig),
				"publicKey": map[string]any{"content": base64.StdEncoding.EncodeToString(certPEM)},
			},
		},
	}
	j, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	return jsoncanonicalizer.Transform(j)
}

// promise is the log's signed entry timestamp over the entry.
func (s *Instance) promise(body []byte, integrated, index int64) ([]byte, error) {
	j, err := json.Marshal(tlog.RekorPayload{
		Body: base64.StdEncoding.EncodeToString(body), IntegratedTime: integrated,
		LogIndex: index, LogID: hex.EncodeToString(s.rekorLogID[:]),
	})
	if err != nil {
		return nil, err
	}
	canon, err := jsoncanonicalizer.Transform(j)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(canon)
	return ecdsa.SignASN1(rand.Reader, s.rekorKey, h[:])
}
