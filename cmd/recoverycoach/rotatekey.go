package main

import (
	"context"
	"fmt"
	"io"

	slackadapter "github.com/recoverycoach/recoverycoach/adapters/slack"
)

func init() {
	subcommands = append(subcommands, subcommand{name: "rotate-key", synopsis: "rotate-key",
		about: "Re-encrypts every stored Slack token under COACH_SECRET_KEY. Tokens still sealed\n" +
			"under the old key are opened with COACH_SECRET_KEY_PREVIOUS. Safe while the bot\n" +
			"serves (with both keys set) and to run again. See README.md, Slack distribution."})
}

// runRotateKey implements `recoverycoach rotate-key`: every installation's
// tokens end up sealed under COACH_SECRET_KEY. A token that neither key
// opens stops it with an error naming the installation, never the token.
func runRotateKey(ctx context.Context, cfg config, stdout io.Writer) error {
	keyring, err := cfg.keyring()
	if err != nil {
		return err
	}
	db, err := openExistingStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := slackadapter.RotateKeys(ctx, db, keyring)
	if err != nil {
		return fmt.Errorf("rotate-key: %w (re-encrypted %d installations before it; neither COACH_SECRET_KEY nor COACH_SECRET_KEY_PREVIOUS opens this one)", err, n)
	}
	fmt.Fprintf(stdout, "re-encrypted the tokens of %d installations under key %s\n", n, keyring.KeyID())
	return nil
}
