package auth

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/omnify-cloud/omnify"
)

// Password length bounds, in characters. The upper bound keeps hashing
// cost predictable; NIST SP 800-63B asks for at least 64.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 128
)

//go:embed data/common-passwords.txt.gz
var commonGz []byte

// commonPasswords is parsed on first use: most processes never register a user.
var commonPasswords = sync.OnceValues(func() (map[string]struct{}, error) {
	zr, err := gzip.NewReader(bytes.NewReader(commonGz))
	if err != nil {
		return nil, fmt.Errorf("read common passwords: %w", err)
	}
	set := make(map[string]struct{}, 30000)
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		set[sc.Text()] = struct{}{}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read common passwords: %w", err)
	}
	return set, nil
})

// CommonPasswordCount reports how many passwords the embedded list holds.
func CommonPasswordCount() int {
	set, _ := commonPasswords()
	return len(set)
}

// ValidatePassword applies NIST SP 800-63B's rules for a new password:
// 12 to 128 characters, and not a common, dictionary, repetitive or
// sequential password. It imposes no composition rules. The error is an
// omnify.FieldError on body.password.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return omnify.Invalid("body.password", "must be valid UTF-8")
	case n < MinPasswordLen:
		return omnify.Invalid("body.password", "must be at least %d characters", MinPasswordLen)
	case n > MaxPasswordLen:
		return omnify.Invalid("body.password", "must be at most %d characters", MaxPasswordLen)
	case isRepetitive(pw):
		return omnify.Invalid("body.password", "must not be one character repeated or a sequence")
	}
	set, err := commonPasswords()
	if err != nil {
		return fmt.Errorf("validate password: %w", err)
	}
	if _, ok := set[strings.ToLower(pw)]; ok {
		return omnify.Invalid("body.password", "is too common; choose a less predictable one")
	}
	return nil
}

// isRepetitive reports whether pw is one character repeated ("aaaa…") or a
// run of consecutive characters ("abcd…", "9876…").
func isRepetitive(pw string) bool {
	rs := []rune(strings.ToLower(pw))
	same, up, down := true, true, true
	for i := 1; i < len(rs); i++ {
		d := rs[i] - rs[i-1]
		same = same && d == 0
		up = up && d == 1
		down = down && d == -1
	}
	return same || up || down
}
