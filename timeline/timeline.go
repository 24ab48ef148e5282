package timeline

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Timeline is a validated set of release lines and the rules over them.
type Timeline struct {
	accepted Date
	managers map[string]Manager
	lines    map[string]Line
	order    []string // lines, oldest first
	kinds    map[string]ArtifactKind
	subkinds []ArtifactKind // in file order
	lapses   []Lapse
	extras   []Extra
}

// Default returns the timeline compiled into sigaudit. It is parsed once;
// a Timeline is never changed after it is made (WithPolicy returns a copy).
func Default() *Timeline { return defaultTimeline() }

var defaultTimeline = sync.OnceValue(func() *Timeline {
	d, err := parseEmbedded(embedded, "timeline/lines.json (embedded)")
	if err != nil {
		panic("sigaudit: embedded release-line data is invalid: " + err.Error())
	}
	return newTimeline(d)
})

// New reads a complete release-line file.
func New(r io.Reader, name string) (*Timeline, error) {
	d, err := ParseData(r, name, false)
	if err != nil {
		return nil, err
	}
	return newTimeline(d), nil
}

func newTimeline(d *Data) *Timeline {
	t := &Timeline{accepted: d.PEP761Accepted, managers: map[string]Manager{}, lines: map[string]Line{}, kinds: map[string]ArtifactKind{}}
	t.add(d)
	return t
}

func (t *Timeline) add(d *Data) {
	for _, m := range d.Managers {
		t.managers[m.ID] = m
	}
	for _, l := range d.Lines {
		t.lines[l.Line] = l
	}
	for _, k := range d.ArtifactKinds {
		t.kinds[k.Kind] = k
	}
	t.subkinds = t.subkinds[:0:0]
	for _, k := range t.kinds {
		if k.Of != "" {
			t.subkinds = append(t.subkinds, k)
		}
	}
	sort.Slice(t.subkinds, func(i, j int) bool { return t.subkinds[i].Kind < t.subkinds[j].Kind })
	t.lapses = append(t.lapses[:len(t.lapses):len(t.lapses)], d.Lapses...)
	t.extras = append(t.extras[:len(t.extras):len(t.extras)], d.Extras...)
	t.order = t.order[:0]
	for l := range t.lines {
		t.order = append(t.order, l)
	}
	sort.Slice(t.order, func(i, j int) bool { return CompareLines(t.order[i], t.order[j]) < 0 })
}

// WithPolicy returns a copy of t with the managers and lines of a policy
// file added or replaced (a line or manager with the same name replaces the
// embedded one whole). The merged result is validated again.
func (t *Timeline) WithPolicy(r io.Reader, name string) (*Timeline, error) {
	d, err := ParseData(r, name, true)
	if err != nil {
		return nil, err
	}
	n := &Timeline{accepted: t.accepted, managers: map[string]Manager{}, lines: map[string]Line{}, kinds: map[string]ArtifactKind{},
		lapses: append([]Lapse(nil), t.lapses...), extras: append([]Extra(nil), t.extras...)}
	for k, v := range t.kinds {
		n.kinds[k] = v
	}
	for k, v := range t.managers {
		n.managers[k] = v
	}
	for k, v := range t.lines {
		n.lines[k] = v
	}
	if !d.PEP761Accepted.IsZero() {
		n.accepted = d.PEP761Accepted
	}
	n.add(d)
	for i, l := range d.Lines {
		if _, ok := n.managers[l.Manager]; !ok {
			return nil, &ValidationError{File: name, Line: nodeLine(d.rootNode(), "lines", i, "manager"), Field: fmt.Sprintf("lines[%d].manager", i),
				Msg: fmt.Sprintf("unknown manager %q (define it under managers)", l.Manager)}
		}
		for k, in := range l.Installers {
			if _, ok := n.managers[in.PGP]; !ok {
				return nil, &ValidationError{File: name, Line: nodeLine(d.rootNode(), "lines", i, "installers", k), Field: fmt.Sprintf("lines[%d].installers.%s", i, k),
					Msg: fmt.Sprintf("unknown manager %q", in.PGP)}
			}
		}
	}
	return n, nil
}

// Lines returns every line, oldest first.
func (t *Timeline) Lines() []Line {
	out := make([]Line, 0, len(t.order))
	for _, l := range t.order {
		out = append(out, t.lines[l].clone())
	}
	return out
}

// Line returns one line's facts.
func (t *Timeline) Line(line string) (Line, bool) {
	l, ok := t.lines[line]
	return l.clone(), ok
}

// clone copies l's maps and slices: Default's timeline is shared, and a
// caller that edits what it got must not change it.
func (l Line) clone() Line {
	l.SigstoreFrom = maps.Clone(l.SigstoreFrom)
	l.Installers = maps.Clone(l.Installers)
	l.Sources = slices.Clone(l.Sources)
	return l
}

func (m Manager) clone() Manager {
	m.PGP = slices.Clone(m.PGP)
	m.Sources = slices.Clone(m.Sources)
	return m
}

// Manager returns a manager by id.
func (t *Timeline) Manager(id string) (Manager, bool) {
	m, ok := t.managers[id]
	return m.clone(), ok
}

// Managers returns every manager, sorted by id.
func (t *Timeline) Managers() []Manager {
	out := make([]Manager, 0, len(t.managers))
	for _, m := range t.managers {
		out = append(out, m.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Accepted is the date PEP 761 was accepted.
func (t *Timeline) Accepted() Date { return t.accepted }

// ErrUnknownLine is returned for a version whose line the timeline lacks.
var ErrUnknownLine = errors.New("unknown release line")

// UnknownLineError names the line and how to teach sigaudit about it.
type UnknownLineError struct{ Line string }

func (e *UnknownLineError) Error() string {
	return fmt.Sprintf("release line %s is not in sigaudit's timeline", e.Line)
}

// Hint says how to fix it.
func (e *UnknownLineError) Hint() string {
	return "pass --policy FILE with a lines entry for " + e.Line + " (manager, identity, issuer, dates); see the README's policy file section"
}

func (e *UnknownLineError) Is(target error) bool { return target == ErrUnknownLine }

// Options change how the rules are applied.
type Options struct {
	// PGPDelayed models PEP 761's Steering Council delay: every manager who
	// would have stopped first keeps PGP, and the stop moves to the next
	// manager with no stable release.
	PGPDelayed bool
	// ReleaseDate, when known, is when the release was published. A release
	// published after its line's end of life is outside the line's life and
	// carries no PGP guarantee. Zero means "within the line's life", which
	// holds for every release python.org publishes.
	ReleaseDate time.Time
}

// Expectation is what PEP 761 and the timeline guarantee for one artifact.
type Expectation struct {
	Version string `json:"version"`
	Line    string `json:"line"`
	Kind    string `json:"kind"`
	Manager string `json:"manager"`

	PGP             bool     `json:"pgp"`
	PGPSigner       string   `json:"pgp_signer,omitempty"`
	PGPFingerprints []string `json:"pgp_fingerprints,omitempty"`
	PGPUntil        Date     `json:"pgp_until,omitzero"`
	PGPReason       string   `json:"pgp_reason"`

	// PGPUnknown is set when python.org's record does not say whether it
	// signs this kind of artifact with PGP (PGP is then false, and
	// PGPReason says why): report a note, not a gap.
	PGPUnknown bool `json:"pgp_unknown,omitempty"`

	Sigstore       bool   `json:"sigstore"`
	SigstoreFrom   string `json:"sigstore_from,omitempty"`
	Identity       string `json:"identity"`
	Issuer         string `json:"issuer"`
	SigstoreReason string `json:"sigstore_reason"`

	// Subkind is the refined kind ExpectFile matched by file name (e.g.
	// "windows-manifest", "docs-chm"), "" when the kind's own rule applied.
	Subkind string `json:"subkind,omitempty"`
	// Lapse, set by ExpectFile, is the evidence that python.org published
	// this very file without a signature it should have (a known lapse:
	// still a gap).
	Lapse *Lapse `json:"lapse,omitempty"`
}

// Methods names the guaranteed methods: "PGP+Sigstore", "Sigstore only",
// "PGP only" or "none".
func (e Expectation) Methods() string {
	switch {
	case e.PGP && e.Sigstore:
		return "PGP+Sigstore"
	case e.Sigstore:
		return "Sigstore only"
	case e.PGP:
		return "PGP only"
	}
	return "none"
}

// firstStable is the earliest first stable release of any line a manager runs.
func (t *Timeline) firstStable(managerID string) (Date, bool) {
	var first Date
	for _, l := range t.order {
		line := t.lines[l]
		if line.Manager == managerID && (first.IsZero() || line.FirstStable.First().Before(first.First())) {
			first = line.FirstStable
		}
	}
	return first, !first.IsZero()
}

// ManagerKeepsPGP applies PEP 761 to a manager: one who had a stable release
// before the PEP's acceptance keeps PGP for their lines; one who had not
// publishes none. With the delay clause the first manager to stop keeps PGP
// too, and the stop moves to the next new manager.
func (t *Timeline) ManagerKeepsPGP(managerID string, delayed bool) bool {
	first, ok := t.firstStable(managerID)
	if !ok {
		return false
	}
	if first.First().Before(t.accepted.First()) {
		return true
	}
	if !delayed {
		return false
	}
	// The first manager whose first stable release came after acceptance.
	var firstNew string
	var firstNewDate Date
	for id := range t.managers {
		d, ok := t.firstStable(id)
		if !ok || d.First().Before(t.accepted.First()) {
			continue
		}
		if firstNew == "" || d.First().Before(firstNewDate.First()) || (d == firstNewDate && id < firstNew) {
			firstNew, firstNewDate = id, d
		}
	}
	return managerID == firstNew
}

// Expect returns what is guaranteed for an artifact of kind ("source",
// "windows", "macos", "android", "docs" or another word) of version v. It
// applies the kind's own rule; ExpectFile refines it by the file name.
func (t *Timeline) Expect(v Version, kind string, opt Options) (Expectation, error) {
	return t.ExpectFile(v, kind, "", opt)
}

// KindRule returns the PGP rule for an artifact of kind named name: the
// first sub-kind of kind whose pattern matches name, else kind's own rule.
func (t *Timeline) KindRule(kind, name string) (ArtifactKind, bool) {
	if name != "" {
		for _, k := range t.subkinds {
			if k.Of == kind && k.re != nil && k.re.MatchString(name) {
				return k, true
			}
		}
	}
	k, ok := t.kinds[kind]
	return k, ok
}

// ArtifactKinds returns every kind and sub-kind rule, sorted by kind.
func (t *Timeline) ArtifactKinds() []ArtifactKind {
	out := make([]ArtifactKind, 0, len(t.kinds))
	for _, k := range t.kinds {
		k.Sources = slices.Clone(k.Sources)
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// Lapses returns the known python.org lapses.
func (t *Timeline) Lapses() []Lapse { return append([]Lapse(nil), t.lapses...) }

// Extras returns the versions python.org signed beyond its promise.
func (t *Timeline) Extras() []Extra { return append([]Extra(nil), t.extras...) }

// LapseFor returns the known lapse of method ("sigstore" or "pgp") for the
// file name in release directory dir ("" matches any directory).
func (t *Timeline) LapseFor(dir, name, method string) (Lapse, bool) {
	for _, l := range t.lapses {
		if l.Name == name && l.Method == method && (dir == "" || l.Dir == dir) {
			l.Sources = slices.Clone(l.Sources)
			return l, true
		}
	}
	return Lapse{}, false
}

// ExtraFor returns the record of python.org signing version beyond its
// promise with method, if any.
func (t *Timeline) ExtraFor(version, method string) (Extra, bool) {
	for _, x := range t.extras {
		if x.Version == version && x.Method == method {
			return x, true
		}
	}
	return Extra{}, false
}

// ExpectFile is Expect for the artifact file name (name may be ""): the
// name selects a sub-kind's PGP rule (the Windows release manifest, the
// Windows help file) and a known lapse.
func (t *Timeline) ExpectFile(v Version, kind, name string, opt Options) (Expectation, error) {
	line, ok := t.lines[v.Line()]
	if !ok {
		return Expectation{}, &UnknownLineError{Line: v.Line()}
	}
	mgr := t.managers[line.Manager]
	e := Expectation{
		Version: v.String(), Line: line.Line, Kind: kind, Manager: mgr.Name,
		Identity: line.Identity, Issuer: line.Issuer,
	}
	rule, known := t.KindRule(kind, name)
	what := kind
	if known && rule.Of != "" {
		e.Subkind = rule.Kind
		what = rule.Kind
	}

	t.expectPGP(&e, line, pgpSigner(line, kind, rule, known), what, rule, known, opt)
	if err := t.expectSigstore(&e, v, line, kind, name); err != nil {
		return Expectation{}, err
	}
	return e, nil
}

// pgpSigner is the id of the manager whose key signs kind's artifacts of
// line ("" when none is on record): the line's manager, or an installer
// signer as rule says.
func pgpSigner(line Line, kind string, rule ArtifactKind, known bool) string {
	switch {
	case known && rule.PGP == PGPSigned && rule.Signer == "manager":
		return line.Manager
	case known && rule.PGP == PGPSigned && rule.Signer == "installer":
		in, ok := line.Installers[kind]
		if !ok && rule.Of != "" {
			in = line.Installers[rule.Of]
		}
		return in.PGP
	case known && rule.PGP == PGPSigned:
		return line.Installers[strings.TrimPrefix(rule.Signer, "installer:")].PGP
	case known:
		return ""
	case kind == "source":
		return line.Manager // a timeline without artifact_kinds (old policy data)
	}
	return line.Installers[kind].PGP
}

// expectPGP fills e's PGP expectation: PEP 761's rule for the line's
// manager, the line's end of life, then what python.org does for the
// kind (what names it), then the signer.
func (t *Timeline) expectPGP(e *Expectation, line Line, signerID, what string, rule ArtifactKind, known bool, opt Options) {
	mgr := t.managers[line.Manager]
	keeps := t.ManagerKeepsPGP(line.Manager, opt.PGPDelayed)
	pastEOL := !opt.ReleaseDate.IsZero() && DateOf(opt.ReleaseDate).First().After(line.EndOfLife.Last())
	switch {
	case !keeps && opt.PGPDelayed:
		e.PGPReason = fmt.Sprintf("%s had no stable release before PEP 761's stop moved to them (delay clause applied)", mgr.Name)
	case !keeps:
		e.PGPReason = fmt.Sprintf("PEP 761: %s had no stable release when the PEP was accepted (%s), so publishes no PGP signatures", mgr.Name, t.accepted)
	case pastEOL:
		e.PGPReason = fmt.Sprintf("released %s, after %s's end of life (%s)", DateOf(opt.ReleaseDate), line.Line, line.EndOfLife)
	case known && rule.PGP == PGPNone:
		e.PGPReason = fmt.Sprintf("python.org publishes no PGP signatures for %s artifacts", what)
		if rule.Note != "" {
			e.PGPReason += ": " + rule.Note
		}
	case known && rule.PGP == PGPUnknown:
		e.PGPUnknown = true
		e.PGPReason = fmt.Sprintf("python.org's record does not say whether %s artifacts are PGP-signed", what)
		if rule.Note != "" {
			e.PGPReason += ": " + rule.Note
		}
	case signerID == "":
		e.PGPUnknown = true
		e.PGPReason = fmt.Sprintf("no PGP signer is on record for %s artifacts of %s", what, line.Line)
	default:
		signer := t.managers[signerID]
		e.PGP = true
		e.PGPSigner = signer.Name
		e.PGPFingerprints = append([]string(nil), signer.PGP...)
		e.PGPUntil = line.EndOfLife
		e.PGPReason = fmt.Sprintf("PEP 761: %s had a stable release before %s; PGP until %s's end of life (%s)", mgr.Name, t.accepted, line.Line, line.EndOfLife)
		if opt.PGPDelayed && !t.firstStableBefore(line.Manager) {
			e.PGPReason = fmt.Sprintf("PEP 761 delay clause: %s keeps PGP as an active manager; until %s's end of life (%s)", mgr.Name, line.Line, line.EndOfLife)
		}
		if len(signer.PGP) == 0 {
			e.PGPReason += "; no PGP key is on record for " + signer.Name + " (add one with --keyring and a policy file)"
		}
	}
}

// expectSigstore fills e's Sigstore expectation: by the parent kind's
// boundary in the line, and the known lapse of the file name.
func (t *Timeline) expectSigstore(e *Expectation, v Version, line Line, kind, name string) error {
	extra := func() {
		if x, ok := t.ExtraFor(v.String(), "sigstore"); ok {
			e.SigstoreReason += " (python.org signed some of " + x.Version + "'s files anyway: " + x.Evidence + ")"
		}
	}
	from, ok := line.SigstoreFrom[kind]
	if !ok {
		e.SigstoreReason = fmt.Sprintf("no Sigstore signatures are guaranteed for %s artifacts of %s", kind, line.Line)
		extra()
		return nil
	}
	fv, err := ParseVersion(from)
	if err != nil { // validated on load
		return err
	}
	e.SigstoreFrom = from
	if v.Compare(fv) < 0 {
		e.SigstoreReason = fmt.Sprintf("Sigstore signing of %s artifacts of %s starts with %s", kind, line.Line, from)
		extra()
		return nil
	}
	e.Sigstore = true
	e.SigstoreReason = fmt.Sprintf("Sigstore bundles are published for %s artifacts from %s on", kind, from)
	if name != "" {
		if l, ok := t.LapseFor("", name, "sigstore"); ok {
			e.Lapse = &l
			e.SigstoreReason += "; a known python.org lapse: " + l.Evidence
		}
	}
	return nil
}

func (t *Timeline) firstStableBefore(managerID string) bool {
	first, ok := t.firstStable(managerID)
	return ok && first.First().Before(t.accepted.First())
}

// ExpectString parses s as a version and calls Expect.
func (t *Timeline) ExpectString(s, kind string, opt Options) (Expectation, error) {
	v, err := ParseVersion(s)
	if err != nil {
		return Expectation{}, err
	}
	return t.Expect(v, kind, opt)
}
