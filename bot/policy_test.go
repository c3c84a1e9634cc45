package bot_test

import (
	"testing"

	"github.com/recoverycoach/recoverycoach/bot"
)

func TestStaffPolicy(t *testing.T) {
	shares := bot.Member{ShareWithStaff: true}
	private := bot.Member{}
	tests := []struct {
		name               string
		ws                 bot.Workspace
		m                  bot.Member
		staffSees, alerted bool
	}{
		{"team mode, consented, alert channel", bot.Workspace{Privacy: bot.PrivacyTeam, AlertChannel: "C1"}, shares, true, true},
		{"team mode, consented, no channel", bot.Workspace{Privacy: bot.PrivacyTeam}, shares, true, false},
		{"team mode, no consent", bot.Workspace{Privacy: bot.PrivacyTeam, AlertChannel: "C1"}, private, false, false},
		{"wellness mode never shows anyone", bot.Workspace{Privacy: bot.PrivacyWellness, AlertChannel: "C1"}, shares, false, false},
		{"wellness mode, private", bot.Workspace{Privacy: bot.PrivacyWellness}, private, false, false},
		{"no mode set", bot.Workspace{AlertChannel: "C1"}, shares, false, false},
	}
	for _, tt := range tests {
		if got := tt.ws.StaffSees(tt.m); got != tt.staffSees {
			t.Errorf("%s: StaffSees = %v, want %v", tt.name, got, tt.staffSees)
		}
		if got := tt.ws.AlertsStaffAbout(tt.m); got != tt.alerted {
			t.Errorf("%s: AlertsStaffAbout = %v, want %v", tt.name, got, tt.alerted)
		}
	}
}
