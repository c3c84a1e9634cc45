package slack_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
)

func TestKeyringSealsAndOpens(t *testing.T) {
	old := bytes.Repeat([]byte{1}, slackadapter.KeySize)
	cur := bytes.Repeat([]byte{2}, slackadapter.KeySize)
	k, err := slackadapter.NewKeyring(old)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := k.Seal("xoxb-secret", "T1:bot")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("xoxb")) {
		t.Fatal("sealed token holds the clear text")
	}
	again, _ := k.Seal("xoxb-secret", "T1:bot")
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one token are equal (nonce reuse)")
	}
	if got, err := k.Open(sealed, "T1:bot"); err != nil || got != "xoxb-secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// Bound to its row: another context does not open it.
	if _, err := k.Open(sealed, "T2:bot"); err == nil {
		t.Error("a token opened in another row's context")
	}
	// Tampering is detected, not turned into a garbage token.
	bad := bytes.Clone(sealed)
	bad[len(bad)-1] ^= 1
	if _, err := k.Open(bad, "T1:bot"); err == nil {
		t.Error("a tampered token opened")
	}
	// A wrong key is a clear error.
	other, _ := slackadapter.NewKeyring(cur)
	if _, err := other.Open(sealed, "T1:bot"); !errors.Is(err, slackadapter.ErrWrongKey) {
		t.Errorf("wrong key: %v, want ErrWrongKey", err)
	} else if strings.Contains(err.Error(), "xoxb") {
		t.Errorf("error quotes the token: %v", err)
	}
	// Rotation: the new keyring opens the old seal and reseals it.
	rot, _ := slackadapter.NewKeyring(cur, old)
	if rot.Current(sealed) {
		t.Error("old seal reported current")
	}
	resealed, err := rot.Reseal(sealed, "T1:bot")
	if err != nil || !rot.Current(resealed) {
		t.Fatalf("Reseal: %v", err)
	}
	if got, err := other.Open(resealed, "T1:bot"); err != nil || got != "xoxb-secret" {
		t.Errorf("resealed token under the new key alone = %q, %v", got, err)
	}
	if _, err := k.Open(resealed, "T1:bot"); !errors.Is(err, slackadapter.ErrWrongKey) {
		t.Errorf("the old key opens the resealed token: %v", err)
	}
	if s, err := k.Seal("", "x"); s != nil || err != nil {
		t.Errorf("empty token seals to %v, %v", s, err)
	}
}

func TestParseKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xfb}, 32)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		if got, err := slackadapter.ParseKey(" " + enc.EncodeToString(key) + "\n"); err != nil || !bytes.Equal(got, key) {
			t.Errorf("ParseKey = %x, %v", got, err)
		}
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(key[:16])} {
		if _, err := slackadapter.ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) succeeded", bad)
		} else if bad != "" && strings.Contains(err.Error(), bad) {
			t.Errorf("error quotes the key: %v", err)
		}
	}
}
