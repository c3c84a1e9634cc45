package bot

import (
	"crypto/rand"
	"errors"
	"strings"
)

// A program code is how a clinician hands a program to a patient: ten
// symbols of Crockford's base32 written as two groups of five, such as
// "7K3MQ-9TXB4". Nine symbols (45 bits) are random; the tenth is a check
// symbol, so a mistyped code is told apart from an unknown one without a
// lookup. Case, spaces and hyphens do not matter, and the letters people
// confuse with digits (O, I, L) read as those digits.
const (
	codeAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	codeLen      = 10
)

// ErrProgramCode is returned for text that is not a well-formed program
// code; its message is safe to show.
var ErrProgramCode = errors.New("that is not a program code: codes have ten letters and digits, like 7K3MQ-9TXB4")

// errCodeCheck is a well-formed code whose check symbol does not match.
var errCodeCheck = errors.New("that program code has a typo: please check it letter by letter against the one your clinician gave you")

// ParseProgramCode validates a program code typed by a person and returns
// its canonical form (upper case, "XXXXX-XXXXX").
func ParseProgramCode(s string) (string, error) {
	if len(s) > 40 {
		return "", ErrProgramCode
	}
	var sym []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || strings.IndexByte(codeAlphabet, byte(r)) < 0 {
			return "", ErrProgramCode
		}
		sym = append(sym, byte(r))
	}
	if len(sym) != codeLen {
		return "", ErrProgramCode
	}
	if codeCheck(sym[:codeLen-1]) != sym[codeLen-1] {
		return "", errCodeCheck
	}
	return string(sym[:5]) + "-" + string(sym[5:]), nil
}

// LooksLikeProgramCode reports whether s is meant as a code rather than a
// program name: ten symbols of the alphabet once hyphens are dropped, with
// at least one digit (no program id is all letters and that long by
// accident of a typo).
func LooksLikeProgramCode(s string) bool {
	n, digit := 0, false
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
		case r >= '0' && r <= '9':
			n, digit = n+1, true
		case r < 128 && strings.IndexByte(codeAlphabet+"OIL", byte(r)) >= 0:
			n++
		default:
			return false
		}
	}
	return n == codeLen && digit
}

// NewProgramCode returns a fresh random code in canonical form. A code
// always holds a digit, which is how LooksLikeProgramCode tells it from a
// ten-letter program name; about one draw in forty has none and is
// drawn again.
func NewProgramCode() string {
	for {
		var b [codeLen - 1]byte
		rand.Read(b[:]) // never fails (crypto/rand documents it)
		sym := make([]byte, 0, codeLen)
		for _, x := range b {
			sym = append(sym, codeAlphabet[x&31])
		}
		sym = append(sym, codeCheck(sym))
		if code := string(sym[:5]) + "-" + string(sym[5:]); LooksLikeProgramCode(code) {
			return code
		}
	}
}

// codeCheck is a weighted sum of the symbols' values modulo 31, written as
// a symbol. 31 is prime, so a changed symbol or two neighbours swapped
// change the sum unless the two values differ by exactly 31 (0 and Z).
func codeCheck(sym []byte) byte {
	sum := 0
	for i, c := range sym {
		sum += (i + 1) * strings.IndexByte(codeAlphabet, c)
	}
	return codeAlphabet[sum%31]
}
