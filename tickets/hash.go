package tickets

import (
	"crypto/sha256"
	"encoding/hex"
)

// hashFields hashes a record's fields; the separator cannot occur in them.
func hashFields(fields ...string) string {
	h := sha256.New()
	for _, f := range fields {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
