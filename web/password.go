package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// HashParams are argon2id's costs: memory in KiB, passes, lanes.
type HashParams struct {
	Memory  uint32
	Time    uint32
	Threads uint8
}

// DefaultHashParams are OWASP's first choice for argon2id: 19 MiB, two
// passes, one lane (about 30 ms a sign-in on one core here).
var DefaultHashParams = HashParams{Memory: 19 * 1024, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// MinPasswordLen is the shortest password `agents add` and `passwd` take.
	MinPasswordLen = 10
	// MaxPasswordLen bounds what is hashed (and read from a form).
	MaxPasswordLen = 1024
)

// HashPassword hashes a password with argon2id and a random salt, in the
// PHC string format that keeps its parameters with it:
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH (base64 without padding).
func HashPassword(password string, p HashParams) (string, error) {
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 {
		return "", errors.New("argon2id parameters must not be 0")
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// CheckPassword reports whether password is the one hash was made from, in
// time that does not depend on where they differ. A hash it cannot read is
// an error.
func CheckPassword(hash, password string) (bool, error) {
	p, salt, want, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// HashParamsOf returns the parameters a hash was made with.
func HashParamsOf(hash string) (HashParams, error) {
	p, _, _, err := parseHash(hash)
	return p, err
}

// parseHash reads a hash in HashPassword's format.
func parseHash(hash string) (p HashParams, salt, key []byte, err error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("not an argon2id hash")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("argon2id version %q is not %d", parts[2], argon2.Version)
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		p.Memory == 0 || p.Time == 0 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("argon2id parameters %q", parts[3])
	}
	enc := base64.RawStdEncoding
	if salt, err = enc.DecodeString(parts[4]); err != nil {
		return p, nil, nil, fmt.Errorf("argon2id salt: %w", err)
	}
	if key, err = enc.DecodeString(parts[5]); err != nil || len(key) == 0 {
		return p, nil, nil, fmt.Errorf("argon2id hash: %w", err)
	}
	return p, salt, key, nil
}
