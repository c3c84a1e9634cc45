package discord_test

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// gatewayParallel is how many tests may run at once when -parallel is not
// given. The parallel tests here each hold a gateway session, and closing
// one sleeps a full second inside discordgo (Session.Close waits that long
// for the server's close frame). They are bound by that sleep, not by CPU,
// so the default of one test per CPU would only queue them for seconds.
const gatewayParallel = 8

func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		if err := flag.Set("test.parallel", strconv.Itoa(gatewayParallel)); err != nil {
			panic(err)
		}
	}
	os.Exit(m.Run())
}
