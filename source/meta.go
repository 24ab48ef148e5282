package source

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
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
// (api/v2/downloads/release_file/).
type APIFile struct {
	Name                  string `json:"name"`
	URL                   string `json:"url"`
	SHA256                string `json:"sha256_sum"`
	GPGSignatureFile      string `json:"gpg_signature_file"`
	SigstoreBundleFile    string `json:"sigstore_bundle_file"`
	SigstoreCertFile      string `json:"sigstore_cert_file"`
	SigstoreSignatureFile string `json:"sigstore_signature_file"`
	SBOMFile              string `json:"sbom_spdx2_file"`
}

// API maps artifact file names to what the API says of them.
type API map[string]APIFile

// ParseAPI reads a release_file listing: a JSON array, or an object with
// a "results" array (paginated form).
func ParseAPI(b []byte) (API, error) {
	var files []APIFile
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var page struct {
			Results []APIFile `json:"results"`
		}
		if err := json.Unmarshal(trimmed, &page); err != nil {
			return nil, fmt.Errorf("API answer is not JSON: %v", err)
		}
		files = page.Results
	} else if err := json.Unmarshal(trimmed, &files); err != nil {
		return nil, fmt.Errorf("API answer is not a JSON list: %v", err)
	}
	api := API{}
	for _, f := range files {
		if f.URL == "" {
			continue
		}
		name := path.Base(f.URL)
		if !SafeName(name) {
			continue
		}
		if f.SHA256 != "" {
			d, ok := NormalizeSHA256(f.SHA256)
			if !ok {
				return nil, fmt.Errorf("API gives a malformed sha256_sum %q for %s", f.SHA256, name)
			}
			f.SHA256 = d
		}
		if prev, ok := api[name]; ok && prev.SHA256 != f.SHA256 {
			return nil, fmt.Errorf("API lists %s twice with different sha256_sum", name)
		}
		api[name] = f
	}
	return api, nil
}

// FetchAPI gets and parses the API listing at url (bounded).
func FetchAPI(ctx context.Context, client *http.Client, url string) (API, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", url, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxAPISize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxAPISize {
		return nil, fmt.Errorf("API answer larger than %d bytes", MaxAPISize)
	}
	return ParseAPI(b)
}
