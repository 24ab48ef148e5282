// Package tufrepo builds a TUF repository in memory with go-tuf v2's
// metadata tooling and serves it over HTTP, for tests of TUF clients: key
// rotation, rollback, freeze, mix-and-match and tampered targets are made
// by editing the metadata and re-signing (or not). Test support only.
package tufrepo

import (
	"crypto"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Roles of a TUF repository.
var Roles = []string{metadata.ROOT, metadata.TARGETS, metadata.SNAPSHOT, metadata.TIMESTAMP}

// Repo is a TUF repository with consistent snapshots, one key per role.
// Edit Root, Targets, Snapshot and Timestamp, then call the Publish methods
// (which bump versions and sign) or Put raw files. Safe for one test
// goroutine plus the HTTP server.
type Repo struct {
	mu        sync.Mutex
	files     map[string][]byte
	Keys      map[string]ed25519.PrivateKey
	Root      *metadata.Metadata[metadata.RootType]
	Targets   *metadata.Metadata[metadata.TargetsType]
	Snapshot  *metadata.Metadata[metadata.SnapshotType]
	Timestamp *metadata.Metadata[metadata.TimestampType]
	// Requests counts the GETs served, by path.
	Requests map[string]int
}

// New makes root v1 and targets, snapshot and timestamp v1 listing the given
// targets (name -> content), all expiring in a year, and publishes them.
func New(targets map[string][]byte) (*Repo, error) {
	exp := time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)
	r := &Repo{
		files:     map[string][]byte{},
		Keys:      map[string]ed25519.PrivateKey{},
		Root:      metadata.Root(exp),
		Targets:   metadata.Targets(exp),
		Snapshot:  metadata.Snapshot(exp),
		Timestamp: metadata.Timestamp(exp),
		Requests:  map[string]int{},
	}
	for _, role := range Roles {
		if err := r.newKey(role); err != nil {
			return nil, err
		}
	}
	if err := r.PublishRoot(); err != nil {
		return nil, err
	}
	for name, data := range targets {
		if err := r.SetTarget(name, data); err != nil {
			return nil, err
		}
	}
	if err := r.sign(); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Repo) newKey(role string) error {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return err
	}
	key, err := metadata.KeyFromPublicKey(priv.Public())
	if err != nil {
		return err
	}
	if old, ok := r.Keys[role]; ok {
		oldKey, _ := metadata.KeyFromPublicKey(old.Public())
		id, _ := oldKey.ID()
		if err := r.Root.Signed.RevokeKey(id, role); err != nil {
			return err
		}
	}
	if err := r.Root.Signed.AddKey(key, role); err != nil {
		return err
	}
	r.Keys[role] = priv
	return nil
}

func signer(k ed25519.PrivateKey) (signature.Signer, error) {
	return signature.LoadSigner(k, crypto.Hash(0))
}

// SetTarget lists a target in Targets (not yet published) and serves its
// content under its hash-prefixed name.
func (r *Repo) SetTarget(name string, data []byte) error {
	tf, err := metadata.TargetFile().FromBytes(name, data, "sha256")
	if err != nil {
		return err
	}
	r.Targets.Signed.Targets[name] = tf
	r.Put(fmt.Sprintf("targets/%x.%s", []byte(tf.Hashes["sha256"]), name), data)
	return nil
}

// TargetPath is where a listed target is served.
func (r *Repo) TargetPath(name string) string {
	tf := r.Targets.Signed.Targets[name]
	return fmt.Sprintf("targets/%x.%s", []byte(tf.Hashes["sha256"]), name)
}

// PublishRoot signs the root with every current root key and the given
// extra keys (the previous root keys, for a rotation) and serves it as
// N.root.json.
func (r *Repo) PublishRoot(extra ...ed25519.PrivateKey) error {
	r.Root.ClearSignatures()
	for _, k := range append([]ed25519.PrivateKey{r.Keys[metadata.ROOT]}, extra...) {
		s, err := signer(k)
		if err != nil {
			return err
		}
		if _, err := r.Root.Sign(s); err != nil {
			return err
		}
	}
	b, err := r.Root.ToBytes(true)
	if err != nil {
		return err
	}
	r.Put(fmt.Sprintf("%d.root.json", r.Root.Signed.Version), b)
	return nil
}

// RootJSON is the current root metadata: a client's initial trust anchor.
func (r *Repo) RootJSON() []byte {
	return r.Get(fmt.Sprintf("%d.root.json", r.Root.Signed.Version))
}

// RotateRoot replaces every role's key and publishes root N+1, signed by
// the new root key and, when crossSign, by the old one (as TUF requires).
// Targets, snapshot and timestamp are not re-signed: call Publish.
func (r *Repo) RotateRoot(crossSign bool) error {
	old := r.Keys[metadata.ROOT]
	for _, role := range Roles {
		if err := r.newKey(role); err != nil {
			return err
		}
	}
	r.Root.Signed.Version++
	if crossSign {
		return r.PublishRoot(old)
	}
	return r.PublishRoot()
}

// Publish bumps and signs targets, snapshot and timestamp, in that order.
func (r *Repo) Publish() error {
	r.Targets.Signed.Version++
	r.Snapshot.Signed.Version++
	r.Timestamp.Signed.Version++
	return r.sign()
}

func (r *Repo) sign() error {
	r.Snapshot.Signed.Meta["targets.json"] = metadata.MetaFile(r.Targets.Signed.Version)
	r.Timestamp.Signed.Meta["snapshot.json"] = metadata.MetaFile(r.Snapshot.Signed.Version)
	if err := r.PublishTargets(); err != nil {
		return err
	}
	if err := r.PublishSnapshot(); err != nil {
		return err
	}
	return r.PublishTimestamp()
}

// PublishTargets signs Targets as it is and serves it as N.targets.json.
func (r *Repo) PublishTargets() error {
	b, err := signRole(r.Targets, r.Keys[metadata.TARGETS])
	if err != nil {
		return err
	}
	r.Put(fmt.Sprintf("%d.targets.json", r.Targets.Signed.Version), b)
	return nil
}

// PublishSnapshot signs Snapshot as it is and serves it as N.snapshot.json.
func (r *Repo) PublishSnapshot() error {
	b, err := signRole(r.Snapshot, r.Keys[metadata.SNAPSHOT])
	if err != nil {
		return err
	}
	r.Put(fmt.Sprintf("%d.snapshot.json", r.Snapshot.Signed.Version), b)
	return nil
}

// PublishTimestamp signs Timestamp as it is and serves it as timestamp.json.
func (r *Repo) PublishTimestamp() error {
	b, err := signRole(r.Timestamp, r.Keys[metadata.TIMESTAMP])
	if err != nil {
		return err
	}
	r.Put("timestamp.json", b)
	return nil
}

func signRole[T metadata.Roles](m *metadata.Metadata[T], k ed25519.PrivateKey) ([]byte, error) {
	m.ClearSignatures()
	s, err := signer(k)
	if err != nil {
		return nil, err
	}
	if _, err := m.Sign(s); err != nil {
		return nil, err
	}
	return m.ToBytes(true)
}

// Put serves b at path (relative to the repository URL).
func (r *Repo) Put(path string, b []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files[path] = append([]byte(nil), b...)
}

// Get returns what is served at path, or nil.
func (r *Repo) Get(path string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]byte(nil), r.files[path]...)
}

// ServeHTTP serves the repository's files; anything else is a 404.
func (r *Repo) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	p := strings.TrimPrefix(req.URL.Path, "/")
	r.mu.Lock()
	b, ok := r.files[p]
	r.Requests[p]++
	r.mu.Unlock()
	if !ok || req.Method != http.MethodGet {
		http.NotFound(w, req)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}
