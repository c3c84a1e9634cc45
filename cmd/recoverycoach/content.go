package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/content"
)

// loadLibrary loads the embedded content library, with COACH_CONTENT_DIR
// on top when it is set: its cards and programs replace embedded ones with
// the same id and add new ones.
func loadLibrary(cfg config) (bot.Library, error) {
	layers := []content.Layer{content.Embedded()}
	if cfg.ContentDir != "" {
		layer, err := contentDir(cfg.ContentDir)
		if err != nil {
			return nil, fmt.Errorf("COACH_CONTENT_DIR: %w", err)
		}
		layers = append(layers, layer)
	}
	lib, err := content.Load(layers...)
	if err != nil && cfg.ContentDir == "" {
		return nil, fmt.Errorf("content: the embedded library is invalid: %w", err)
	}
	if err != nil {
		var errs content.Errors
		if errors.As(err, &errs) && len(errs) > 0 {
			return nil, fmt.Errorf("COACH_CONTENT_DIR: %d problem(s) in %s, first: %s (run `recoverycoach content check %s` for all)",
				len(errs), cfg.ContentDir, errs[0], cfg.ContentDir)
		}
		return nil, fmt.Errorf("COACH_CONTENT_DIR: %w", err)
	}
	return lib, nil
}

// contentDir checks that dir is a readable directory before it is used
// as a layer, so a wrong path fails with a clear message.
func contentDir(dir string) (content.Layer, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return content.Layer{}, fmt.Errorf("cannot read %s: %w", dir, err)
	}
	if !info.IsDir() {
		return content.Layer{}, fmt.Errorf("%s is not a directory", dir)
	}
	if _, err := os.ReadDir(dir); err != nil {
		return content.Layer{}, fmt.Errorf("cannot read %s: %w", dir, err)
	}
	return content.Dir(dir), nil
}

const contentUsage = "usage: recoverycoach content check [DIR]"

// runContent implements `recoverycoach content check [DIR]`. DIR is checked
// as the server would load it, on top of the embedded library, so it may
// refer to embedded cards and programs. Every problem is printed as
// file:line: message; the returned error makes the exit status non-zero.
func runContent(_ context.Context, _ config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "check" || len(args) > 2 {
		return usageError{contentUsage}
	}
	layers := []content.Layer{content.Embedded()}
	what := "embedded library"
	if len(args) == 2 {
		layer, err := contentDir(args[1])
		if err != nil {
			return fmt.Errorf("content check: %w", err)
		}
		layers = append(layers, layer)
		what = args[1]
	}
	lib, err := content.Load(layers...)
	if err != nil {
		var errs content.Errors
		if !errors.As(err, &errs) {
			return fmt.Errorf("content check: %w", err)
		}
		for _, p := range errs {
			fmt.Fprintln(stdout, p)
		}
		return fmt.Errorf("content check: %d problem(s) in %s", len(errs), what)
	}
	fmt.Fprintf(stdout, "ok: %d cards, %d programs\n", len(lib.Cards()), len(lib.Programs()))
	return nil
}
