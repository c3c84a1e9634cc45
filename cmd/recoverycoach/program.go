package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/content"
)

// runProgram implements `recoverycoach program check|share FILE`: a
// clinician's program file is checked by the loader `content check` uses,
// on top of the library the server loads; share also stores it under a new
// code that patients send as `/coach plan CODE`.
func runProgram(ctx context.Context, cfg config, args []string, stdout io.Writer) error {
	sub, _ := findSubcommand("program")
	if len(args) != 2 || (args[0] != "check" && args[0] != "share") {
		return usageError{"program: give check or share and a file\n" + sub.usageText()}
	}
	src, err := os.ReadFile(args[1])
	if err != nil {
		return fmt.Errorf("program %s: %w", args[0], err)
	}
	lib, err := loadLibrary(cfg)
	if err != nil {
		return err
	}
	name := filepath.Base(args[1])
	if args[0] == "check" {
		pp, ok := lib.(bot.ProgramParser)
		if !ok {
			return errors.New("program check: the content library cannot check program files")
		}
		prog, err := pp.ParseProgram(name, src)
		if err != nil {
			return programProblems(err, stdout, name)
		}
		fmt.Fprintf(stdout, "ok: %s, %s\n", prog.Title, bot.Plural(len(prog.Exercises), "exercise"))
		return nil
	}
	db, err := openExistingStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	code, prog, err := bot.ShareProgram(ctx, db, lib, name, src, time.Now().UTC())
	if err != nil {
		return programProblems(err, stdout, name)
	}
	fmt.Fprintf(stdout, "shared %q as %s\npatients load it with: /coach plan %s\n", prog.Title, code, code)
	return nil
}

// programProblems prints every problem of a program file as file:line:
// message, as content check does, and returns the error for the exit code.
func programProblems(err error, stdout io.Writer, name string) error {
	var errs content.Errors
	if !errors.As(err, &errs) {
		return fmt.Errorf("program: %w", err)
	}
	for _, p := range errs {
		fmt.Fprintln(stdout, p)
	}
	return fmt.Errorf("program: %d problem(s) in %s", len(errs), name)
}
