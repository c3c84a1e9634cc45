// Package postgres implements bot.Store on PostgreSQL through pgx, for
// running several instances against one database.
//
// It behaves like bot/sqlite method for method (the shared suite in
// bot/storetest holds both to the same contract), with two additions that
// only matter when instances share a database: DueOutbox leases the rows it
// returns to this instance (FOR UPDATE SKIP LOCKED, so no two instances send
// the same nudge), and Lead elects one instance through a session-level
// advisory lock to run what must run once, such as the cron triggers.
package postgres
