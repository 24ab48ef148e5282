// Package prehash starts hashing the artifacts named on a "sigaudit verify"
// command line while the rest of the program is still initializing.
//
// sigaudit links sigstore-go, whose dependencies (go-openapi, govalidator,
// grpc, protobuf registries…) take tens of milliseconds of package
// initialization before main runs. Hashing a 23 MB release tarball with
// SHA-512 takes about as long. This package's init, which runs early
// because it depends only on the standard library, reads os.Args and, for
// "verify", starts one background pass over each named regular file that
// computes SHA-256 (for Sigstore and the report) and, when a PGP signature
// is beside it, the hash that signature uses (read from its packet header
// with a bounded peek, see peekHashes; SHA-512 when the peek cannot tell),
// so the two costs overlap instead of adding up, and no hash is computed
// that the command will not use.
//
// It only ever speculates. The command still parses its own flags and
// decides what to verify; it asks Take for a path and gets a result only
// if the same argument was hashed, and it must check that the file it
// stats is the file that was hashed (SameFile in the result). Anything
// else (another hash algorithm, a salted signature, an error) means the
// caller reads the file itself, as it would have without this package.
// Nothing here prints, and nothing here decides a verdict.
package prehash

import (
	"context"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/sigaudit/sigaudit/internal/fanout"
)

// maxJobs bounds how many files one command line can queue.
const maxJobs = 64

// Result is one background pass over a file.
type Result struct {
	// Info describes the open file that was read, taken from the file
	// descriptor before reading.
	Info fs.FileInfo
	// Size is how many bytes were hashed.
	Size int64
	// Hashes have consumed exactly the file's bytes: always crypto.SHA256,
	// and, when a PGP signature was expected, the hash it uses (or
	// crypto.SHA512 when its hash could not be read).
	Hashes map[crypto.Hash]hash.Hash
	// Err is why the pass failed; Hashes are then unusable.
	Err error
}

// SameFile reports whether r was read from the file that st describes,
// unchanged in size and modification time.
func (r *Result) SameFile(st fs.FileInfo) bool {
	return r != nil && r.Err == nil && st != nil && r.Info != nil &&
		os.SameFile(r.Info, st) && r.Info.Size() == st.Size() &&
		r.Info.ModTime().Equal(st.ModTime()) && r.Size == st.Size()
}

type job struct {
	path    string
	hashes  []crypto.Hash // besides SHA-256
	started bool
	claimed bool // the command asked for it before it started
	done    chan struct{}
	res     *Result
}

type queue struct {
	mu   sync.Mutex
	jobs map[string]*job
	list []*job
	// asked is set once the command asks for a result: initialization is
	// over and the command is about to wait, so the hashes can fan out to
	// every core. Until then they run one after the other on one
	// goroutine, leaving the other cores to initialization.
	asked atomic.Bool
}

var q = &queue{}

func init() {
	if len(os.Args) > 1 && os.Args[1] == "verify" {
		Start(os.Args[2:])
	}
}

// Start queues the files that args (a verify command line after the
// command name) names and starts hashing them in the background, replacing
// any earlier queue. init calls it; tests may too, but not while a command
// is running (Take reads the queue without a lock on it).
func Start(args []string) {
	q = start(args)
}

// Wait blocks until every queued pass has finished or been skipped.
func Wait() {
	q.wait()
}

func (q *queue) wait() {
	for _, j := range q.list {
		<-j.done
	}
}

// plan picks the files a verify command line names: arguments that are
// not flags and are regular files. Flag values that happen to be files
// (a keyring, a policy) are hashed needlessly but harmlessly; nothing is
// started when the artifact is not to be read (--sha256) or for --help.
// ascFlag reports an --asc flag, and asc its value when there is one.
func plan(args []string) (paths []string, ascFlag bool, asc string) {
	flagsDone := false
	seen := map[string]bool{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !flagsDone && strings.HasPrefix(a, "-") && a != "-" {
			if a == "--" {
				flagsDone = true
				continue
			}
			name := strings.TrimLeft(a, "-")
			name, val, hasVal := strings.Cut(name, "=")
			switch name {
			case "sha256", "h", "help":
				return nil, false, ""
			case "asc":
				ascFlag = true
				if !hasVal && i+1 < len(args) {
					i++
					val = args[i]
				}
				asc = val
			}
			continue
		}
		if seen[a] || len(paths) == maxJobs {
			continue
		}
		seen[a] = true
		paths = append(paths, a)
	}
	return paths, ascFlag, asc
}

// hashesFor picks the hashes to compute over artifact p besides SHA-256,
// from the PGP signature the command will read (asc when --asc names one,
// else p + ".asc"). skip is true when a pass could not stand in for the
// command's own read (the signature needs a hash this package does not
// compute, or a salted one), so that the file is not read twice.
func hashesFor(p string, ascFlag bool, asc string) (hs []crypto.Hash, skip bool) {
	if !ascFlag {
		asc = p + ".asc"
	}
	if asc == "" {
		return []crypto.Hash{crypto.SHA512}, false
	}
	algs, usable, err := peekFile(asc)
	switch {
	case err != nil && !ascFlag && errors.Is(err, fs.ErrNotExist):
		return nil, false // no signature beside it: SHA-256 only
	case err != nil:
		// Cannot tell: python.org's signatures use SHA-512. A wrong
		// guess costs a second read, never a verdict.
		return []crypto.Hash{crypto.SHA512}, false
	case !usable:
		return nil, true
	}
	for _, a := range algs {
		if a != crypto.SHA256 {
			hs = append(hs, a)
		}
	}
	return hs, false
}

func start(args []string) *queue {
	paths, ascFlag, asc := plan(args)
	nq := &queue{jobs: map[string]*job{}}
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		hs, skip := hashesFor(p, ascFlag, asc)
		if skip {
			continue
		}
		j := &job{path: p, hashes: hs, done: make(chan struct{})}
		nq.jobs[p] = j
		nq.list = append(nq.list, j)
	}
	if len(nq.list) > 0 {
		go nq.run()
	}
	return nq
}

// run hashes the queued files one after the other, skipping those the
// command has claimed for itself.
func (q *queue) run() {
	for _, j := range q.list {
		q.mu.Lock()
		if j.claimed {
			q.mu.Unlock()
			close(j.done)
			continue
		}
		j.started = true
		q.mu.Unlock()
		j.res = hashFile(j.path, j.hashes, q.asked.Load)
		close(j.done)
	}
}

// Take returns the background pass over path, waiting for it if it is
// under way, or nil if there is none (never queued, already taken, or not
// started yet: the caller then reads the file itself, and the background
// pass skips it). Each path is handed out once.
func Take(path string) *Result {
	return q.take(path)
}

func (q *queue) take(path string) *Result {
	q.asked.Store(true)
	q.mu.Lock()
	j := q.jobs[path]
	if j == nil {
		q.mu.Unlock()
		return nil
	}
	delete(q.jobs, path)
	if !j.started {
		j.claimed = true
		q.mu.Unlock()
		return nil
	}
	q.mu.Unlock()
	<-j.done
	return j.res
}

// newHash returns a hash of one of the algorithms pgpHashes lists.
func newHash(h crypto.Hash) hash.Hash {
	switch h {
	case crypto.SHA1:
		return sha1.New()
	case crypto.SHA224:
		return sha256.New224()
	case crypto.SHA256:
		return sha256.New()
	case crypto.SHA384:
		return sha512.New384()
	case crypto.SHA512:
		return sha512.New()
	}
	return nil
}

// hashFile reads path once, computing SHA-256 and each of extra.
func hashFile(path string, extra []crypto.Hash, parallel func() bool) *Result {
	// O_NONBLOCK: if the path was swapped for a FIFO since it was stated,
	// opening must not hang (the Stat below then rejects it).
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return &Result{Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return &Result{Err: err}
	}
	if !st.Mode().IsRegular() {
		return &Result{Info: st, Err: &fs.PathError{Op: "read", Path: path, Err: fs.ErrInvalid}}
	}
	hs := map[crypto.Hash]hash.Hash{crypto.SHA256: sha256.New()}
	ws := []io.Writer{hs[crypto.SHA256]}
	for _, a := range extra {
		if h := newHash(a); h != nil && hs[a] == nil {
			hs[a] = h
			ws = append(ws, h)
		}
	}
	n, err := fanout.CopyWhen(context.Background(), f, parallel, ws...)
	if err != nil {
		return &Result{Info: st, Size: n, Err: err}
	}
	return &Result{Info: st, Size: n, Hashes: hs}
}
