package timeline

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"gopkg.in/yaml.v3"
)

//go:embed lines.json
var embedded []byte

// Embedded returns the raw release-line data compiled into sigaudit.
func Embedded() []byte { return bytes.Clone(embedded) }

// Date is a calendar date that may be known only to the month ("2029-10").
// A month-precision date ends on the last day of its month: a line whose end
// of life is "2025-10" is alive for all of October 2025.
type Date struct {
	Year  int
	Month time.Month
	Day   int // 0 when only the month is known
}

var dateRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?$`) })

// ParseDate parses "YYYY-MM-DD" or "YYYY-MM".
func ParseDate(s string) (Date, error) {
	m := dateRE().FindStringSubmatch(s)
	if m == nil {
		return Date{}, fmt.Errorf("bad date %q: want YYYY-MM-DD or YYYY-MM", s)
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d := Date{Year: y, Month: time.Month(mo)}
	if mo < 1 || mo > 12 {
		return Date{}, fmt.Errorf("bad date %q: month %d out of range", s, mo)
	}
	if m[3] != "" {
		d.Day, _ = strconv.Atoi(m[3])
		t := time.Date(y, time.Month(mo), d.Day, 0, 0, 0, 0, time.UTC)
		if t.Day() != d.Day || d.Day == 0 {
			return Date{}, fmt.Errorf("bad date %q: no such day", s)
		}
	}
	return d, nil
}

// MustDate is ParseDate for literals in tests and code.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the day t falls on, in UTC.
func DateOf(t time.Time) Date {
	t = t.UTC()
	return Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
}

// IsZero reports whether d is unset.
func (d Date) IsZero() bool { return d.Year == 0 }

// First is the first day d covers (00:00 UTC).
func (d Date) First() time.Time {
	day := d.Day
	if day == 0 {
		day = 1
	}
	return time.Date(d.Year, d.Month, day, 0, 0, 0, 0, time.UTC)
}

// Last is the last day d covers (00:00 UTC of that day).
func (d Date) Last() time.Time {
	if d.Day != 0 {
		return d.First()
	}
	return time.Date(d.Year, d.Month+1, 0, 0, 0, 0, 0, time.UTC)
}

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Day == 0 {
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// UnmarshalYAML reads a date written as a string.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: bad date: want a string YYYY-MM-DD or YYYY-MM", n.Line)
	}
	v, err := ParseDate(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	*d = v
	return nil
}

// UnmarshalJSON reads a date written as a string (for the embedded
// timeline, see parseEmbedded).
func (d *Date) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return errors.New("bad date: want a string YYYY-MM-DD or YYYY-MM")
	}
	v, err := ParseDate(str)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalText writes the date as it was given.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Manager is a person who signs releases.
type Manager struct {
	ID      string   `yaml:"id" json:"id"`
	Name    string   `yaml:"name" json:"name"`
	PGP     []string `yaml:"pgp" json:"pgp"`
	Sources []string `yaml:"sources" json:"sources,omitempty"`
}

// Installer names who signs a platform's installers with PGP, where that is
// not the line's manager.
type Installer struct {
	PGP string `yaml:"pgp" json:"pgp"`
}

// Line is one CPython feature release line (3.13) and its facts.
type Line struct {
	Line         string               `yaml:"line" json:"line"`
	PEP          int                  `yaml:"pep" json:"pep,omitempty"`
	Manager      string               `yaml:"manager" json:"manager"`
	Identity     string               `yaml:"identity" json:"identity"`
	Issuer       string               `yaml:"issuer" json:"issuer"`
	FirstStable  Date                 `yaml:"first_stable" json:"first_stable"`
	EndOfLife    Date                 `yaml:"end_of_life" json:"end_of_life"`
	SigstoreFrom map[string]string    `yaml:"sigstore_from" json:"sigstore_from"`
	Installers   map[string]Installer `yaml:"installers" json:"installers,omitempty"`
	Planned      bool                 `yaml:"planned" json:"planned,omitempty"`
	Note         string               `yaml:"note" json:"note,omitempty"`
	Sources      []string             `yaml:"sources" json:"sources,omitempty"`
}

// PGP record of a kind of artifact.
const (
	PGPSigned  = "signed"  // python.org publishes a .asc for it
	PGPUnknown = "unknown" // the record does not say
	PGPNone    = "none"    // python.org publishes none
)

// ArtifactKind is how python.org signs one kind of artifact with PGP, and
// on what evidence. A sub-kind (Of and Match set) refines a kind by the
// file name, e.g. the Windows release manifest among "windows" files.
type ArtifactKind struct {
	Kind  string `yaml:"kind" json:"kind"`
	Of    string `yaml:"of" json:"of,omitempty"`       // parent kind of a sub-kind
	Match string `yaml:"match" json:"match,omitempty"` // regexp on the file name, for a sub-kind
	PGP   string `yaml:"pgp" json:"pgp"`               // signed, unknown or none
	// Signer is who signs, for PGP "signed": "manager" (the line's
	// manager), "installer" (the line's installers entry for this kind, or
	// the parent kind) or "installer:KIND" (the line's entry for KIND).
	Signer  string   `yaml:"signer" json:"signer,omitempty"`
	Note    string   `yaml:"note" json:"note,omitempty"`
	Sources []string `yaml:"sources" json:"sources,omitempty"`

	re *regexp.Regexp
}

// Lapse is a file python.org published without a signature that the rules
// expect for it: a real gap, known and explained. It is still reported as
// a gap; the record test knows it.
type Lapse struct {
	Dir      string   `yaml:"dir" json:"dir"`   // release directory, e.g. 3.14.0
	Name     string   `yaml:"name" json:"name"` // file name
	Method   string   `yaml:"method" json:"method"`
	Evidence string   `yaml:"evidence" json:"evidence"`
	Sources  []string `yaml:"sources" json:"sources,omitempty"`
}

// Extra is a version whose files python.org signed beyond what the rules
// promise (present but not expected: never a gap).
type Extra struct {
	Version  string   `yaml:"version" json:"version"`
	Method   string   `yaml:"method" json:"method"`
	Evidence string   `yaml:"evidence" json:"evidence"`
	Sources  []string `yaml:"sources" json:"sources,omitempty"`
}

// Data is the whole release-line file, embedded or from a policy file.
type Data struct {
	root           func() *yaml.Node // positions, for error messages (parsed when one is needed)
	Schema         int               `yaml:"schema" json:"schema"`
	Updated        string            `yaml:"updated" json:"updated"` // when the data was last reviewed
	PEP761Accepted Date              `yaml:"pep761_accepted" json:"pep761_accepted"`
	Sources        map[string]string `yaml:"sources" json:"sources"`
	Managers       []Manager         `yaml:"managers" json:"managers"`
	Lines          []Line            `yaml:"lines" json:"lines"`
	ArtifactKinds  []ArtifactKind    `yaml:"artifact_kinds" json:"artifact_kinds"`
	Lapses         []Lapse           `yaml:"lapses" json:"lapses"`
	Extras         []Extra           `yaml:"extras" json:"extras"`
}

// ValidationError is a problem in a release-line file, with where it is.
type ValidationError struct {
	File  string
	Line  int    // 1-based line in the file, 0 if unknown
	Field string // dotted path, e.g. lines[3].end_of_life
	Msg   string
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	fmt.Fprintf(&b, ": %s", e.Msg)
	return b.String()
}

// maxDataSize bounds a release-line or policy file.
const maxDataSize = 1 << 20

// Kinds of artifact the rules know about.
var knownKinds = map[string]bool{"source": true, "windows": true, "macos": true, "android": true, "docs": true, "sbom": true}

var fingerprintRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9A-F]{40}$`) })

// ParseData reads and validates a release-line file (JSON or YAML). name is
// used in error messages. Partial files (policy overrides) are accepted when
// partial is true: then schema and pep761_accepted may be absent.
func ParseData(r io.Reader, name string, partial bool) (*Data, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxDataSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > maxDataSize {
		return nil, &ValidationError{File: name, Msg: fmt.Sprintf("larger than %d bytes", maxDataSize)}
	}
	var d Data
	// The file is parsed once, into d; the node tree that gives the line
	// of a field is parsed again only for an error message.
	root := sync.OnceValue(func() *yaml.Node {
		var n yaml.Node
		if yaml.Unmarshal(b, &n) != nil {
			return &yaml.Node{}
		}
		return &n
	})
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&d); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &ValidationError{File: name, Msg: "empty file"}
		}
		ve := yamlError(name, err)
		if ve.Line > 0 {
			if f := fieldAtLine(root(), ve.Line, ""); f != "" {
				ve.Field = f
			}
		}
		return nil, ve
	}
	d.root = root
	if err := d.validate(name, root, partial); err != nil {
		return nil, err
	}
	return &d, nil
}

// parseEmbedded is ParseData for the timeline compiled into sigaudit,
// which is JSON: encoding/json decodes it in a fraction of yaml.v3's time
// (the embedded timeline is read by every command that checks artifacts).
// The result is validated the same way; TestEmbeddedJSONMatchesYAML
// checks that it is exactly what ParseData gives. Anything encoding/json
// refuses goes to ParseData, for its error message.
func parseEmbedded(b []byte, name string) (*Data, error) {
	var d Data
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil || dec.More() {
		return ParseData(bytes.NewReader(b), name, false)
	}
	root := sync.OnceValue(func() *yaml.Node {
		var n yaml.Node
		if yaml.Unmarshal(b, &n) != nil {
			return &yaml.Node{}
		}
		return &n
	})
	d.root = root
	if err := d.validate(name, root, false); err != nil {
		return nil, err
	}
	return &d, nil
}

// fieldAtLine returns the dotted path of the mapping key on line, e.g.
// lines[0].first_stable.
func fieldAtLine(n *yaml.Node, line int, path string) string {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if f := fieldAtLine(c, line, path); f != "" {
				return f
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if path != "" {
				p = path + "." + k.Value
			}
			if k.Line == line && (v.Kind == yaml.ScalarNode || v.Line == line) {
				return p
			}
			if f := fieldAtLine(v, line, p); f != "" {
				return f
			}
			if k.Line == line {
				return p
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if f := fieldAtLine(c, line, fmt.Sprintf("%s[%d]", path, i)); f != "" {
				return f
			}
		}
	}
	return ""
}

var yamlLineRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`line ([0-9]+): (.*)`) })

var unknownFieldRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`field (\S+) not found`) })

func yamlError(name string, err error) *ValidationError {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n")
	first := strings.TrimSpace(strings.SplitN(msg, "\n", 2)[0])
	ve := &ValidationError{File: name, Msg: first}
	if m := yamlLineRE().FindStringSubmatch(first); m != nil {
		ve.Line, _ = strconv.Atoi(m[1])
		ve.Msg = m[2]
		if f := unknownFieldRE().FindStringSubmatch(m[2]); f != nil {
			ve.Field = f[1]
			ve.Msg = "unknown field " + strconv.Quote(f[1])
		}
		ve.Msg = strings.TrimPrefix(ve.Msg, "line "+m[1]+": ")
	}
	return ve
}

// nodeLine finds the source line of a path like ("lines", 3, "end_of_life").
func nodeLine(root *yaml.Node, path ...any) int {
	n := root
	if n == nil {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := n.Line
	for _, p := range path {
		switch p := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return line
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					line = n.Content[i].Line
					n = n.Content[i+1]
					found = true
					break
				}
			}
			if !found {
				return line
			}
		case int:
			if n.Kind != yaml.SequenceNode || p >= len(n.Content) {
				return line
			}
			n = n.Content[p]
			line = n.Line
		}
	}
	return line
}

func (d *Data) validate(name string, root func() *yaml.Node, partial bool) error {
	fail := func(msg string, path ...any) error {
		var field []string
		for _, p := range path {
			switch p := p.(type) {
			case string:
				field = append(field, p)
			case int:
				field[len(field)-1] += fmt.Sprintf("[%d]", p)
			}
		}
		return &ValidationError{File: name, Line: nodeLine(root(), path...), Field: strings.Join(field, "."), Msg: msg}
	}
	if !partial {
		if d.Schema != 1 {
			return fail(fmt.Sprintf("unsupported schema %d (want 1)", d.Schema), "schema")
		}
		if d.PEP761Accepted.IsZero() {
			return fail("missing", "pep761_accepted")
		}
	} else if d.Schema != 0 && d.Schema != 1 {
		return fail(fmt.Sprintf("unsupported schema %d (want 1)", d.Schema), "schema")
	}
	for _, check := range []func(failFunc, bool) error{d.validateManagers, d.validateLines, d.validateKinds, d.validateLapses} {
		if err := check(fail, partial); err != nil {
			return err
		}
	}
	if !partial {
		return d.checkRefs(fail)
	}
	return nil
}

// failFunc makes the ValidationError of a field given by its path
// ("lines", 3, "issuer").
type failFunc func(msg string, path ...any) error

func (d *Data) validateManagers(fail failFunc, partial bool) error {
	managers := map[string]bool{}
	for i, m := range d.Managers {
		if m.ID == "" {
			return fail("missing manager id", "managers", i, "id")
		}
		if managers[m.ID] {
			return fail(fmt.Sprintf("duplicate manager %q", m.ID), "managers", i, "id")
		}
		managers[m.ID] = true
		if m.Name == "" {
			return fail("missing name", "managers", i, "name")
		}
		for j, fp := range m.PGP {
			if !fingerprintRE().MatchString(fp) {
				return fail(fmt.Sprintf("bad fingerprint %q: want 40 upper-case hex digits", fp), "managers", i, "pgp", j)
			}
		}
		for _, s := range m.Sources {
			if _, ok := d.Sources[s]; !ok && !partial {
				return fail(fmt.Sprintf("unknown source %q", s), "managers", i, "sources")
			}
		}
	}
	return nil
}

func (d *Data) validateLines(fail failFunc, partial bool) error {
	lines := map[string]bool{}
	for i, l := range d.Lines {
		if _, _, err := ParseLine(l.Line); err != nil {
			return fail(err.Error(), "lines", i, "line")
		}
		if lines[l.Line] {
			return fail(fmt.Sprintf("duplicate line %q", l.Line), "lines", i, "line")
		}
		lines[l.Line] = true
		if l.Manager == "" {
			return fail("missing manager", "lines", i, "manager")
		}
		if l.Identity == "" {
			return fail("missing Sigstore identity", "lines", i, "identity")
		}
		if u, err := url.Parse(l.Issuer); err != nil || u.Scheme != "https" || u.Host == "" {
			return fail(fmt.Sprintf("bad issuer %q: want an https URL", l.Issuer), "lines", i, "issuer")
		}
		if l.FirstStable.IsZero() {
			return fail("missing", "lines", i, "first_stable")
		}
		if l.EndOfLife.IsZero() {
			return fail("missing", "lines", i, "end_of_life")
		}
		if !l.EndOfLife.Last().After(l.FirstStable.First()) {
			return fail("end of life is not after first stable release", "lines", i, "end_of_life")
		}
		for kind, from := range l.SigstoreFrom {
			if !knownKinds[kind] {
				return fail(fmt.Sprintf("unknown artifact kind %q", kind), "lines", i, "sigstore_from")
			}
			v, err := ParseVersion(from)
			if err != nil {
				return fail(err.Error(), "lines", i, "sigstore_from", kind)
			}
			if v.Line() != l.Line {
				return fail(fmt.Sprintf("version %s is not in line %s", from, l.Line), "lines", i, "sigstore_from", kind)
			}
		}
		for kind := range l.Installers {
			if !knownKinds[kind] {
				return fail(fmt.Sprintf("unknown artifact kind %q", kind), "lines", i, "installers")
			}
		}
		for _, s := range l.Sources {
			if _, ok := d.Sources[s]; !ok && !partial {
				return fail(fmt.Sprintf("unknown source %q", s), "lines", i, "sources")
			}
		}
	}
	return nil
}

// validateKinds checks the artifact kinds and compiles their match.
func (d *Data) validateKinds(fail failFunc, partial bool) error {
	kinds := map[string]bool{}
	for i := range d.ArtifactKinds {
		k := &d.ArtifactKinds[i]
		if k.Kind == "" || kinds[k.Kind] {
			return fail(fmt.Sprintf("missing or duplicate kind %q", k.Kind), "artifact_kinds", i, "kind")
		}
		kinds[k.Kind] = true
		if (k.Of == "") != (k.Match == "") {
			return fail("a sub-kind needs both of and match", "artifact_kinds", i, "of")
		}
		if k.Of == "" && !knownKinds[k.Kind] {
			return fail(fmt.Sprintf("unknown artifact kind %q", k.Kind), "artifact_kinds", i, "kind")
		}
		if k.Of != "" {
			if !knownKinds[k.Of] {
				return fail(fmt.Sprintf("unknown artifact kind %q", k.Of), "artifact_kinds", i, "of")
			}
			if len(k.Match) > 200 {
				return fail("match longer than 200 characters", "artifact_kinds", i, "match")
			}
			re, err := regexp.Compile(k.Match)
			if err != nil {
				return fail(fmt.Sprintf("bad match: %v", err), "artifact_kinds", i, "match")
			}
			k.re = re
		}
		switch k.PGP {
		case PGPSigned:
			if k.Signer != "manager" && k.Signer != "installer" && !(strings.HasPrefix(k.Signer, "installer:") && knownKinds[strings.TrimPrefix(k.Signer, "installer:")]) {
				return fail(fmt.Sprintf("bad signer %q: want manager, installer or installer:KIND", k.Signer), "artifact_kinds", i, "signer")
			}
		case PGPUnknown, PGPNone:
			if k.Signer != "" {
				return fail("a signer without pgp: signed", "artifact_kinds", i, "signer")
			}
		default:
			return fail(fmt.Sprintf("bad pgp %q: want signed, unknown or none", k.PGP), "artifact_kinds", i, "pgp")
		}
		for _, s := range k.Sources {
			if _, ok := d.Sources[s]; !ok && !partial {
				return fail(fmt.Sprintf("unknown source %q", s), "artifact_kinds", i, "sources")
			}
		}
	}
	return nil
}

// validateLapses checks the recorded lapses and extras.
func (d *Data) validateLapses(fail failFunc, _ bool) error {
	for i, l := range d.Lapses {
		if _, err := ParseVersion(l.Dir); err != nil {
			return fail(err.Error(), "lapses", i, "dir")
		}
		if l.Name == "" || strings.ContainsAny(l.Name, "/\\") {
			return fail(fmt.Sprintf("bad file name %q", l.Name), "lapses", i, "name")
		}
		if l.Method != "sigstore" && l.Method != "pgp" {
			return fail(fmt.Sprintf("bad method %q: want sigstore or pgp", l.Method), "lapses", i, "method")
		}
		if l.Evidence == "" {
			return fail("missing", "lapses", i, "evidence")
		}
	}
	for i, x := range d.Extras {
		if _, err := ParseVersion(x.Version); err != nil {
			return fail(err.Error(), "extras", i, "version")
		}
		if x.Method != "sigstore" && x.Method != "pgp" {
			return fail(fmt.Sprintf("bad method %q: want sigstore or pgp", x.Method), "extras", i, "method")
		}
		if x.Evidence == "" {
			return fail("missing", "extras", i, "evidence")
		}
	}
	return nil
}

// checkRefs checks that every manager a line names exists.
func (d *Data) checkRefs(fail func(string, ...any) error) error {
	ids := map[string]bool{}
	for _, m := range d.Managers {
		ids[m.ID] = true
	}
	for i, l := range d.Lines {
		if !ids[l.Manager] {
			return fail(fmt.Sprintf("unknown manager %q", l.Manager), "lines", i, "manager")
		}
		kinds := make([]string, 0, len(l.Installers))
		for k := range l.Installers {
			kinds = append(kinds, k)
		}
		sort.Strings(kinds)
		for _, k := range kinds {
			if !ids[l.Installers[k].PGP] {
				return fail(fmt.Sprintf("unknown manager %q", l.Installers[k].PGP), "lines", i, "installers", k)
			}
		}
	}
	return nil
}

// rootNode is the parsed node tree of the file d was read from (for the
// line of a field in an error message), nil for a Data built otherwise.
func (d *Data) rootNode() *yaml.Node {
	if d.root == nil {
		return nil
	}
	return d.root()
}
