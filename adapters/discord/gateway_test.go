package discord_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/recoverycoach/recoverycoach/adapters/discord"
	"github.com/recoverycoach/recoverycoach/bot"
	"github.com/recoverycoach/recoverycoach/bot/bottest"
)

// fakeGateway is a Discord gateway: it says hello, takes an identify or a
// resume, confirms it, and then relays the events a test sends.
type fakeGateway struct {
	srv *httptest.Server
	// hellos receives each connection's first message.
	hellos chan hello
	events chan string
	// drop ends the current connection, as a network failure would.
	drop chan struct{}
}

func newFakeGateway(t *testing.T) *fakeGateway {
	g := &fakeGateway{hellos: make(chan hello, 10), events: make(chan string, 10), drop: make(chan struct{}, 1)}
	up := websocket.Upgrader{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"op":10,"d":{"heartbeat_interval":45000}}`))
		var first struct {
			Op int `json:"op"`
			D  struct {
				Intents int     `json:"intents"`
				Shard   *[2]int `json:"shard"`
			} `json:"d"`
		}
		if err := conn.ReadJSON(&first); err != nil {
			return
		}
		g.hellos <- hello{Op: first.Op, Intents: first.D.Intents, Shard: first.D.Shard}
		if first.Op == 6 {
			_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"op":0,"t":"RESUMED","s":10,"d":{}}`))
		} else {
			_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"op":0,"t":"READY","s":1,"d":{"v":9,"session_id":"s1","user":{"id":"bot1","username":"coach","bot":true},"guilds":[]}}`))
		}
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
		for {
			select {
			case ev := <-g.events:
				if err := conn.WriteMessage(websocket.TextMessage, []byte(ev)); err != nil {
					return
				}
			case <-g.drop:
				return
			case <-closed:
				return
			}
		}
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) url() string { return "ws" + strings.TrimPrefix(g.srv.URL, "http") }

func (g *fakeGateway) send(seq int, typ string, data []byte) {
	g.events <- `{"op":0,"t":"` + typ + `","s":` + json.Number(itoa(seq)).String() + `,"d":` + string(data) + `}`
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// hello is the first message of a gateway connection.
type hello struct {
	Op      int // 2 identify, 6 resume
	Intents int
	Shard   *[2]int // [id, count] of a sharded identify
}

func (g *fakeGateway) hello(t *testing.T) hello {
	t.Helper()
	select {
	case h := <-g.hellos:
		return h
	case <-time.After(10 * time.Second):
		t.Fatal("the gateway got no identify")
		return hello{}
	}
}

// gatewayEnv starts an adapter in gateway mode against the fakes; connects
// receives true on every Connect event and false on every Disconnect, after
// the adapter has seen it.
func gatewayEnv(t *testing.T, h discord.Handler, ackDeadline time.Duration) (*discord.Adapter, *fakeDiscord, *fakeGateway, chan bool) {
	t.Helper()
	return gatewayEnvConfig(t, discord.Config{
		Handler: h, Store: bottest.MustOpenStore(t),
		Clock: bottest.NewClock(bottest.Start), AckDeadline: ackDeadline,
		DedupeWait: time.Hour, // only the ack deadline defers
	})
}

// gatewayEnvConfig is gatewayEnv with the adapter's configuration given;
// the session is the fake's.
func gatewayEnvConfig(t *testing.T, cfg discord.Config) (*discord.Adapter, *fakeDiscord, *fakeGateway, chan bool) {
	t.Helper()
	fake := newFakeDiscord(t)
	gw := newFakeGateway(t)
	fake.gateway = gw.url()
	session := fake.session()
	cfg.Session = session
	a, err := discord.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if a.HTTPMode() || a.Ready() {
		t.Fatal("a gateway adapter must not be ready before it connects")
	}
	connects := make(chan bool, 10)
	// Events run in order (SyncEvents), so these follow the adapter's own.
	session.AddHandler(func(*discordgo.Session, *discordgo.Connect) { connects <- true })
	session.AddHandler(func(*discordgo.Session, *discordgo.Disconnect) { connects <- false })
	return a, fake, gw, connects
}

func waitBool(t *testing.T, ch chan bool, want bool) {
	t.Helper()
	select {
	case got := <-ch:
		if got != want {
			t.Fatalf("got connect=%v, want %v", got, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no connection event")
	}
}

// connect runs a until stop is called, and returns once the gateway has
// taken its identify and the adapter is connected; stop ends Run and fails
// the test if Run failed.
func connect(t *testing.T, a *discord.Adapter, gw *fakeGateway, connects chan bool) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	gw.hello(t)
	waitBool(t, connects, true)
	return func() {
		t.Helper()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
}

// nextCall skips the gateway lookup.
func nextCall(t *testing.T, fake *fakeDiscord) call {
	t.Helper()
	for {
		if c := fake.next(t); c.Path != "/gateway" {
			return c
		}
	}
}

func TestGateway(t *testing.T) {
	t.Parallel()
	rec := &recorder{reply: bot.Reply{Text: "Logged **4/10**."}}
	a, fake, gw, connects := gatewayEnv(t, rec, 0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()

	if h := gw.hello(t); h.Op != 2 || h.Intents != int(discordgo.IntentsGuilds|discordgo.IntentsDirectMessages) || h.Shard != nil {
		t.Fatalf("identify = %+v, want op 2, only Guilds|DirectMessages and no shard", h)
	}
	waitBool(t, connects, true)
	if !a.Ready() {
		t.Fatal("not ready after connecting")
	}

	body := slash("2000", "g1", "u1", "pain", num("score", 4))
	gw.send(2, "INTERACTION_CREATE", body)
	c := nextCall(t, fake)
	if c.Method != http.MethodPost || c.Path != "/interactions/2000/tok-2000/callback" {
		t.Fatalf("call = %s %s, want the interaction callback", c.Method, c.Path)
	}
	if r := decodeResponse(t, c.JSON); r.Type != 4 || r.Data.Flags != 64 || r.Data.Content != "Logged **4/10**." {
		t.Errorf("callback = %s", c.JSON)
	}

	// A replayed event (as after a resume) is not answered twice.
	gw.send(3, "INTERACTION_CREATE", body)
	// A command typed in the bot's DMs is answered there.
	gw.send(4, "MESSAGE_CREATE", []byte(`{"id":"m1","channel_id":"dmc","author":{"id":"u1","username":"ann"},"content":"pain 4"}`))
	c = nextCall(t, fake)
	if c.Method != http.MethodPost || c.Path != "/channels/dmc/messages" || !strings.Contains(string(c.JSON), "Logged") {
		t.Fatalf("call = %s %s %s, want the DM reply", c.Method, c.Path, c.JSON)
	}
	// Bots and server messages are ignored.
	gw.send(5, "MESSAGE_CREATE", []byte(`{"id":"m2","channel_id":"dmc","author":{"id":"b2","username":"other","bot":true},"content":"pain 4"}`))
	gw.send(6, "MESSAGE_CREATE", []byte(`{"id":"m3","guild_id":"g1","channel_id":"c9","author":{"id":"u1","username":"ann"},"content":"pain 4"}`))

	// The network drops: discordgo resumes on its own and ready follows.
	gw.drop <- struct{}{}
	waitBool(t, connects, false)
	if h := gw.hello(t); h.Op != 6 {
		t.Fatalf("reconnect sent op %d, want 6 (resume)", h.Op)
	}
	waitBool(t, connects, true)
	if !a.Ready() {
		t.Fatal("not ready after resuming")
	}

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if a.Ready() {
		t.Error("ready after shutdown")
	}
	reqs := rec.Requests()
	if len(reqs) != 2 {
		t.Fatalf("handled %d requests, want 2: %+v", len(reqs), reqs)
	}
	for _, req := range reqs {
		if req.User != "u1" || req.Platform != bot.Discord {
			t.Errorf("request = %+v", req)
		}
		if req.Text == "pain 4" && (req.Workspace != discord.DMWorkspace || !req.IsDM || req.Channel != "dmc") {
			t.Errorf("DM request = %+v", req)
		}
	}
}

// TestGatewayDeferral: over the gateway the deferral is a REST call, and
// the edit follows it; shutdown waits for the late work.
func TestGatewayDeferral(t *testing.T) {
	t.Parallel()
	slow := newBlocker(bot.Reply{Text: "Here is your plan."})
	a, fake, gw, connects := gatewayEnv(t, slow, time.Nanosecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	gw.hello(t)
	waitBool(t, connects, true)

	gw.send(2, "INTERACTION_CREATE", slash("2100", "g1", "u1", "coach", sub("plan")))
	c := nextCall(t, fake)
	if r := decodeResponse(t, c.JSON); c.Path != "/interactions/2100/tok-2100/callback" || r.Type != 5 || r.Data.Flags != 64 {
		t.Fatalf("call = %s %s, want a private deferral", c.Path, c.JSON)
	}
	<-slow.started
	// Shut down while the command still runs: Run must wait for it.
	cancel()
	close(slow.release)
	c = nextCall(t, fake)
	if c.Method != http.MethodPatch || c.Path != "/webhooks/app1/tok-2100/messages/@original" || !strings.Contains(string(c.JSON), "Here is your plan.") {
		t.Fatalf("call = %s %s %s, want the edit", c.Method, c.Path, c.JSON)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestGatewayUnreachable(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	fake.gateway = "ws://127.0.0.1:1/"
	a, err := discord.New(discord.Config{Session: fake.session(), Handler: &recorder{}, Store: bottest.MustOpenStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "discord gateway") {
		t.Fatalf("Run = %v, want a gateway error", err)
	}
}

// TestGatewayShard: a sharded adapter identifies as its shard, so Discord
// sends it only its share of the guilds.
func TestGatewayShard(t *testing.T) {
	t.Parallel()
	fake := newFakeDiscord(t)
	gw := newFakeGateway(t)
	fake.gateway = gw.url()
	a, err := discord.New(discord.Config{
		Session: fake.session(), Handler: &recorder{}, Store: bottest.MustOpenStore(t),
		ShardID: 1, ShardCount: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	if h := gw.hello(t); h.Op != 2 || h.Shard == nil || *h.Shard != [2]int{1, 3} {
		t.Errorf("identify = %+v, want op 2 with shard [1 3]", h)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestShardConfigRefused(t *testing.T) {
	t.Parallel()
	pub, _, _ := ed25519.GenerateKey(nil)
	tests := []struct {
		name      string
		id, count int
		publicKey string
		want      string
	}{
		{"count zero with id", 1, 0, "", "0 <= id < count"},
		{"negative id", -1, 2, "", "0 <= id < count"},
		{"id equals count", 2, 2, "", "0 <= id < count"},
		{"negative count", 0, -1, "", "0 <= id < count"},
		{"HTTP interactions", 0, 2, hex.EncodeToString(pub), "HTTP interactions"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFakeDiscord(t)
			_, err := discord.New(discord.Config{
				Session: fake.session(), Handler: &recorder{}, Store: bottest.MustOpenStore(t),
				PublicKey: tt.publicKey, ShardID: tt.id, ShardCount: tt.count,
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}
