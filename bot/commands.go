package bot

// Commands returns the registry of every command; the README's command
// table, the Slack manifest and the Discord definitions come from it.
// It is built afresh on each call so that no caller can change another's.
func Commands() *Registry {
	days := func(def string, max int) Option {
		return Option{Name: "days", Description: "How many days to look back", Type: OptInt, Min: 1, Max: max, Default: def}
	}
	kind := Option{Name: "kind", Description: "What to be reminded about", Type: OptChoice, Required: true,
		Choices: []Choice{{Value: string(RemindExercises), Aliases: []string{"exercise", "ex", "exercising"}}, {Value: string(RemindCheckIn), Aliases: []string{"check-in", "checkins", "check", "pain"}}}}
	repeat := Option{Name: "repeat", Description: "daily, weekdays, weekends or days like mon,wed,fri", Type: OptWeekdays, Default: "daily", Placeholder: "daily|weekdays|mon,wed,..."}
	// Left out, the area is the one of the member's program or last
	// check-in, so one knee stays one line on the chart.
	area := Option{Name: "area", Description: "Body area, with left or right if you like: knee, left knee", Type: OptArea, FromContext: true}
	stop := func(what string) Option {
		return Option{Name: "state", Description: "off stops the " + what, Type: OptChoice, Choices: []Choice{{Value: "off", Aliases: []string{"stop"}}}}
	}
	weekly := func(what string) []Option {
		return []Option{
			{Name: "state", Description: "Turn the weekly " + what + " on or off", Type: OptChoice, Required: true,
				Choices: []Choice{{Value: "on", Aliases: []string{"yes"}}, {Value: "off", Aliases: []string{"no", "stop"}}}},
			{Name: "day", Description: "Day of the week, e.g. mon", Type: OptWeekdays, Default: "mon", Placeholder: "DAY"},
			{Name: "at", Description: "Time of day, HH:MM", Type: OptTimes, Default: "08:00", Placeholder: "HH:MM"},
		}
	}

	postTZ := Option{Name: "tz", Description: "Zone of the times, e.g. Europe/London (default: yours)", Type: OptZone, Keyword: "tz", Placeholder: "ZONE"}

	pain := &Command{
		Name:    "pain",
		Summary: "Log how much it hurts, from 0 (none) to 10 (worst)",
		Examples: []string{
			"/pain 6 knee sore after stairs",
			"/pain 2",
		},
		Options: []Option{
			{Name: "score", Description: "0 = no pain, 10 = worst imaginable", Type: OptInt, Min: 0, Max: 10, Required: true},
			area,
			{Name: "note", Description: "Anything worth remembering", Type: OptText, Max: 500},
		},
		Handler: (*Coach).pain,
	}

	coach := &Command{
		Name:    "coach",
		Summary: "Your home-rehab coach: reminders, tape, history and more",
		Empty:   "help",
		Subcommands: []*Command{
			{Name: "help", Summary: "Show the commands, or details of one", Examples: []string{"/coach help tape"},
				Options: []Option{{Name: "verb", Description: "A command to explain", Type: OptText, Max: 100, Placeholder: "VERB"}},
				Handler: (*Coach).help},
			{Name: "start", Summary: "What this is, privacy, and consent", Examples: []string{"/coach start"},
				Options: []Option{{Name: "share", Description: "May staff see your individual check-ins?", Type: OptChoice,
					Choices: []Choice{{Value: "yes", Aliases: []string{"y", "share"}}, {Value: "no", Aliases: []string{"n", "private"}}}}},
				Handler: (*Coach).start},
			{Name: "plan", Summary: "Show or choose an exercise program, or load your clinician's by its code", Examples: []string{"/coach plan", "/coach plan knee", "/coach plan 7K3MQ-9TXB4", "/coach plan off"},
				Options: []Option{{Name: "program", Description: "A program id, a code from your clinician, or off", Type: OptWord, Placeholder: "PROGRAM|CODE|off"}},
				Handler: (*Coach).plan},
			{Name: "done", Summary: "Log today's exercises (or one) as done", Examples: []string{"/coach done", "/coach done bridge", "/coach done quad sets"},
				Options: []Option{{Name: "exercise", Description: "One exercise of your program: its name, id or the start of it", Type: OptText, Max: 100, Placeholder: "EXERCISE"}},
				Handler: (*Coach).done},
			{Name: "remind", Summary: "Set or stop exercise and check-in reminders", Empty: "list", Default: "set",
				Subcommands: []*Command{
					{Name: "set", Summary: "Remind me at these times; a different schedule is changed only with add or replace", Examples: []string{"/coach remind exercises at 08:00,18:00 weekdays", "/coach remind checkin at 20:00", "/coach remind exercises at 07:00 monday add"},
						Options: []Option{kind,
							{Name: "at", Description: "Times of day, HH:MM, comma separated", Type: OptTimes, Required: true, Keyword: "at", Placeholder: "HH:MM[,HH:MM...]"},
							repeat,
							{Name: "change", Description: "add to or replace a different schedule of the same kind", Type: OptChoice,
								Choices: []Choice{{Value: "add", Aliases: []string{"also", "plus"}}, {Value: "replace", Aliases: []string{"instead", "change"}}}}},
						Filler:  []string{"me", "to", "do", "my", "the", "for", "on", "in", "please", "every", "each"},
						Handler: (*Coach).remindSet},
					{Name: "off", Summary: "Stop reminders", Examples: []string{"/coach remind off checkin"},
						Options: []Option{{Name: "kind", Description: "Which reminders to stop", Type: OptChoice, Required: true,
							Choices: append(append([]Choice(nil), kind.Choices...), Choice{Value: "all"})}},
						Handler: (*Coach).remindOff},
					{Name: "list", Summary: "Show my reminders", Examples: []string{"/coach remind"}, Handler: (*Coach).remindList},
					{Name: "skip", Summary: "Skip today's remaining exercise reminders (also typed as /coach skip)", Examples: []string{"/coach skip"}, Handler: (*Coach).skip},
					{Name: "summary", Summary: "A weekly summary of your check-ins and exercises by DM (also /coach summary)", Examples: []string{"/coach summary on sun 18:00", "/coach summary off"},
						Options: weekly("summary"), Handler: (*Coach).summary},
				}},
			{Name: "tape", Summary: "Track kinesiology tape: skin check and removal reminders", Empty: "status",
				Subcommands: []*Command{
					{Name: "on", Summary: "I just put tape on", Examples: []string{"/coach tape on knee", "/coach tape on shoulder 4"},
						Options: []Option{
							{Name: "area", Description: "Where the tape is: knee, left knee", Type: OptArea, Required: true},
							{Name: "days", Description: "Planned wear in days (3 to 5 is normal)", Type: OptInt, Min: 1, Max: 7, Default: "5"}},
						Handler: (*Coach).tapeOn},
					{Name: "off", Summary: "I took the tape off", Examples: []string{"/coach tape off"}, Handler: (*Coach).tapeOff},
					{Name: "status", Summary: "How long the tape has been on", Examples: []string{"/coach tape status"}, Handler: (*Coach).tapeStatus},
				}},
			{Name: "snooze", Summary: "Hold nudges for a while", Examples: []string{"/coach snooze", "/coach snooze 2h"},
				Options: []Option{{Name: "duration", Description: "How long, e.g. 30m, 2h, 3 days", Type: OptDuration, Default: "1h"}},
				Filler:  []string{"for"},
				Handler: (*Coach).snooze},
			{Name: "pause", Summary: "Pause all nudges until a date, for a while, or until resume", Examples: []string{"/coach pause 3 days", "/coach pause until 10 Dec", "/coach pause until monday"},
				Options: []Option{
					{Name: "until", Description: "When nudges start again: 10 Dec, friday, tomorrow 9am", Type: OptDate, Keyword: "until", Placeholder: "DATE"},
					{Name: "duration", Description: "How long, e.g. 3 days or 2 weeks", Type: OptDuration}},
				Filler:  []string{"for"},
				Handler: (*Coach).pause},
			{Name: "resume", Summary: "Resume nudges after a pause or snooze", Examples: []string{"/coach resume"}, Handler: (*Coach).resume},
			{Name: "tz", Summary: "Show or set your time zone", Examples: []string{"/coach tz London", "/coach tz Europe/Berlin"},
				Options: []Option{{Name: "zone", Description: "Your city, country or zone: London, New York, Europe/Berlin", Type: OptZone}},
				Handler: (*Coach).tz},
			{Name: "quiet", Summary: "Show or set a daily window without nudges", Examples: []string{"/coach quiet", "/coach quiet 22:00-07:00", "/coach quiet off"},
				Options: []Option{{Name: "window", Description: "HH:MM-HH:MM, or off", Type: OptTimeRange, Placeholder: "HH:MM-HH:MM|off"}},
				Handler: (*Coach).quiet},
			{Name: "history", Summary: "Your check-ins as a sparkline, with trend and streak", Examples: []string{"/coach history", "/coach history 30"},
				Options: []Option{days("14", 365)},
				Handler: (*Coach).history},
			{Name: "learn", Summary: "Short cards: tape, soft-tissue work, red flags and more", Examples: []string{"/coach learn", "/coach learn tape"},
				Options: []Option{{Name: "topic", Description: "Topic, card or keyword", Type: OptText, Max: 100}},
				Handler: (*Coach).learn},
			{Name: "report", Summary: "A one-page PDF for your clinician", Examples: []string{"/coach report", "/coach report 56 Sam Lee"},
				Options: []Option{days("28", 365),
					{Name: "name", Description: "Your name as it should appear on the report (optional)", Type: OptText, Max: 60}},
				Handler: (*Coach).report},
			{Name: "export", Summary: "Download all your data as CSV", Examples: []string{"/coach export"}, Handler: (*Coach).export},
			{Name: "readiness", Summary: "Daily five-item wellness check-in (1 = poor, 5 = great)", Examples: []string{"/coach readiness", "/coach readiness 4 3 2 4 5"},
				Options: []Option{
					{Name: "fatigue", Description: "1 very tired ... 5 very fresh", Type: OptInt, Min: 1, Max: 5},
					{Name: "sleep", Description: "1 very poor ... 5 very good", Type: OptInt, Min: 1, Max: 5},
					{Name: "soreness", Description: "1 very sore ... 5 not sore", Type: OptInt, Min: 1, Max: 5},
					{Name: "stress", Description: "1 very stressed ... 5 very relaxed", Type: OptInt, Min: 1, Max: 5},
					{Name: "mood", Description: "1 very low ... 5 very good", Type: OptInt, Min: 1, Max: 5}},
				Handler: (*Coach).readiness},
			{Name: "load", Summary: "Log a session: effort (RPE 0-10) and minutes", Examples: []string{"/coach load 7 60 team practice"},
				Options: []Option{
					{Name: "rpe", Label: "Effort (RPE)", Description: "Session effort, 0 rest ... 10 maximal", Type: OptInt, Min: 0, Max: 10, Required: true},
					{Name: "minutes", Description: "Session length in minutes", Type: OptInt, Min: 1, Max: 600, Required: true},
					{Name: "note", Description: "What the session was", Type: OptText, Max: 200}},
				Handler: (*Coach).load},
			{Name: "edit", Summary: "Correct today's last check-in (also typed as /pain edit)", Examples: []string{"/pain edit 5 knee", "/coach edit 4"},
				Options: pain.Options, Handler: (*Coach).painEdit},
			{Name: "undo", Summary: "Remove the last thing you logged (check-in, exercises, tape, readiness, load or movement break)", Examples: []string{"/coach undo"},
				Handler: (*Coach).undo},
			{Name: "forget", Summary: "Delete all your data (asks to confirm)", Examples: []string{"/coach forget"},
				// Only the word confirm deletes: "forget yes" reads like an
				// answer to a question not yet asked.
				Options: []Option{{Name: "confirm", Description: "Type confirm to delete everything", Type: OptWord, Placeholder: "confirm"}},
				Handler: (*Coach).forget},
			{Name: "challenge", Summary: "Your own progress in a channel's group challenge, and your streak", Examples: []string{"/coach challenge"},
				Handler: (*Coach).challengeMine},
			{Name: "public", Summary: "Show (on) or hide (off) your movement-break streak count on channel boards", Examples: []string{"/coach public on", "/coach public off"},
				Options: []Option{{Name: "state", Description: "on shows your streak count (only the count); off hides it", Type: OptChoice, Required: true,
					Choices: []Choice{{Value: "on", Aliases: []string{"yes", "show"}}, {Value: "off", Aliases: []string{"no", "hide"}}}}},
				Handler: (*Coach).public},
			{Name: "break", Summary: "Log a movement break (what Done on a channel's movement break does)", Examples: []string{"/coach break", "/coach break skip"},
				Options: []Option{
					{Name: "state", Description: "skip: not today (nothing is stored)", Type: OptChoice, Choices: []Choice{{Value: "skip", Aliases: []string{"no", "not-today"}}}},
					{Name: "at", Description: "The time of the post it answers, HH:MM (default now)", Type: OptTimes, Keyword: "at", Placeholder: "HH:MM"}},
				Handler: (*Coach).breakLog},
			{Name: "channel", Summary: "Staff only, typed in a channel: group posts there", Role: RoleStaff, Empty: "list", Default: "set",
				Subcommands: []*Command{
					{Name: "set", Summary: "Post a movement break, readiness or load prompt in this channel", Examples: []string{"/coach channel movement at 10:30,15:00 weekdays", "/coach channel readiness at 08:00", "/coach channel load at 18:30 mon,wed,fri"},
						Options: []Option{
							{Name: "kind", Description: "What to post", Type: OptChoice, Required: true,
								Choices: []Choice{{Value: string(PostMovement), Aliases: []string{"movement-break", "break", "breaks"}}, {Value: string(PostReadiness), Aliases: []string{"wellness"}}, {Value: string(PostLoad), Aliases: []string{"session"}}}},
							{Name: "at", Description: "Times of day, HH:MM, comma separated", Type: OptTimes, Required: true, Keyword: "at", Placeholder: "HH:MM[,HH:MM...]"},
							repeat,
							postTZ},
						Filler:  []string{"post", "posts", "every", "each"},
						Handler: (*Coach).channelSet},
					{Name: "off", Summary: "Stop this channel's posts (of one kind, or all)", Examples: []string{"/coach channel off movement", "/coach channel off"},
						Options: []Option{{Name: "kind", Description: "Which posts to stop; all when left out", Type: OptChoice,
							Choices: []Choice{{Value: string(PostMovement), Aliases: []string{"movement-break", "break", "breaks"}}, {Value: string(PostReadiness)}, {Value: string(PostLoad)}, {Value: string(PostSummary)}, {Value: string(PostChallenge)}}}},
						Handler: (*Coach).channelOff},
					{Name: "list", Summary: "What this channel gets", Examples: []string{"/coach channel list"}, Handler: (*Coach).channelList},
					{Name: "summary", Summary: "An anonymous weekly summary of the group in this channel", Examples: []string{"/coach channel summary weekly mon 09:00"},
						Options: []Option{
							{Name: "every", Description: "How often: weekly", Type: OptChoice, Default: "weekly", Choices: []Choice{{Value: "weekly"}}},
							{Name: "day", Description: "Day of the week, e.g. mon", Type: OptWeekdays, Default: "mon", Placeholder: "DAY"},
							{Name: "at", Description: "Time of day, HH:MM", Type: OptTimes, Default: "09:00", Placeholder: "HH:MM"},
							postTZ},
						Handler: (*Coach).channelSummary},
					{Name: "challenge", Summary: "Start a group challenge here: DAYS long, GOAL movement breaks each", Examples: []string{"/coach channel challenge December 30 20"},
						Options: []Option{
							{Name: "name", Description: "One word, e.g. December or Move-more", Type: OptWord, Required: true},
							{Name: "days", Description: "How many days it runs (7-90)", Type: OptInt, Min: 7, Max: 90, Required: true},
							{Name: "goal", Description: "Movement breaks each person aims for (1-300)", Type: OptInt, Min: 1, Max: 300, Required: true}},
						Handler: (*Coach).channelChallenge},
				}},
			{Name: "team", Summary: "Staff only: team view and settings", Role: RoleStaff, Empty: "report",
				Subcommands: []*Command{
					{Name: "report", Summary: "Team view, respecting the privacy mode", Examples: []string{"/coach team report 14"},
						Options: []Option{days("7", 90)}, Handler: (*Coach).teamReport},
					{Name: "mode", Summary: "Privacy mode: team or wellness", Examples: []string{"/coach team mode wellness"},
						Options: []Option{{Name: "mode", Description: "team shows consenting members; wellness shows aggregates only", Type: OptChoice, Required: true,
							Choices: []Choice{{Value: string(PrivacyTeam)}, {Value: string(PrivacyWellness)}}}},
						Handler: (*Coach).teamMode},
					{Name: "alerts", Summary: "Where red-flag alerts go", Examples: []string{"/coach team alerts #trainers"},
						Options: []Option{{Name: "channel", Description: "Staff channel", Type: OptChannel, Required: true}},
						Handler: (*Coach).teamAlerts},
					{Name: "emergency", Summary: "The number emergency replies name (off: each member's own country)", Examples: []string{"/coach team emergency 999", "/coach team emergency off"},
						Options: []Option{{Name: "number", Description: "Emergency number, such as 999 or 112, or off", Type: OptText, Max: 20, Required: true}},
						Handler: (*Coach).teamEmergency},
					{Name: "staff", Summary: "Grant the staff role", Examples: []string{"/coach team staff @sam"},
						Options: []Option{{Name: "user", Description: "Who becomes staff", Type: OptUser, Required: true}},
						Handler: (*Coach).teamStaff},
					{Name: "unstaff", Summary: "Remove the staff role (never from the last staff member)", Examples: []string{"/coach team unstaff @sam"},
						Options: []Option{{Name: "user", Description: "Who stops being staff", Type: OptUser, Required: true}},
						Handler: (*Coach).teamUnstaff},
					{Name: "audit", Summary: "Recent staff actions: views and setting changes", Examples: []string{"/coach team audit"},
						Handler: (*Coach).teamAudit},
					{Name: "digest", Summary: "A weekly team digest by DM, respecting the privacy mode", Examples: []string{"/coach team digest on mon 08:00", "/coach team digest off"},
						Options: weekly("digest"), Handler: (*Coach).teamDigest},
					{Name: "readiness", Summary: "Team readiness view, or schedule the daily prompt", Examples: []string{"/coach team readiness", "/coach team readiness at 08:00 weekdays"},
						Options: []Option{days("1", 28),
							{Name: "at", Description: "Prompt time, HH:MM", Type: OptTimes, Keyword: "at", Placeholder: "HH:MM"},
							{Name: "repeat", Description: repeat.Description, Type: OptWeekdays, Placeholder: repeat.Placeholder},
							stop("daily readiness prompt")},
						Handler: (*Coach).teamReadiness},
					{Name: "load", Summary: "Prompt the team to log session load after training", Examples: []string{"/coach team load at 18:30 mon,wed,fri", "/coach team load off"},
						Options: []Option{
							{Name: "at", Description: "Prompt time, HH:MM", Type: OptTimes, Keyword: "at", Placeholder: "HH:MM"},
							{Name: "repeat", Description: repeat.Description, Type: OptWeekdays, Placeholder: repeat.Placeholder},
							stop("post-session load prompt")},
						Handler: (*Coach).teamLoad},
				}},
		},
	}
	reg := NewRegistry(pain, coach)
	// "/pain edit 5 knee" reads as people say it; the command itself is
	// /coach edit, so Discord keeps /pain with its score first.
	reg.Shortcut("pain edit", "coach", "edit")
	reg.Shortcut("coach skip", "coach", "remind", "skip")
	reg.Shortcut("coach summary", "coach", "remind", "summary")
	return reg
}
