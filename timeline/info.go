package timeline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// DataInfo identifies the embedded release-line data, for `sigaudit
// version` and the report header.
type DataInfo struct {
	// Revision is the first 12 hex digits of the SHA-256 of the embedded
	// lines.json: it changes whenever the data does.
	Revision string `json:"revision"`
	// Updated is the date the data was last reviewed ("updated" in
	// lines.json), or "" when the file does not say.
	Updated string `json:"updated,omitempty"`
}

// EmbeddedInfo describes the timeline compiled into sigaudit.
func EmbeddedInfo() DataInfo {
	sum := sha256.Sum256(embedded)
	var head struct {
		Updated string `json:"updated"`
	}
	_ = json.Unmarshal(embedded, &head) // validated by Default
	return DataInfo{Revision: hex.EncodeToString(sum[:])[:12], Updated: head.Updated}
}
