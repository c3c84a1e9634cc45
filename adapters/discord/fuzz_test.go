package discord_test

import (
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
)

// FuzzToRequest feeds arbitrary interaction JSON through decoding and
// option flattening: it must never panic, and whatever it accepts must name
// a Discord member and either a command path or a command line.
func FuzzToRequest(f *testing.F) {
	f.Add(slash("1", "g1", "u1", "pain", num("score", 6), str("area", "knee"), str("note", "sore")))
	f.Add(slash("2", "", "u1", "coach", group("tape", sub("on", str("area", "knee"), num("days", 4)))))
	f.Add(slash("3", "g1", "u1", "coach", sub("history", num("days", 30))))
	f.Add(click("4", "g1", "u2", "rc:coach snooze 1h", true))
	f.Add(click("5", "", "u2", "other", false))
	f.Add([]byte(`{"id":"6","type":2,"guild_id":"g","member":{"user":{"id":"u"},"permissions":"8"},"data":{"name":"coach","options":[{"name":"a","type":2,"options":[{"name":"b","type":1,"options":[{"name":"c","type":1,"options":[{"name":"x","type":4,"value":1e300}]}]}]}]}}`))
	f.Add([]byte(`{"id":"7","type":2,"user":{"id":"u"},"data":{"name":"pain","options":[null,{"name":"score","type":4,"value":"six"},{"name":"","type":3,"value":true},{"name":"n","type":10,"value":2.5}]}}`))
	f.Add([]byte(`{"id":"8","type":4,"user":{"id":"u"},"data":{"name":"pain"}}`))
	f.Add([]byte(`{"id":"9","type":5,"user":{"id":"u"},"data":{"custom_id":"rc:x","components":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var i discordgo.Interaction
		if err := json.Unmarshal(data, &i); err != nil {
			return
		}
		req, err := discord.ToRequest(&i)
		if err != nil {
			return
		}
		if req.Platform != bot.Discord || req.User == "" || req.Workspace == "" {
			t.Fatalf("accepted a request without a member: %+v", req)
		}
		if req.IsDM != (req.Workspace == discord.DMWorkspace && i.GuildID == "") {
			t.Fatalf("IsDM = %v for guild %q", req.IsDM, i.GuildID)
		}
		switch {
		case len(req.Path) > 0:
			if req.Path[0] == "" || len(req.Path) > 3 || req.Text != "" {
				t.Fatalf("bad path %q (text %q)", req.Path, req.Text)
			}
		case strings.TrimSpace(req.Text) == "":
			t.Fatalf("accepted a request with neither path nor text: %+v", req)
		}
	})
}

// FuzzVerify: random signatures and timestamps never verify, and nothing
// panics on odd header values.
func FuzzVerify(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)
	now := time.Unix(1_772_000_000, 0)
	f.Add("00", "1772000000", []byte(`{"type":1}`))
	f.Add(strings.Repeat("ab", 64), "1772000000", []byte(`{"type":1}`))
	f.Add(strings.Repeat("ab", 64), "-9223372036854775808", []byte{})
	f.Add("", "", []byte(nil))
	f.Fuzz(func(t *testing.T, sig, ts string, body []byte) {
		if err := discord.Verify(pub, now, sig, ts, body); err == nil {
			t.Fatalf("random signature %q verified", sig)
		}
		good, goodTS := sign(priv, now, body)
		if err := discord.Verify(pub, now, good, goodTS, body); err != nil {
			t.Fatalf("a real signature failed: %v", err)
		}
	})
}
