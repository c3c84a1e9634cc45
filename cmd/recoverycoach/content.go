package main

import "github.com/recoverycoach/recoverycoach/bot"

// loadLibrary loads the content library (embedded, plus COACH_CONTENT_DIR).
func loadLibrary(_ config) (bot.Library, error) {
	return nil, nil
}
