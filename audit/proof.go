package audit

import (
	"fmt"
	"time"

	"github.com/sigaudit/sigaudit/record"
	"github.com/sigaudit/sigaudit/source"
	"github.com/sigaudit/sigaudit/timeline"
)

// recordDigest is the SHA-256 python.org published for the artifact, from
// the record sigaudit embeds: by python.org's release directory for
// version (X.Y.Z/, which holds its pre-releases too) whatever directory
// the mirror uses (a per-version 3.12.0a7/), then by the mirror's
// directory, else by name alone when exactly one artifact has it.
func recordDigest(dir, name, version string) (string, bool) {
	if rd, ok := source.ReleaseDir(version); ok {
		if a, ok := record.Lookup(rd, name); ok {
			return a.SHA256, true
		}
	}
	if dir != "" {
		if a, ok := record.Lookup(dir, name); ok {
			return a.SHA256, true
		}
	}
	if as := record.ByName(name); len(as) == 1 {
		return as[0].SHA256, true
	}
	return "", false
}

// recordOwners are the artifacts of the record, other than dir/name, whose
// SHA-256 is digest: a bundle that signs one of them is another
// artifact's bundle.
func recordOwners(digest, name string) []string {
	var out []string
	for _, a := range record.BySHA256(digest) {
		if a.Name == name {
			continue
		}
		out = append(out, a.Path())
	}
	return out
}

// signWindow is when a version's bundles can have been signed, as far as the
// embedded record tells.
type signWindow struct {
	// From and Until bound the signing time; a zero Until is open-ended
	// (a version newer than the record).
	From, Until time.Time
	// Basis says where the bounds come from, for messages.
	Basis string
}

// Contains reports whether t is inside the window.
func (w signWindow) Contains(t time.Time) bool {
	return !t.Before(w.From) && (w.Until.IsZero() || !t.After(w.Until))
}

func (w signWindow) String() string {
	if w.Until.IsZero() {
		return fmt.Sprintf("not before %s (%s)", w.From.UTC().Format(time.RFC3339), w.Basis)
	}
	return fmt.Sprintf("%s to %s (%s)", w.From.UTC().Format(time.RFC3339), w.Until.UTC().Format(time.RFC3339), w.Basis)
}

// signingWindow says when python.org can have signed version's bundles:
// the window the record observed for it; for a version the record does not
// know, not before the newest release the record knows below it in its
// line (a version newer than the record was released after it), or, for a
// line the record does not know, not before the first release of the
// nearest line below. Signing is not monotonic (3.7.14 was signed a year
// after its release), so nothing else is assumed. ok is false when no
// bound is known.
//
// The audit reports a bundle outside this window as a mismatch; what
// "proven" requires is record.SignedInWindow, stricter where the record
// cannot place a version (unknown is not proven).
func signingWindow(version string) (signWindow, bool) {
	if w, ok := record.SigningWindow(version); ok {
		return signWindow{From: w.First.Add(-record.WindowSlack), Until: w.Last, Basis: "when python.org signed " + version + "'s bundles"}, true
	}
	v, err := timeline.ParseVersion(version)
	if err != nil {
		return signWindow{}, false
	}
	var below, prevLine timeline.Version // newest known below v in its line; first of the nearest lower line
	var belowW, prevW record.Window
	var haveBelow, havePrev bool
	for _, w := range record.Windows() {
		k, err := timeline.ParseVersion(w.Version)
		if err != nil {
			continue
		}
		switch {
		case k.Line() == v.Line():
			if k.Compare(v) < 0 && (!haveBelow || k.Compare(below) > 0) {
				below, belowW, haveBelow = k, w, true
			}
		case timeline.CompareLines(k.Line(), v.Line()) < 0:
			better := !havePrev || timeline.CompareLines(k.Line(), prevLine.Line()) > 0 ||
				(k.Line() == prevLine.Line() && k.Compare(prevLine) < 0)
			if better {
				prevLine, prevW, havePrev = k, w, true
			}
		}
	}
	switch {
	case haveBelow:
		return signWindow{From: belowW.First, Basis: fmt.Sprintf("%s is not in sigaudit's record; %s, released before it, was first signed then", version, belowW.Version)}, true
	case havePrev:
		return signWindow{From: prevW.First, Basis: fmt.Sprintf("line %s is not in sigaudit's record; %s, the first release of the line before it, was first signed then", v.Line(), prevW.Version)}, true
	}
	return signWindow{}, false
}

// recordWindow is the signing window the record observed for version.
func recordWindow(version string) (record.Window, bool) { return record.SigningWindow(version) }
