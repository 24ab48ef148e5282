package prehash

import (
	"bytes"
	"crypto"
	"encoding/base64"
	"errors"
	"io"
	"os"
	"syscall"
)

// maxPeek bounds how much of a PGP signature file the peek reads: a
// detached signature is a few hundred bytes (python.org's are under 1 KiB).
const maxPeek = 16 << 10

// maxPeekSigs bounds how many signature packets the peek looks at.
const maxPeekSigs = 8

// errUnknown means the peek could not tell which hash the signature uses;
// the caller then falls back to guessing.
var errUnknown = errors.New("prehash: cannot read the signature's hash algorithm")

// peekFile reads at most maxPeek bytes of the signature file at path (a
// regular file only, opened without blocking) and returns what
// peekHashes says of them.
func peekFile(path string) (algs []crypto.Hash, usable bool, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxPeek {
		return nil, false, errUnknown
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPeek+1))
	if err != nil {
		return nil, false, err
	}
	if len(b) > maxPeek {
		return nil, false, errUnknown
	}
	return peekHashes(b)
}

// peekHashes reads the hash algorithms of the signature packets in b, an
// ASCII-armored or binary OpenPGP detached signature, without verifying
// anything. It returns each algorithm once, in order of first use, and
// usable true when every signature hashes the artifact plainly with one
// of them (a binary-document signature of version 3, 4 or 5 with a hash
// this package computes), so that a pass over the artifact with those
// hashes can stand in for reading it again. usable false with a nil error
// means the signatures were read and need something else (a salted v6
// signature, a text signature, another hash). Any error means the peek
// could not tell. The answer is only a guess about which hashes to start
// early: the command parses the signature itself and uses a background
// pass only when it has the hash the signature needs.
func peekHashes(b []byte) (algs []crypto.Hash, usable bool, err error) {
	if bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("-----")) {
		if b, err = dearmor(b); err != nil {
			return nil, false, err
		}
	}
	usable = true
	sigs := 0
	for len(b) > 0 {
		tag, body, rest, err := nextPacket(b)
		if err != nil {
			return nil, false, err
		}
		b = rest
		if tag != 2 {
			continue // not a signature packet (e.g. a marker packet)
		}
		if sigs++; sigs > maxPeekSigs {
			return nil, false, errUnknown
		}
		alg, plain, err := sigHash(body)
		if err != nil {
			return nil, false, err
		}
		if !plain {
			usable = false
			continue
		}
		seen := false
		for _, a := range algs {
			seen = seen || a == alg
		}
		if !seen {
			algs = append(algs, alg)
		}
	}
	if sigs == 0 {
		return nil, false, errUnknown
	}
	if !usable {
		algs = nil
	}
	return algs, usable, nil
}

var (
	armorBegin = []byte("-----BEGIN PGP SIGNATURE-----")
	armorEnd   = []byte("-----END PGP SIGNATURE-----")
)

// dearmor returns the bytes of the first PGP SIGNATURE armor block in b:
// header lines up to the first blank line are skipped, and the body ends
// at the checksum line ("=XXXX") or the END line. The checksum is not
// checked (nothing here is trusted).
func dearmor(b []byte) ([]byte, error) {
	i := bytes.Index(b, armorBegin)
	if i < 0 {
		return nil, errUnknown
	}
	b = b[i+len(armorBegin):]
	end := bytes.Index(b, armorEnd)
	if end < 0 {
		return nil, errUnknown
	}
	b = b[:end]
	// The rest of the BEGIN line.
	if nl := bytes.IndexByte(b, '\n'); nl >= 0 && len(bytes.TrimSpace(b[:nl])) == 0 {
		b = b[nl+1:]
	} else {
		return nil, errUnknown
	}
	lines := bytes.Split(b, []byte("\n"))
	// Headers ("Key: value") run to the first blank line; without any,
	// the body starts at once.
	start := 0
	for j, l := range lines {
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			start = j + 1
			break
		}
		if !bytes.Contains(l, []byte(": ")) {
			break
		}
	}
	var enc []byte
	for _, l := range lines[start:] {
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		if l[0] == '=' {
			break // checksum
		}
		enc = append(enc, l...)
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(enc)))
	n, err := base64.StdEncoding.Decode(out, enc)
	if err != nil {
		return nil, errUnknown
	}
	return out[:n], nil
}

// nextPacket splits the first OpenPGP packet off b (RFC 9580 section 4.2,
// both header formats; partial lengths are refused).
func nextPacket(b []byte) (tag byte, body, rest []byte, err error) {
	if len(b) < 2 || b[0]&0x80 == 0 {
		return 0, nil, nil, errUnknown
	}
	var n, hdr int
	if b[0]&0x40 != 0 { // OpenPGP format
		tag = b[0] & 0x3f
		switch l0 := int(b[1]); {
		case l0 < 192:
			n, hdr = l0, 2
		case l0 < 224:
			if len(b) < 3 {
				return 0, nil, nil, errUnknown
			}
			n, hdr = (l0-192)<<8+int(b[2])+192, 3
		case l0 == 255:
			if len(b) < 6 {
				return 0, nil, nil, errUnknown
			}
			n, hdr = int(b[2])<<24|int(b[3])<<16|int(b[4])<<8|int(b[5]), 6
		default:
			return 0, nil, nil, errUnknown // partial body length
		}
	} else { // legacy format
		tag = (b[0] >> 2) & 0x0f
		switch b[0] & 3 {
		case 0:
			n, hdr = int(b[1]), 2
		case 1:
			if len(b) < 3 {
				return 0, nil, nil, errUnknown
			}
			n, hdr = int(b[1])<<8|int(b[2]), 3
		case 2:
			if len(b) < 5 {
				return 0, nil, nil, errUnknown
			}
			n, hdr = int(b[1])<<24|int(b[2])<<16|int(b[3])<<8|int(b[4]), 5
		default:
			return 0, nil, nil, errUnknown // indeterminate length
		}
	}
	if n < 0 || n > len(b)-hdr {
		return 0, nil, nil, errUnknown
	}
	return tag, b[hdr : hdr+n], b[hdr+n:], nil
}

// pgpHashes maps OpenPGP hash algorithm IDs (RFC 9580 section 9.5) to the
// hashes this package can compute.
var pgpHashes = map[byte]crypto.Hash{
	2:  crypto.SHA1,
	8:  crypto.SHA256,
	9:  crypto.SHA384,
	10: crypto.SHA512,
	11: crypto.SHA224,
}

// sigHash reads the hash algorithm of a signature packet body. plain is
// false when a pass over the artifact could not stand in for the
// signature's own hashing: a salted v6 signature, a signature type other
// than a binary document (0x00), or a hash this package does not compute.
func sigHash(body []byte) (alg crypto.Hash, plain bool, err error) {
	if len(body) < 1 {
		return 0, false, errUnknown
	}
	var typ, id byte
	switch body[0] {
	case 3:
		// version, 5, type, time(4), key ID(8), public-key alg, hash alg
		if len(body) < 17 || body[1] != 5 {
			return 0, false, errUnknown
		}
		typ, id = body[2], body[16]
	case 4, 5:
		// version, type, public-key alg, hash alg
		if len(body) < 4 {
			return 0, false, errUnknown
		}
		typ, id = body[1], body[3]
	case 6:
		return 0, false, nil // salted
	default:
		return 0, false, errUnknown
	}
	alg, ok := pgpHashes[id]
	if typ != 0 || !ok {
		return 0, false, nil
	}
	return alg, true, nil
}
