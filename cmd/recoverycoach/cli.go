package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// subcommand describes one command of the binary for --help and for
// argument checking, so that every command answers --help the same way and
// none runs with arguments it would ignore.
type subcommand struct {
	name string
	// synopsis follows "recoverycoach" in the usage line.
	synopsis string
	// about explains the command in a few lines.
	about string
	// minArgs and maxArgs bound the positional arguments; maxArgs < 0 means
	// the command checks its own arguments (flags of its own).
	minArgs, maxArgs int
}

// subcommands lists every command in the order the overall usage shows them.
var subcommands = []subcommand{
	{name: "serve", synopsis: "serve [--discord-register]", maxArgs: -1,
		about: "Runs every configured adapter, the scheduler and the HTTP endpoints; the\nconsole when no platform is configured. This is the default command.\n  --discord-register   overwrite the Discord application commands at start"},
	{name: "console", synopsis: "console",
		about: "Runs the terminal console on the same database, whatever else is configured."},
	{name: "slack-manifest", synopsis: "slack-manifest [--url BASE] [--socket-mode]", maxArgs: -1,
		about: "Prints the Slack app manifest generated from the command registry.\n  --url BASE       public https base URL of the /slack/* endpoints\n  --socket-mode    use Socket Mode (no public URL needed)"},
	{name: "discord-register", synopsis: "discord-register",
		about: "Bulk-overwrites the Discord application commands with this build's.\nNeeds DISCORD_APP_ID and DISCORD_BOT_TOKEN; DISCORD_GUILD_ID registers in one guild."},
	{name: "content", synopsis: "content check [DIR]", minArgs: 1, maxArgs: 2,
		about: "Validates a content directory (library/*.md, programs/*.yaml) on top of the\nembedded library, or the embedded library alone without DIR. Clinicians'\nprogram files are checked by the same loader."},
	{name: "program", synopsis: "program check|share FILE", minArgs: 2, maxArgs: 2,
		about: "Checks a clinician's program file (the programs/*.yaml schema, with stop_rules,\nprogressions and per-exercise link and progression) with the loader content\ncheck uses; share also stores it in COACH_DB under a new code such as\n7K3MQ-9TXB4, which a patient sends as /coach plan CODE to follow it."},
	{name: "backup", synopsis: "backup PATH", minArgs: 1, maxArgs: 1,
		about: "Writes a consistent copy of the SQLite database COACH_DB names to PATH, a new\nfile, safe while the bot serves. A missing database is an error, never\ncreated."},
	{name: "migrate", synopsis: "migrate",
		about: "Shows the schema version of COACH_DB and applies pending migrations. A\nmissing SQLite database is an error unless COACH_DB_CREATE=1 asks for a new one."},
	{name: "version", synopsis: "version", about: "Prints the version."},
	{name: "help", synopsis: "help [COMMAND]", maxArgs: 1, about: "Shows the usage of the binary or of one command."},
}

func findSubcommand(name string) (subcommand, bool) {
	i := slices.IndexFunc(subcommands, func(s subcommand) bool { return s.name == name })
	if i < 0 {
		return subcommand{}, false
	}
	return subcommands[i], true
}

// usageText is the usage of one command, as --help prints it.
func (s subcommand) usageText() string {
	return "Usage: recoverycoach " + s.synopsis + "\n\n" + s.about + "\n"
}

// wantsHelp reports whether args ask for help before any "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// checkArgs refuses flags and a wrong number of arguments for commands
// that take no flags of their own, and returns the arguments without a
// "--" that ends the flags.
func (s subcommand) checkArgs(args []string) ([]string, error) {
	if s.maxArgs < 0 {
		return args, nil
	}
	for _, a := range args {
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") && a != "-" {
			return nil, usageError{fmt.Sprintf("%s: unknown flag %s\n%s", s.name, a, s.usageText())}
		}
	}
	if i := slices.Index(args, "--"); i >= 0 {
		args = slices.Delete(slices.Clone(args), i, i+1)
	}
	switch {
	case len(args) > s.maxArgs && s.maxArgs == 0:
		return nil, usageError{fmt.Sprintf("%s takes no arguments (got %q)\n%s", s.name, args[0], s.usageText())}
	case len(args) > s.maxArgs:
		return nil, usageError{fmt.Sprintf("%s: unexpected argument %q\n%s", s.name, args[s.maxArgs], s.usageText())}
	case len(args) < s.minArgs:
		return nil, usageError{fmt.Sprintf("%s: missing arguments\n%s", s.name, s.usageText())}
	}
	return args, nil
}

// printHelp writes the usage of the named command, or of the binary.
func printHelp(w io.Writer, name string) error {
	if name == "" {
		_, err := fmt.Fprint(w, usage)
		return err
	}
	s, ok := findSubcommand(name)
	if !ok {
		return usageError{fmt.Sprintf("help: unknown command %q\n%s", name, usage)}
	}
	_, err := fmt.Fprint(w, s.usageText())
	return err
}
