package audit

import (
	"bufio"
	"bytes"
	"io"

	"github.com/sigaudit/sigaudit/archive"
	"github.com/sigaudit/sigaudit/report"
	"github.com/sigaudit/sigaudit/source"
)

// headWriter keeps the first archive.MaxCompressed bytes written to it
// (all that archive.TopDir may read) and discards the rest, so that the
// top-level directory of a source tarball is read from the one pass that
// hashes it.
type headWriter struct {
	b []byte
}

func (w *headWriter) Write(p []byte) (int, error) {
	if room := archive.MaxCompressed - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// wantsTopDir says whether the artifact is a source tarball whose
// top-level directory must be checked: one named like python.org's.
func wantsTopDir(name, dirVersion string) bool {
	n := source.ParseName(name, dirVersion)
	if !n.Known || n.Kind != source.KindSource {
		return false
	}
	_, ok := archive.CompressionOf(name)
	return ok
}

// topDirOutcome checks that the source tarball whose first bytes are head
// holds the release its name says (Python-3.13.5/): no signature binds a
// file name, so a release renamed wholesale, signatures and all, is caught
// only here. A tarball compressed otherwise than its name says (xz bytes
// named .tgz) cannot be this release under this name either.
func topDirOutcome(name, version string, r io.Reader) []report.Finding {
	want := archive.ExpectedTopDir(version)
	br := bufio.NewReader(r)
	head, _ := br.Peek(8)
	head = bytes.Clone(head)
	top, err := archive.TopDir(br, name)
	switch {
	case err == nil && top == want:
		return nil
	case err == nil:
		return []report.Finding{archiveVersion("the tarball holds %s/, not %s/: another release under this name", top, want)}
	}
	if other, ok := otherCompression(head, name); ok {
		return []report.Finding{archiveVersion("%s is not compressed as its name says (its bytes are %s): not python.org's %s under this name", name, other, name)}
	}
	// Not a readable tarball at all: then it is not python.org's either,
	// and python.org's signatures do not verify over it (they say so).
	return nil
}

// magics are the first bytes of each compression sigaudit reads.
var magics = []struct {
	c     archive.Compression
	magic []byte
}{
	{archive.Gzip, []byte{0x1f, 0x8b}},
	{archive.XZ, []byte{0xfd, '7', 'z', 'X', 'Z', 0}},
	{archive.Bzip2, []byte("BZh")},
}

// otherCompression names the compression head's bytes have when it is not
// the one name implies.
func otherCompression(head []byte, name string) (archive.Compression, bool) {
	own, _ := archive.CompressionOf(name)
	for _, m := range magics {
		if m.c != own && bytes.HasPrefix(head, m.magic) {
			return m.c, true
		}
	}
	return "", false
}

// topDirFromHead checks the top-level directory of the artifact of f
// from head, the first bytes the hashing pass kept. When the pass was
// made before Audit (internal/prehash) without keeping them, the start of
// the file is read instead: archive.TopDir stops at the first header
// (a few KiB, at most archive.MaxCompressed), never a second pass.
func topDirFromHead(f Files, head []byte, kept bool) []report.Finding {
	if !wantsTopDir(f.Name, f.DirVersion) {
		return nil
	}
	version := source.ParseName(f.Name, f.DirVersion).Version
	if kept {
		return topDirOutcome(f.Name, version, bytes.NewReader(head))
	}
	rc, err := f.Artifact()
	if err != nil {
		return nil // the pass before Audit read it; nothing to add
	}
	defer rc.Close()
	return topDirOutcome(f.Name, version, rc)
}
