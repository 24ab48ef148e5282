package timeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// MaxVersionsFileSize bounds a --from file.
const MaxVersionsFileSize = 4 << 20

// ParseVersionsFile reads the lines or versions a packager ships from:
// docker-library/python's versions.json shape (an object whose keys are
// lines and whose values carry a "version"), a JSON array of strings, or a
// plain list (one per line, '#' comments). Each entry is a line ("3.13") or
// a version ("3.13.5"); every entry is validated.
func ParseVersionsFile(b []byte, name string) ([]string, error) {
	if len(b) > MaxVersionsFileSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, MaxVersionsFileSize)
	}
	trimmed := bytes.TrimSpace(b)
	var out []string
	switch {
	case len(trimmed) == 0:
		return nil, fmt.Errorf("%s: empty", name)
	case trimmed[0] == '{':
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &obj); err != nil {
			return nil, fmt.Errorf("%s: not a JSON object: %v", name, err)
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys) // deterministic errors; entries are ordered by version below
		for _, k := range keys {
			var entry struct {
				Version string `json:"version"`
			}
			// docker-library keys look like "3.13" or "3.14-rc"; values
			// hold the exact version. null entries (unreleased) are skipped.
			if string(obj[k]) == "null" {
				continue
			}
			if err := json.Unmarshal(obj[k], &entry); err != nil || entry.Version == "" {
				return nil, fmt.Errorf("%s: entry %q has no \"version\" string", name, k)
			}
			out = append(out, entry.Version)
		}
	case trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &out); err != nil {
			return nil, fmt.Errorf("%s: not a JSON array of strings: %v", name, err)
		}
	default:
		sc := bufio.NewScanner(bytes.NewReader(trimmed))
		n := 0
		for sc.Scan() {
			n++
			line := strings.TrimSpace(sc.Text())
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = strings.TrimSpace(line[:i])
			}
			if line == "" {
				continue
			}
			for _, f := range strings.Fields(line) {
				if !IsLine(f) {
					if _, err := ParseVersion(f); err != nil {
						return nil, fmt.Errorf("%s:%d: %v", name, n, err)
					}
				}
				out = append(out, f)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}
	for _, v := range out {
		if IsLine(v) {
			continue
		}
		if _, err := ParseVersion(v); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: names no line or version", name)
	}
	if trimmed[0] == '{' {
		// An object has no order of its own: release order, a line before
		// its versions.
		sort.SliceStable(out, func(i, j int) bool { return compareEntries(out[i], out[j]) < 0 })
	}
	return out, nil
}

// compareEntries orders validated lines and versions: "3.13" < "3.13.0a1" <
// "3.13.5" < "3.14".
func compareEntries(a, b string) int {
	va, la := entryVersion(a)
	vb, lb := entryVersion(b)
	if c := va.Compare(vb); c != 0 {
		return c
	}
	switch {
	case la && !lb:
		return -1
	case lb && !la:
		return 1
	}
	return 0
}

func entryVersion(s string) (Version, bool) {
	if IsLine(s) {
		maj, min, _ := ParseLine(s)
		return Version{Major: maj, Minor: min, Pre: "a"}, true
	}
	v, _ := ParseVersion(s)
	return v, false
}
