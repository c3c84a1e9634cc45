package slack

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of a COACH_SECRET_KEY: 32 bytes, for AES-256.
const KeySize = 32

// sealVersion is the first byte of every sealed token; the layout after it
// is the key id (keyIDSize bytes), the GCM nonce and the ciphertext with
// its tag.
const (
	sealVersion = 1
	keyIDSize   = 8
)

// ErrWrongKey means a token was sealed under a key the Keyring does not
// hold: COACH_SECRET_KEY is not the key the tokens were stored with.
var ErrWrongKey = errors.New("token sealed under another key")

// ParseKey decodes a base64 (standard or URL alphabet, padded or not)
// 32-byte key, such as the output of `openssl rand -base64 32`. The error
// never quotes the key.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("the key is %d bytes; it must be %d (openssl rand -base64 32)", len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, errors.New("the key is not base64 (openssl rand -base64 32)")
}

// Keyring seals tokens with AES-256-GCM under its current key and opens
// tokens sealed under the current key or a previous one, so that a key can
// be rotated while the bot serves. Each sealed token names its key by a
// short id (a hash, not the key) and is bound to the installation and
// field it belongs to, so a sealed token copied to another row does not
// open.
type Keyring struct {
	current  sealKey
	previous []sealKey
}

type sealKey struct {
	id   [keyIDSize]byte
	aead cipher.AEAD
}

// NewKeyring returns a keyring sealing under current and opening under
// current and every previous key.
func NewKeyring(current []byte, previous ...[]byte) (*Keyring, error) {
	cur, err := newSealKey(current)
	if err != nil {
		return nil, err
	}
	k := &Keyring{current: cur}
	for _, p := range previous {
		pk, err := newSealKey(p)
		if err != nil {
			return nil, err
		}
		k.previous = append(k.previous, pk)
	}
	return k, nil
}

func newSealKey(key []byte) (sealKey, error) {
	if len(key) != KeySize {
		return sealKey{}, fmt.Errorf("slack: a token key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return sealKey{}, fmt.Errorf("slack: token key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return sealKey{}, fmt.Errorf("slack: token key: %w", err)
	}
	sum := sha256.Sum256(append([]byte("recoverycoach token key id\x00"), key...))
	var k sealKey
	copy(k.id[:], sum[:keyIDSize])
	k.aead = aead
	return k, nil
}

// KeyID names the current key in logs and errors: a hash prefix, which
// says nothing about the key itself.
func (k *Keyring) KeyID() string { return hex.EncodeToString(k.current.id[:]) }

// Seal encrypts token for the row and field named by context. An empty
// token seals to nil.
func (k *Keyring) Seal(token, context string) ([]byte, error) {
	if token == "" {
		return nil, nil
	}
	nonce := make([]byte, k.current.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("slack: seal token: %w", err)
	}
	out := make([]byte, 0, 1+keyIDSize+len(nonce)+len(token)+k.current.aead.Overhead())
	out = append(out, sealVersion)
	out = append(out, k.current.id[:]...)
	out = append(out, nonce...)
	return k.current.aead.Seal(out, nonce, []byte(token), []byte(context)), nil
}

// Open decrypts a token sealed by Seal with the same context. nil opens to
// "". A token sealed under a key the keyring lacks is ErrWrongKey; one
// that fails authentication is an error too, never a garbage token.
func (k *Keyring) Open(sealed []byte, context string) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	key, err := k.keyOf(sealed)
	if err != nil {
		return "", err
	}
	ns := key.aead.NonceSize()
	body := sealed[1+keyIDSize:]
	if len(body) < ns+key.aead.Overhead() {
		return "", errors.New("slack: sealed token is truncated")
	}
	plain, err := key.aead.Open(nil, body[:ns], body[ns:], []byte(context))
	if err != nil {
		return "", fmt.Errorf("slack: sealed token does not authenticate for %s (altered, or copied from another row)", context)
	}
	return string(plain), nil
}

// Current reports whether sealed was sealed under the current key.
func (k *Keyring) Current(sealed []byte) bool {
	key, err := k.keyOf(sealed)
	return err == nil && key.id == k.current.id
}

func (k *Keyring) keyOf(sealed []byte) (sealKey, error) {
	if len(sealed) < 1+keyIDSize || sealed[0] != sealVersion {
		return sealKey{}, errors.New("slack: not a sealed token")
	}
	var id [keyIDSize]byte
	copy(id[:], sealed[1:1+keyIDSize])
	for _, key := range append([]sealKey{k.current}, k.previous...) {
		if key.id == id {
			return key, nil
		}
	}
	return sealKey{}, fmt.Errorf("slack: %w (key id %s)", ErrWrongKey, hex.EncodeToString(id[:]))
}

// Reseal opens sealed under whichever key it was sealed with and seals it
// again under the current key, for key rotation.
func (k *Keyring) Reseal(sealed []byte, context string) ([]byte, error) {
	token, err := k.Open(sealed, context)
	if err != nil {
		return nil, err
	}
	return k.Seal(token, context)
}
