package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

func init() {
	subcommands = append(subcommands, subcommand{name: "export-workspace",
		synopsis: "export-workspace --team ID [--platform slack|discord] [--format json|csv] FILE", maxArgs: -1,
		about: "Writes what a workspace's staff may see about it to FILE (a new file, readable by\n" +
			"its owner only; - for standard output), for example for its IT administrator\n" +
			"before the data of an uninstalled Slack workspace is deleted. It follows the\n" +
			"workspace's privacy mode: in team mode the records of the members who agreed to\n" +
			"share with staff, by name; everyone else only as group figures per completed\n" +
			"week, each shown only with enough people behind it. Notes and tokens are never\n" +
			"in it. See README.md, Slack distribution.\n" +
			"  --team ID          the Slack team id (T...) or Discord guild id\n" +
			"  --platform NAME    slack (default) or discord\n" +
			"  --format FORMAT    json (default) or csv; a FILE ending in .csv means csv"})
}

// exportArgs are the parsed arguments of export-workspace.
type exportArgs struct {
	platform bot.Platform
	team     string
	format   string
	file     string
}

// parseExportArgs checks the arguments of export-workspace; mistakes are
// usage errors.
func parseExportArgs(args []string) (exportArgs, error) {
	sub, _ := findSubcommand("export-workspace")
	fs := flag.NewFlagSet("export-workspace", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	platform := fs.String("platform", "slack", "")
	team := fs.String("team", "", "")
	format := fs.String("format", "", "")
	bad := func(msg string) error { return usageError{"export-workspace: " + msg + "\n" + sub.usageText()} }
	if err := fs.Parse(args); err != nil {
		return exportArgs{}, bad(err.Error())
	}
	// Flags may follow the file, as people type them.
	var files []string
	for rest := fs.Args(); len(rest) > 0; rest = fs.Args() {
		files = append(files, rest[0])
		if err := fs.Parse(rest[1:]); err != nil {
			return exportArgs{}, bad(err.Error())
		}
	}
	a := exportArgs{platform: bot.Platform(strings.ToLower(*platform)), team: strings.TrimSpace(*team), format: strings.ToLower(*format)}
	switch {
	case len(files) == 0:
		return a, bad("missing FILE (- for standard output)")
	case len(files) > 1:
		return a, bad(fmt.Sprintf("unexpected argument %q", files[1]))
	case a.team == "":
		return a, bad("--team is required (the Slack team id, such as T0123ABCD)")
	case a.platform != bot.Slack && a.platform != bot.Discord:
		return a, bad(fmt.Sprintf("--platform %q: use slack or discord", *platform))
	}
	a.file = files[0]
	if a.format == "" {
		a.format = "json"
		if strings.HasSuffix(strings.ToLower(a.file), ".csv") {
			a.format = "csv"
		}
	}
	if a.format != "json" && a.format != "csv" {
		return a, bad(fmt.Sprintf("--format %q: use json or csv", *format))
	}
	return a, nil
}

// runExportWorkspace implements `recoverycoach export-workspace`: it
// builds the workspace's export under bot's privacy rules and writes it to
// a new file (or stdout), then says on stdout what it wrote.
func runExportWorkspace(ctx context.Context, cfg config, args []string, clock bot.Clock, stdout io.Writer) error {
	a, err := parseExportArgs(args)
	if err != nil {
		return err
	}
	if a.file != "-" {
		if _, err := os.Stat(a.file); err == nil {
			return fmt.Errorf("export-workspace: %s already exists; choose a new file", a.file)
		}
	}
	db, err := openExistingStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	now := clock.Now()
	data, err := db.TeamData(ctx, a.platform, a.team, time.Time{})
	if err != nil {
		return fmt.Errorf("export-workspace: read the workspace: %w", err)
	}
	if len(data) == 0 {
		return fmt.Errorf("export-workspace: no data stored for %s workspace %s (a mistyped id, never used, or already deleted after the retention period)", a.platform, a.team)
	}
	ws, err := db.EnsureWorkspace(ctx, bot.NewWorkspace(a.platform, a.team, now))
	if err != nil {
		return fmt.Errorf("export-workspace: read the workspace: %w", err)
	}
	staff, err := db.Audit(ctx, a.platform, a.team, maxExportAudit)
	if err != nil {
		return fmt.Errorf("export-workspace: read the staff actions: %w", err)
	}
	x := bot.BuildWorkspaceExport(ws, data, staff, now)
	if a.platform == bot.Slack {
		if err := describeInstallation(ctx, db, cfg, a.team, &x); err != nil {
			return err
		}
	}
	var out []byte
	if a.format == "csv" {
		out, err = x.CSV()
	} else {
		out, err = x.JSON()
	}
	if err != nil {
		return fmt.Errorf("export-workspace: render: %w", err)
	}
	if a.file == "-" {
		_, err = stdout.Write(out)
		return err
	}
	// O_EXCL: never overwrite a file that appeared since the check above.
	f, err := os.OpenFile(a.file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export-workspace: %w", err)
	}
	if _, err := f.Write(out); err != nil {
		f.Close()
		os.Remove(a.file)
		return fmt.Errorf("export-workspace: write %s: %w", a.file, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(a.file)
		return fmt.Errorf("export-workspace: write %s: %w", a.file, err)
	}
	fmt.Fprintf(stdout, "exported %s workspace %s (%s mode) to %s: %d members by name, group figures for %d weeks, %d staff actions\n",
		a.platform, a.team, ws.Privacy, a.file, len(x.Shared), len(x.Pain), len(x.Staff))
	if !x.UninstalledAt.IsZero() {
		fmt.Fprintf(stdout, "the app was uninstalled on %s; the workspace's data is deleted after %s\n",
			x.UninstalledAt.UTC().Format("2006-01-02 15:04 UTC"), x.DeleteAfter.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return nil
}

// maxExportAudit bounds the staff actions an export carries.
const maxExportAudit = 100000

// describeInstallation adds what the store knows of the team's own Slack
// installation (never its tokens): its name, and when it was uninstalled
// and its data will be deleted.
func describeInstallation(ctx context.Context, db database, cfg config, team string, x *bot.WorkspaceExport) error {
	all, err := db.Installations(ctx)
	if err != nil {
		return fmt.Errorf("export-workspace: read the installations: %w", err)
	}
	for _, in := range all {
		if in.OrgInstall || in.TeamID != team {
			continue
		}
		x.Name = in.TeamName
		if !in.Active() {
			x.UninstalledAt = in.UninstalledAt
			x.DeleteAfter = in.UninstalledAt.Add(cfg.dist.RetentionAfterUninstall)
		}
		return nil
	}
	if in, err := db.Installation(ctx, team, ""); err == nil {
		x.Name = in.EnterpriseName
	} else if bot.ErrorCode(err) != bot.ENOTFOUND {
		return fmt.Errorf("export-workspace: read the installation: %w", err)
	}
	return nil
}
