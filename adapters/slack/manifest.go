package slack

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	slackgo "github.com/slack-go/slack"
	"gopkg.in/yaml.v3"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Manifest limits from Slack's app manifest reference.
const (
	maxAppName           = 35
	maxAppDescription    = 140
	maxCommandName       = 32
	maxCommandSummary    = 2000
	maxCommandUsageHint  = 1000
	manifestBotName      = "Recovery Coach"
	manifestColor        = "#2c6e49"
	manifestShortSummary = "Home-rehab coach: exercise reminders, pain check-ins and kinesiology-tape tracking between physio visits."
	manifestLongSummary  = "Recovery Coach helps you keep up your home rehab between physical-therapy visits. " +
		"It sends exercise and check-in reminders to your DMs, logs pain check-ins with /pain, tracks kinesiology tape " +
		"(skin check and removal), and shows short guidance with clear advice on when to see a professional. " +
		"Your check-ins stay private: export or delete them any time. It is not a medical device and never diagnoses."
)

// BotScopes are the OAuth scopes the bot token needs.
var BotScopes = []string{
	"app_mentions:read", // answer @Recovery Coach in channels
	"chat:write",        // replies and nudges
	"commands",          // /pain and /coach
	"files:write",       // CSV exports too large to show inline
	"im:history",        // read DMs sent to the bot (message.im)
	"im:read",
	"im:write", // open the DM for nudges
	"users:read",
}

// BotEvents are the Events API subscriptions.
var BotEvents = []string{"app_home_opened", "app_mention", "message.im"}

// ManifestOptions say where the app receives requests.
type ManifestOptions struct {
	// BaseURL is the public https URL the /slack/* endpoints live under.
	// It is required unless SocketMode.
	BaseURL string
	// SocketMode enables Socket Mode; request URLs are then left out.
	SocketMode bool
	// RedirectURL, for a distributed app, is the OAuth redirect URL
	// (…/slack/oauth_redirect); org-wide installs are then enabled too.
	RedirectURL string
}

// Manifest returns the Slack app manifest for the registry's commands.
func Manifest(reg *bot.Registry, opts ManifestOptions) (slackgo.Manifest, error) {
	base := ""
	if !opts.SocketMode {
		if opts.BaseURL == "" {
			return slackgo.Manifest{}, errors.New("give the public URL of the app with --url https://..., or use --socket-mode")
		}
		u, err := url.Parse(opts.BaseURL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return slackgo.Manifest{}, fmt.Errorf("--url %q: Slack needs an https URL such as https://coach.example.com", opts.BaseURL)
		}
		base = strings.TrimRight(u.String(), "/")
	}
	endpoint := func(path string) string {
		if base == "" {
			return ""
		}
		return base + path
	}

	var commands []slackgo.ManifestSlashCommand
	for _, root := range reg.Roots() {
		name := "/" + root.Name
		if len(name) > maxCommandName {
			return slackgo.Manifest{}, fmt.Errorf("command %s is longer than Slack's %d characters", name, maxCommandName)
		}
		commands = append(commands, slackgo.ManifestSlashCommand{
			Command:      name,
			Description:  clip(root.Summary, maxCommandSummary),
			UsageHint:    clip(strings.TrimSpace(strings.TrimPrefix(root.Usage(), name)), maxCommandUsageHint),
			ShouldEscape: true, // mentions arrive as <@U123>, which OptUser parses
			Url:          endpoint("/slack/commands"),
		})
	}

	m := slackgo.Manifest{
		Metadata: slackgo.ManifestMetadata{MajorVersion: 1, MinorVersion: 1},
		Display: slackgo.Display{
			Name:            clip(manifestBotName, maxAppName),
			Description:     clip(manifestShortSummary, maxAppDescription),
			LongDescription: manifestLongSummary,
			BackgroundColor: manifestColor,
		},
		Features: slackgo.Features{
			AppHome:       slackgo.AppHome{HomeTabEnabled: true, MessagesTabEnabled: true},
			BotUser:       slackgo.BotUser{DisplayName: manifestBotName, AlwaysOnline: true},
			SlashCommands: commands,
		},
		OAuthConfig: slackgo.OAuthConfig{Scopes: slackgo.OAuthScopes{Bot: BotScopes}},
		Settings: slackgo.Settings{
			EventSubscriptions: &slackgo.EventSubscriptions{RequestUrl: endpoint("/slack/events"), BotEvents: BotEvents},
			Interactivity:      &slackgo.Interactivity{IsEnabled: true, RequestUrl: endpoint("/slack/interactions")},
			SocketModeEnabled:  opts.SocketMode,
		},
	}
	if opts.RedirectURL != "" {
		m.OAuthConfig.RedirectUrls = []string{opts.RedirectURL}
		m.Settings.OrgDeployEnabled = true
	}
	return m, nil
}

// ManifestYAML renders the manifest as YAML, the format Slack's "Create an
// app from a manifest" dialog takes.
func ManifestYAML(reg *bot.Registry, opts ManifestOptions) ([]byte, error) {
	m, err := Manifest(reg, opts)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := doc.Encode(m); err != nil {
		return nil, fmt.Errorf("slack: encode manifest: %w", err)
	}
	// slack-go drops false booleans (omitempty), but an app created with
	// the Messages tab read-only cannot be typed to: conversational DMs
	// would never arrive. Saying false outright also resets an app whose
	// tab was made read-only before.
	if err := setMappingValue(&doc, []string{"features", "app_home"}, "messages_tab_enabled", "messages_tab_read_only_enabled", "false", "!!bool"); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("slack: encode manifest: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("slack: encode manifest: %w", err)
	}
	return buf.Bytes(), nil
}

// setMappingValue adds key: value (of tag) to the mapping at path, right
// after the key after, so the generated YAML reads in a sensible order.
func setMappingValue(n *yaml.Node, path []string, after, key, value, tag string) error {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	for _, p := range path {
		var next *yaml.Node
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == p {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return fmt.Errorf("slack: manifest has no %s", strings.Join(path, "."))
		}
		n = next
	}
	at := len(n.Content)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content[i+1].Value, n.Content[i+1].Tag = value, tag
			return nil
		}
		if n.Content[i].Value == after {
			at = i + 2
		}
	}
	kv := []*yaml.Node{{Kind: yaml.ScalarNode, Value: key, Tag: "!!str"}, {Kind: yaml.ScalarNode, Value: value, Tag: tag}}
	n.Content = append(n.Content[:at], append(kv, n.Content[at:]...)...)
	return nil
}
