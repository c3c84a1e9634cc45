package discord_test

import (
	"flag"
	"os"
	"strconv"
	"testing"
)

// gatewayParallel is how many tests may run at once when -parallel is not
// given. Every test here calls t.Parallel: each has its own fake servers
// and store, and the gateway tests are bound by a sleep, not by CPU
// (discordgo's Session.Close waits a full second for the server's close
// frame). Run one after another, or one per CPU, they would queue for
// seconds while the CPUs idle.
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
