package auth_test

import (
	"bufio"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/omnify-cloud/omnify"
	"github.com/omnify-cloud/omnify/auth"
)

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"passphrase", "correct horse battery staple", true},
		{"exactly 12", "k7#Qm2!vX9pL", true},
		{"11 chars", "k7#Qm2!vX9p", false},
		{"empty", "", false},
		{"12 multibyte runes", "日本語のパスワードです強い", true},
		{"11 multibyte runes", "日本語のパスワードです", false},
		{"128 chars", strings.Repeat("ab3$", 32), true},
		{"129 chars", strings.Repeat("ab3$", 32) + "x", false},
		{"invalid utf-8", "k7#Qm2!vX9pL\xff", false},
		{"common", "password1234", false},
		{"common mixed case", "PassWord1234", false},
		{"doubled common", "dragondragon", false},
		{"dictionary word", "Acknowledgement", false},
		{"keyboard walk", "qwertyuiopas", false},
		{"digit run", "123456789012", false},
		{"one character repeated", "zzzzzzzzzzzzzz", false},
		{"ascending sequence", "abcdefghijklm", false},
		{"descending sequence", "ZYXWVUTSRQPON", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := auth.ValidatePassword(tc.pw)
			if tc.ok {
				if err != nil {
					t.Fatalf("ValidatePassword(%q) = %v, want nil", tc.pw, err)
				}
				return
			}
			assertFieldError(t, err, "body.password")
		})
	}
}

func assertFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var fe *omnify.FieldError
	if !errors.As(err, &fe) || fe.Field != field || !errors.Is(err, omnify.ErrInvalid) {
		t.Fatalf("err = %v, want a FieldError on %s wrapping ErrInvalid", err, field)
	}
}

// TestEmbeddedListRejected reads the shipped list independently and checks
// that its entries long enough to pass the length rule are refused in any
// letter case.
func TestEmbeddedListRejected(t *testing.T) {
	if n := auth.CommonPasswordCount(); n < 10000 {
		t.Fatalf("embedded list has %d passwords, want ≥ 10000", n)
	}
	f, err := os.Open("data/common-passwords.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	checked := 0
	for i := 0; sc.Scan(); i++ {
		pw := sc.Text()
		if n := utf8.RuneCountInString(pw); i%37 != 0 || n < auth.MinPasswordLen || n > auth.MaxPasswordLen {
			continue
		}
		for _, v := range []string{pw, strings.ToUpper(pw), strings.ToUpper(pw[:1]) + pw[1:]} {
			if auth.ValidatePassword(v) == nil {
				t.Errorf("listed password %q accepted", v)
			}
		}
		checked++
	}
	if checked < 300 {
		t.Errorf("checked only %d listed passwords", checked)
	}
}
