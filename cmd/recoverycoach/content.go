package main

import (
	"context"
	"errors"
	"io"

	"github.com/recoverycoach/recoverycoach/bot"
)

// loadLibrary loads the content library (embedded, plus COACH_CONTENT_DIR).
func loadLibrary(_ config) (bot.Library, error) {
	return nil, nil
}

// runContent implements `recoverycoach content check [DIR]`.
func runContent(_ context.Context, _ config, _ []string, _ io.Writer) error {
	return errors.New("content: the content library is not built into this version yet")
}
