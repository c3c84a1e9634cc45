// Command recoverycoach runs the Recovery Coach bot and its tools.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	_ "time/tzdata" // zones work on images without tzdata

	"github.com/recoverycoach/recoverycoach/adapters/console"
	"github.com/recoverycoach/recoverycoach/bot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "recoverycoach:", err)
		var ue usageError
		if errors.As(err, &ue) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// usageError is a mistake on the command line; it exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

const usage = `Usage: recoverycoach [flags] [command]

Commands:
  serve                     run every configured adapter, the scheduler and HTTP
                            (the console when no platform is configured; default)
  console                   the console adapter explicitly (same database)
  slack-manifest [--url BASE] [--socket-mode]   print the Slack app manifest
  discord-register          bulk-overwrite Discord application commands
  content check [DIR]       validate a content directory
  program check|share FILE  check a clinician's program file, or share it as a code
  backup PATH               consistent copy of a SQLite COACH_DB, safe while serving
  migrate                   show and apply the schema version
  rotate-key                re-encrypt stored Slack tokens under COACH_SECRET_KEY
  export-workspace --team ID FILE   what a workspace's staff may see, as JSON or CSV
  version                   print the version
  help [COMMAND]            this text, or the usage of one command

Every command takes --help.

Flags:
  --db PATH                 SQLite path or postgres:// URL (overrides COACH_DB)
  --discord-register        with serve: overwrite the Discord commands at start

Configuration comes from the environment; see README.md.
`

// run is the whole program, with its environment passed in so tests can
// drive it.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("recoverycoach", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dbFlag := fs.String("db", "", "SQLite database path")
	registerFlag := fs.Bool("discord-register", false, "serve: overwrite the Discord application commands at start")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			return nil
		}
		return usageError{err.Error() + "\n" + usage}
	}
	cmd, rest := "serve", fs.Args()
	if len(rest) > 0 {
		cmd, rest = rest[0], rest[1:]
	}
	sub, ok := findSubcommand(cmd)
	if !ok {
		return usageError{fmt.Sprintf("unknown command %q\n%s", cmd, usage)}
	}
	// Help and argument mistakes are answered before the configuration is
	// read, so `discord-register --help` works on a machine without tokens
	// and `migrate --help` never touches a database.
	if wantsHelp(rest) {
		return printHelp(stdout, cmd)
	}
	rest, err := sub.checkArgs(rest)
	if err != nil {
		return err
	}
	if cmd == "help" {
		return printHelp(stdout, strings.Join(rest, ""))
	}
	if cmd == "serve" {
		sfs := flag.NewFlagSet("serve", flag.ContinueOnError)
		sfs.SetOutput(io.Discard)
		sfs.BoolVar(registerFlag, "discord-register", *registerFlag, "")
		if err := sfs.Parse(rest); err != nil {
			return usageError{fmt.Sprintf("serve: %v\n%s", err, sub.usageText())}
		}
		if sfs.NArg() > 0 {
			return usageError{fmt.Sprintf("serve: unexpected argument %q\n%s", sfs.Arg(0), sub.usageText())}
		}
	}
	if cmd == "slack-manifest" {
		return runSlackManifest(rest, getenv, stdout)
	}
	if cmd == "export-workspace" {
		if _, err := parseExportArgs(rest); err != nil {
			return err
		}
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if *dbFlag != "" {
		cfg.DB = *dbFlag
	}
	logger := newLogger(cfg, stderr)

	switch cmd {
	case "serve":
		if !cfg.platformConfigured() {
			return runConsole(ctx, cfg, logger, stdin, stdout)
		}
		if *registerFlag {
			if _, err := registerDiscordCommands(ctx, cfg); err != nil {
				return err
			}
		}
		return serve(ctx, cfg, logger, stdout)
	case "console":
		return runConsole(ctx, cfg, logger, stdin, stdout)
	case "version":
		fmt.Fprintln(stdout, "recoverycoach", version())
		return nil
	case "migrate":
		return runMigrate(ctx, cfg, stdout)
	case "rotate-key":
		return runRotateKey(ctx, cfg, stdout)
	case "export-workspace":
		return runExportWorkspace(ctx, cfg, rest, bot.SystemClock{}, stdout)
	case "backup":
		return runBackup(ctx, cfg, rest[0], stdout)
	case "discord-register":
		return runDiscordRegister(ctx, cfg, rest, stdout)
	case "content":
		return runContent(ctx, cfg, rest, stdout)
	case "program":
		return runProgram(ctx, cfg, rest, stdout)
	}
	return usageError{fmt.Sprintf("unknown command %q\n%s", cmd, usage)}
}

func newLogger(cfg config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := info.Main.Version
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v
}

func runConsole(ctx context.Context, cfg config, logger *slog.Logger, stdin io.Reader, stdout io.Writer) error {
	clock := bot.SystemClock{}
	db, eng, err := openEngine(ctx, cfg, logger, clock, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	// Exports and charts land beside a SQLite file, else in the working
	// directory.
	filesDir := "."
	if !cfg.postgres() {
		filesDir = filepath.Dir(cfg.DB)
	}
	con := console.New(eng.coach, stdin, stdout, console.Options{
		Prompt:   isTerminal(stdin),
		FilesDir: filesDir,
		TZ:       cfg.DefaultTZ,
	})
	bgCtx, stop := context.WithCancel(ctx)
	wait := eng.start(bgCtx, map[bot.Platform]bot.Sender{bot.Console: con})
	err = con.Run(ctx)
	stop()
	wait()
	return err
}

func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func runMigrate(ctx context.Context, cfg config, stdout io.Writer) error {
	db, err := openStoreNoMigrate(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.Version(ctx)
	if err != nil {
		return err
	}
	after, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if before == after {
		fmt.Fprintf(stdout, "schema version %d (up to date)\n", after)
	} else {
		fmt.Fprintf(stdout, "schema version %d -> %d\n", before, after)
	}
	return nil
}

func runBackup(ctx context.Context, cfg config, path string, stdout io.Writer) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup: %s already exists; choose a new file", path)
	}
	db, err := openExistingStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	b, ok := db.(backuper)
	if !ok {
		return fmt.Errorf("backup: COACH_DB is a PostgreSQL database; back it up with pg_dump or your provider's snapshots")
	}
	if err := b.Backup(ctx, path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s\n", cfg.DB, path)
	return nil
}
