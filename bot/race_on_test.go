//go:build race

package bot_test

// underRace is set when the tests run under the race detector. Tests that
// are pure computation (no goroutine of their own) skip themselves then:
// the detector has nothing to find in them, they run many times slower,
// and the plain run covers them.
const underRace = true
