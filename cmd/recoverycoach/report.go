package main

import (
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/report"
)

// newRenderer returns the chart and PDF renderer.
func newRenderer() bot.Renderer {
	return report.New()
}
