package pgp

import (
	"errors"
	"fmt"
)

// subpacket locates one signature subpacket in the raw signature packet.
type subpacket struct {
	typ      byte // without the critical bit
	critical bool
	hashed   bool
	off      int // offset of the type byte in the packet data given to scanSubpackets
}

// knownHashed are the subpacket types go-crypto's parser understands in the
// hashed area (packet/signature.go, parseSignatureSubpacket); it refuses a
// critical subpacket of any other type there. The notation subpacket (20) is
// known as a type, but a critical notation must be known by name (checked
// after parsing).
var knownHashed = map[byte]bool{
	2: true, 3: true, 4: true, 5: true, 6: true, 9: true, 11: true, 16: true,
	20: true, 21: true, 22: true, 23: true, 24: true, 25: true, 26: true,
	27: true, 28: true, 29: true, 30: true, 32: true, 33: true, 35: true, 39: true,
}

// knownUnhashed are the only subpacket types go-crypto reads in the
// unhashed area (issuer, issuer fingerprint); it ignores everything else
// there, critical or not. sigaudit refuses a critical subpacket it would
// ignore, as RFC 9580 5.2.3.7 says of critical subpackets an implementation
// does not process.
var knownUnhashed = map[byte]bool{16: true, 33: true}

// criticalReject returns why a signature with these subpackets must be
// refused, or "".
func criticalReject(subs []subpacket) string {
	for _, sp := range subs {
		if !sp.critical {
			continue
		}
		if sp.hashed && !knownHashed[sp.typ] {
			return fmt.Sprintf("the signature carries a critical subpacket of unknown type %d (RFC 9580 5.2.3.7: such a signature is invalid)", sp.typ)
		}
		if !sp.hashed && !knownUnhashed[sp.typ] {
			return fmt.Sprintf("the signature carries a critical subpacket of type %d in its unhashed area, which sigaudit does not process (RFC 9580 5.2.3.7)", sp.typ)
		}
	}
	return ""
}

// scanSubpackets reads the framing of the single signature packet in b (the
// binary OpenPGP data of a detached signature) and lists its subpackets. It
// refuses data after the packet, partial body lengths and subpacket areas
// that overrun the packet. Version 3 signatures have no subpackets.
func scanSubpackets(b []byte) ([]subpacket, error) {
	tag, hdr, n, err := packetHeader(b)
	if err != nil {
		return nil, err
	}
	if tag != 2 {
		return nil, fmt.Errorf("unexpected packet (tag %d) in a detached signature", tag)
	}
	if n < 0 || n > len(b)-hdr {
		return nil, errors.New("bad signature packet: truncated")
	}
	if n < len(b)-hdr {
		return nil, errors.New("data after the signature packet")
	}
	p := b[hdr:]
	if len(p) < 1 {
		return nil, errors.New("bad signature packet: empty")
	}
	var lenSize int
	switch p[0] {
	case 4, 5:
		lenSize = 2
	case 6:
		lenSize = 4
	default:
		return nil, nil // version 3 (no subpackets) or unknown: go-crypto decides
	}
	pos := 4
	var out []subpacket
	for _, hashed := range []bool{true, false} {
		if len(p) < pos+lenSize {
			return nil, errors.New("bad signature packet: truncated subpacket area")
		}
		area := 0
		for i := 0; i < lenSize; i++ {
			area = area<<8 | int(p[pos+i])
		}
		pos += lenSize
		if area < 0 || area > len(p)-pos {
			return nil, errors.New("bad signature packet: subpacket area longer than the packet")
		}
		end := pos + area
		for pos < end {
			l := int(p[pos])
			switch {
			case l < 192:
				pos++
			case l < 255:
				if end-pos < 2 {
					return nil, errors.New("bad signature packet: truncated subpacket")
				}
				l = (l-192)<<8 + int(p[pos+1]) + 192
				pos += 2
			default:
				if end-pos < 5 {
					return nil, errors.New("bad signature packet: truncated subpacket")
				}
				l = int(uint32(p[pos+1])<<24 | uint32(p[pos+2])<<16 | uint32(p[pos+3])<<8 | uint32(p[pos+4]))
				pos += 5
			}
			if l <= 0 || l > end-pos {
				return nil, errors.New("bad signature packet: bad subpacket length")
			}
			out = append(out, subpacket{typ: p[pos] & 0x7f, critical: p[pos]&0x80 != 0, hashed: hashed, off: hdr + pos})
			pos += l
		}
	}
	return out, nil
}

// packetHeader reads the header of the one packet b must be: its tag,
// header length and body length (old or new format; a partial body length
// is refused in a signature).
func packetHeader(b []byte) (tag byte, hdr, n int, err error) {
	if len(b) < 2 || b[0]&0x80 == 0 {
		return 0, 0, 0, errors.New("bad signature packet: not an OpenPGP packet")
	}
	if b[0]&0x40 != 0 { // new format
		tag = b[0] & 0x3f
		switch l := int(b[1]); {
		case l < 192:
			hdr, n = 2, l
		case l < 224:
			if len(b) < 3 {
				return 0, 0, 0, errors.New("bad signature packet: truncated length")
			}
			hdr, n = 3, (l-192)<<8+int(b[2])+192
		case l == 255:
			if len(b) < 6 {
				return 0, 0, 0, errors.New("bad signature packet: truncated length")
			}
			hdr, n = 6, int(uint32(b[2])<<24|uint32(b[3])<<16|uint32(b[4])<<8|uint32(b[5]))
		default:
			return 0, 0, 0, errors.New("bad signature packet: partial body lengths are not allowed in a signature")
		}
	} else { // old format
		tag = (b[0] >> 2) & 0x0f
		switch b[0] & 3 {
		case 0:
			hdr, n = 2, int(b[1])
		case 1:
			if len(b) < 3 {
				return 0, 0, 0, errors.New("bad signature packet: truncated length")
			}
			hdr, n = 3, int(b[1])<<8|int(b[2])
		case 2:
			if len(b) < 5 {
				return 0, 0, 0, errors.New("bad signature packet: truncated length")
			}
			hdr, n = 5, int(uint32(b[1])<<24|uint32(b[2])<<16|uint32(b[3])<<8|uint32(b[4]))
		default:
			hdr, n = 1, len(b)-1 // indeterminate length: to the end
		}
	}
	return tag, hdr, n, nil
}
