package source

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Limits of metadata documents.
const (
	MaxSBOMSize = 8 << 20
	MaxAPISize  = 64 << 20
)

var hexRE = lazyRE(`^[0-9a-f]{64}$`)

// NormalizeSHA256 lower-cases a hex SHA-256 and checks its shape.
func NormalizeSHA256(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	return s, hexRE().MatchString(s)
}

// SBOMDigest finds the SHA-256 an SPDX 2 JSON SBOM gives for the file
// named name (a package whose packageFileName or name is that file). It
// returns "" when the SBOM does not describe the file itself.
func SBOMDigest(sbom []byte, name string) (string, error) {
	if len(sbom) > MaxSBOMSize {
		return "", fmt.Errorf("SBOM larger than %d bytes", MaxSBOMSize)
	}
	var doc struct {
		SPDXVersion string `json:"spdxVersion"`
		Packages    []struct {
			Name            string `json:"name"`
			PackageFileName string `json:"packageFileName"`
			Checksums       []struct {
				Algorithm string `json:"algorithm"`
				Value     string `json:"checksumValue"`
			} `json:"checksums"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(sbom, &doc); err != nil {
		return "", fmt.Errorf("SBOM is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.SPDXVersion, "SPDX-2") {
		return "", fmt.Errorf("not an SPDX 2 document (spdxVersion %q)", doc.SPDXVersion)
	}
	found := ""
	for _, p := range doc.Packages {
		if p.PackageFileName != name && p.Name != name {
			continue
		}
		for _, c := range p.Checksums {
			if strings.EqualFold(c.Algorithm, "SHA256") {
				d, ok := NormalizeSHA256(c.Value)
				if !ok {
					return "", fmt.Errorf("SBOM has a malformed SHA256 for %s", name)
				}
				if found != "" && found != d {
					return "", fmt.Errorf("SBOM gives two SHA256 values for %s", name)
				}
				found = d
			}
		}
	}
	return found, nil
}

// APIFile is one release file as python.org's downloads API describes it
// (api/v2/downloads/release_file/), with only what an audit uses: several
// rows (APIRow) for the same file name are merged into one APIFile, no
// claim of any row is lost, and differing digests are all kept. Claims
// keeps which sibling files were claimed, not their URLs: a whole-history
// API is held for the whole audit, so it is kept small (issue 18 item 5).
type APIFile struct {
	URL    string // the first row's
	SHA256 string // the first row's, hex lower-case
	Size   int64  // the largest listed, 0 if none
	// SHA256s are the distinct sha256_sum values of every row for this
	// file, in listing order: more than one is a conflict the audit must
	// report as a mismatch.
	SHA256s []string
	// Sizes are the distinct filesize values, in listing order.
	Sizes []int64
	// Rows is how many rows of the listing named this file.
	Rows int
	// claimed has bit i set when some row claimed claimSuffixes[i].
	claimed uint8
}

// APIRow is one row of the API's listing, as python.org writes it.
type APIRow struct {
	Name                  string  `json:"name"`
	URL                   string  `json:"url"`
	SHA256                string  `json:"sha256_sum"`
	Size                  APISize `json:"filesize"`
	GPGSignatureFile      string  `json:"gpg_signature_file"`
	SigstoreBundleFile    string  `json:"sigstore_bundle_file"`
	SigstoreCertFile      string  `json:"sigstore_cert_file"`
	SigstoreSignatureFile string  `json:"sigstore_signature_file"`
	SBOMFile              string  `json:"sbom_spdx2_file"`
}

// claimSuffixes are the sibling files a row can claim, in Claims' order.
var claimSuffixes = [...]string{".asc", ".crt", ".sig", ".sigstore", ".spdx.json"}

// claims are r's claim URLs, in claimSuffixes' order.
func (r *APIRow) claims() [len(claimSuffixes)]string {
	return [...]string{r.GPGSignatureFile, r.SigstoreCertFile, r.SigstoreSignatureFile, r.SigstoreBundleFile, r.SBOMFile}
}

// Conflict says whether the rows for this file disagree on its SHA-256
// or its size.
func (f APIFile) Conflict() bool { return len(f.SHA256s) > 1 || len(f.Sizes) > 1 }

// Claims returns the sibling suffixes (".asc", ".crt", ".sig",
// ".sigstore", ".spdx.json", in that order) the API says are published
// for this file.
func (f APIFile) Claims() []string {
	var out []string
	for i, suffix := range claimSuffixes {
		if f.claimed&(1<<i) != 0 {
			out = append(out, suffix)
		}
	}
	return out
}

// Dir is the release directory the API's URL puts the file in.
func (f APIFile) Dir() string { return path.Base(path.Dir(f.URL)) }

// API maps artifact file names to what the API says of them.
type API map[string]APIFile

// ByDir indexes the API by release directory (the directory of each
// row's URL): file names, sorted. Build it once per audit, not per
// directory.
func (a API) ByDir() map[string][]string {
	out := map[string][]string{}
	for n, f := range a {
		d := f.Dir()
		out[d] = append(out[d], n)
	}
	for _, names := range out {
		sort.Strings(names)
	}
	return out
}

// MaxAPIRows bounds the rows of an API listing (python.org's whole
// history is about 10,000).
const MaxAPIRows = 500_000

// tests lower these
var maxAPIRows, maxAPISize int64 = MaxAPIRows, MaxAPISize

// Add merges one row into the API. A row without a URL, or whose file
// name is not a safe one, is left out.
func (a API) Add(f APIRow) error {
	if f.URL == "" {
		return nil
	}
	name := path.Base(f.URL)
	if !SafeName(name) {
		return nil
	}
	if f.Size < 0 { // a hand-built row
		return fmt.Errorf("API gives a negative filesize for %s", name)
	}
	if f.SHA256 != "" {
		d, ok := NormalizeSHA256(f.SHA256)
		if !ok {
			return fmt.Errorf("API gives a malformed sha256_sum %q for %s", f.SHA256, name)
		}
		f.SHA256 = d
	}
	prev, ok := a[name]
	if !ok {
		prev = APIFile{URL: f.URL}
	}
	prev.Rows++
	if f.SHA256 != "" {
		if prev.SHA256 == "" {
			prev.SHA256 = f.SHA256
		}
		if len(prev.SHA256s) == 0 {
			prev.SHA256s = []string{prev.SHA256} // one string, not a copy
		} else if !slices.Contains(prev.SHA256s, f.SHA256) {
			prev.SHA256s = append(prev.SHA256s, f.SHA256)
		}
	}
	if size := int64(f.Size); size > 0 {
		prev.Size = max(prev.Size, size)
		if !slices.Contains(prev.Sizes, size) {
			prev.Sizes = append(prev.Sizes, size)
		}
	}
	for i, u := range f.claims() {
		if u != "" {
			prev.claimed |= 1 << i
		}
	}
	a[name] = prev
	return nil
}

// APISize is a filesize given as a JSON number, a numeric string or null
// (read as 0).
type APISize int64

// UnmarshalJSON implements json.Unmarshaler.
func (s *APISize) UnmarshalJSON(b []byte) error {
	t := strings.Trim(string(b), `"`)
	if t == "null" || t == "" {
		*s = 0
		return nil
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("bad filesize %.40q", b)
	}
	*s = APISize(n)
	return nil
}

// ParseAPI reads a release_file listing: a JSON array, or an object with
// a "results" array (paginated form).
func ParseAPI(b []byte) (API, error) {
	if int64(len(b)) > maxAPISize {
		return nil, fmt.Errorf("API answer larger than %d bytes: %w", maxAPISize, ErrTooLarge)
	}
	return readAPI(bytes.NewReader(b))
}

// readAPI parses a release_file listing from r as a stream: one row at a
// time, keeping only the fields sigaudit uses, at most MaxAPISize bytes
// and MaxAPIRows rows (ErrTooLarge past either). Rows naming the same file
// are merged (see APIFile).
func readAPI(r io.Reader) (API, error) {
	dec := json.NewDecoder(&capBody{ReadCloser: io.NopCloser(r), max: maxAPISize, what: "API answer"})
	api := API{}
	rows := 0
	readArray := func() error {
		for dec.More() {
			var row APIRow
			if err := dec.Decode(&row); err != nil {
				return apiErr(err)
			}
			if rows++; int64(rows) > maxAPIRows {
				return fmt.Errorf("API answer has more than %d rows: %w", maxAPIRows, ErrTooLarge)
			}
			if err := api.Add(row); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ']'
		return apiErr(err)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, apiErr(err)
	}
	switch tok {
	case json.Delim('['):
		if err := readArray(); err != nil {
			return nil, err
		}
	case json.Delim('{'):
		found := false
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return nil, apiErr(err)
			}
			if key != "results" {
				if err := skipValue(dec); err != nil {
					return nil, err
				}
				continue
			}
			if t, err := dec.Token(); err != nil {
				return nil, apiErr(err)
			} else if t != json.Delim('[') {
				return nil, fmt.Errorf("API answer's \"results\" is not a JSON list")
			}
			if err := readArray(); err != nil {
				return nil, err
			}
			found = true
		}
		if _, err := dec.Token(); err != nil { // '}'
			return nil, apiErr(err)
		}
		if !found {
			return nil, fmt.Errorf("API answer is an object without \"results\"")
		}
	default:
		return nil, fmt.Errorf("API answer is not a JSON list")
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			return nil, fmt.Errorf("API answer is not JSON: data after the end")
		}
		return nil, apiErr(err)
	}
	return api, nil
}

// skipValue reads one JSON value token by token (nothing is kept).
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		t, err := dec.Token()
		if err != nil {
			return apiErr(err)
		}
		switch t {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func apiErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrTooLarge), errors.Is(err, ErrUnreadable), isCanceled(err):
		return err
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("API answer is not JSON: %v", err)
}

// FetchAPI gets and parses the API listing at url with client, as a
// stream (see readAPI); a body that delivers no byte for
// defaultIdleTimeout is cut. Prefer (*HTTP).FetchAPI over an HTTP source.
func FetchAPI(ctx context.Context, client *http.Client, url string) (API, error) {
	h := &HTTP{IdleTimeout: defaultIdleTimeout, Tries: 1}
	return h.fetchAPI(ctx, client, url)
}

// FetchAPI gets and parses the API listing at url (any host) through this
// source's client: retries, the idle timeout on the body, streaming
// parse. Errors wrap ErrNotFound, ErrTooLarge or ErrUnreadable, or say the
// answer is not a listing.
func (h *HTTP) FetchAPI(ctx context.Context, url string) (API, error) {
	return h.fetchAPI(ctx, h.client, url)
}

func (h *HTTP) fetchAPI(ctx context.Context, client *http.Client, rawURL string) (API, error) {
	u, err := neturl.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("bad API URL %q", rawURL)
	}
	resp, err := h.getClient(ctx, client, u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > maxAPISize {
		return nil, fmt.Errorf("API answer is %d bytes, more than %d: %w", resp.ContentLength, maxAPISize, ErrTooLarge)
	}
	return readAPI(resp.Body)
}

// LoadAPIFile reads a release_file listing saved to a local file (checked
// as OpenLocalFile does, parsed as a stream).
func LoadAPIFile(p string) (API, error) {
	f, err := OpenLocalFile(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAPI(&fileReader{f: f, name: p})
}
