package main

import "github.com/recoverycoach/recoverycoach/bot"

// newRenderer returns the chart and PDF renderer, or nil when none is built in.
func newRenderer() bot.Renderer {
	return nil
}
