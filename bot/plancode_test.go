package bot_test

import (
	"strings"
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
)

func TestProgramCodes(t *testing.T) {
	for range 200 {
		code := bot.NewProgramCode()
		got, err := bot.ParseProgramCode(code)
		if err != nil || got != code {
			t.Fatalf("ParseProgramCode(%q) = %q, %v", code, got, err)
		}
		if !bot.LooksLikeProgramCode(code) && strings.ContainsAny(code, "0123456789") {
			t.Fatalf("%q does not look like a code", code)
		}
		// Typed loosely: lower case, no hyphen, spaces, O for 0.
		loose := strings.ToLower(strings.ReplaceAll(code, "-", " "))
		loose = strings.ReplaceAll(loose, "0", "o")
		if got, err := bot.ParseProgramCode(loose); err != nil || got != code {
			t.Fatalf("ParseProgramCode(%q) = %q, %v; want %q", loose, got, err, code)
		}
		// Every single-symbol typo is caught by the check symbol (except
		// the one 0/Z pair whose values differ by 31).
		sym := []byte(strings.ReplaceAll(code, "-", ""))
		for i := range sym {
			orig := sym[i]
			sym[i] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", orig)+7)%32]
			if _, err := bot.ParseProgramCode(string(sym)); err == nil {
				t.Fatalf("typo %q of %q accepted", sym, code)
			}
			sym[i] = orig
		}
	}
	for _, bad := range []string{"", "knee", "7K3MQ-9TXB", "7K3MQ-9TXB44", "7K3MQ-9TXBU", "ÄK3MQ-9TXB4", strings.Repeat("1", 100)} {
		if _, err := bot.ParseProgramCode(bad); err == nil {
			t.Errorf("ParseProgramCode(%q) accepted", bad)
		}
	}
	for _, word := range []string{"knee", "low-back", "achilles-tendon", "neck-shoulder", "off"} {
		if bot.LooksLikeProgramCode(word) {
			t.Errorf("%q looks like a code", word)
		}
	}
}

// FuzzParseProgramCode: the decoder never panics, accepts only what it can
// print back in canonical form, and that form parses to itself.
func FuzzParseProgramCode(f *testing.F) {
	for _, s := range []string{bot.NewProgramCode(), "7k3mq 9txb4", "o0o0o-o0o0o", "", "----------", "ＡＢＣ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		code, err := bot.ParseProgramCode(s)
		if err != nil {
			return
		}
		if len(code) != 11 || code[5] != '-' || strings.ToUpper(code) != code {
			t.Fatalf("ParseProgramCode(%q) = %q, not canonical", s, code)
		}
		again, err := bot.ParseProgramCode(code)
		if err != nil || again != code {
			t.Fatalf("canonical %q parses to %q, %v", code, again, err)
		}
	})
}

// TestNewProgramCodesLookLikeCodes: every fresh code is recognised as a
// code, never taken for a program name (a code without a digit once was).
func TestNewProgramCodesLookLikeCodes(t *testing.T) {
	for range 2000 {
		if code := bot.NewProgramCode(); !bot.LooksLikeProgramCode(code) {
			t.Fatalf("%s does not look like a code", code)
		}
	}
}
