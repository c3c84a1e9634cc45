package sqlite

import (
	"database/sql"
	"strings"

	"github.com/recoverycoach/recoverycoach/bot"
)

func scanTape(s scanner) (bot.TapeCycle, error) {
	var tc bot.TapeCycle
	var applied int64
	var removed sql.NullInt64
	err := s.Scan(&tc.ID, &tc.Area, &tc.Days, &applied, &removed)
	tc.AppliedAt = fromMS(applied)
	tc.RemovedAt = fromNullMS(removed)
	return tc, err
}

func scanSubscription(s scanner) (bot.Subscription, error) {
	var sub bot.Subscription
	var times string
	var days int
	var created int64
	if err := s.Scan(&sub.ID, &sub.Kind, &times, &days, &sub.TZ, &created); err != nil {
		return sub, err
	}
	sub.Days = bot.Weekdays(days)
	sub.CreatedAt = fromMS(created)
	parsed, err := bot.ParseTimes(times)
	sub.Times = parsed
	return sub, err
}

func formatTimes(ts []bot.TimeOfDay) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return strings.Join(parts, ",")
}
