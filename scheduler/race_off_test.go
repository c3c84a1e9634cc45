//go:build !race

package scheduler

// underRace: see race_on_test.go.
const underRace = false
