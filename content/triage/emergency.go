package triage

import "strings"

// EmergencyNumber returns the emergency telephone number of the country
// an IANA time zone belongs to, or "" when the zone is unknown or spans
// countries with different numbers (UTC, Etc/GMT+5). Callers then name
// "your local emergency number". The table covers the zones of the
// countries most members live in; a workspace can set its own number.
func EmergencyNumber(zone string) string {
	if n, ok := zoneNumbers[zone]; ok {
		return n
	}
	region, _, _ := strings.Cut(zone, "/")
	switch region {
	case "Europe":
		// Every EU country answers 112; the exceptions are listed.
		return "112"
	case "Australia":
		return "000"
	}
	return ""
}

// zoneNumbers maps zones to their country's number.
var zoneNumbers = map[string]string{
	// United Kingdom and Crown dependencies.
	"Europe/London": "999", "Europe/Belfast": "999", "Europe/Guernsey": "999", "Europe/Jersey": "999",
	"Europe/Isle_of_Man": "999", "GB": "999", "GB-Eire": "999",
	// Ireland answers both; 112 works everywhere in Europe.
	"Europe/Dublin": "112", "Eire": "112",
	// Europe outside the EU with a number of its own.
	"Europe/Moscow": "112", "Europe/Istanbul": "112", "Europe/Kyiv": "112", "Europe/Kiev": "112",
	"Europe/Minsk": "112", "Europe/Belgrade": "112", "Europe/Gibraltar": "112",
	// United States and Canada.
	"America/New_York": "911", "America/Chicago": "911", "America/Denver": "911", "America/Los_Angeles": "911",
	"America/Phoenix": "911", "America/Anchorage": "911", "America/Adak": "911", "America/Detroit": "911",
	"America/Boise": "911", "America/Indiana/Indianapolis": "911", "America/Kentucky/Louisville": "911",
	"America/Juneau": "911", "America/Sitka": "911", "America/Nome": "911", "America/Menominee": "911",
	"America/North_Dakota/Center": "911", "Pacific/Honolulu": "911", "America/Puerto_Rico": "911",
	"US/Eastern": "911", "US/Central": "911", "US/Mountain": "911", "US/Pacific": "911", "US/Alaska": "911",
	"US/Hawaii": "911", "US/Arizona": "911", "EST5EDT": "911", "CST6CDT": "911", "MST7MDT": "911", "PST8PDT": "911",
	"America/Toronto": "911", "America/Vancouver": "911", "America/Edmonton": "911", "America/Winnipeg": "911",
	"America/Halifax": "911", "America/St_Johns": "911", "America/Regina": "911", "America/Montreal": "911",
	"America/Moncton": "911", "America/Whitehorse": "911", "America/Yellowknife": "911", "America/Iqaluit": "911",
	"Canada/Eastern": "911", "Canada/Pacific": "911", "Canada/Central": "911", "Canada/Mountain": "911",
	"Canada/Atlantic": "911", "Canada/Newfoundland": "911",
	// Latin America.
	"America/Mexico_City": "911", "America/Cancun": "911", "America/Monterrey": "911", "America/Tijuana": "911",
	"America/Argentina/Buenos_Aires": "911", "America/Buenos_Aires": "911", "America/Sao_Paulo": "192",
	"America/Bogota": "123", "America/Lima": "105", "America/Santiago": "131", "America/Caracas": "911",
	"America/Panama": "911", "America/Costa_Rica": "911", "America/Montevideo": "911",
	// Oceania.
	"Pacific/Auckland": "111", "Pacific/Chatham": "111", "NZ": "111", "Pacific/Fiji": "911",
	// Asia and the Middle East.
	"Asia/Tokyo": "119", "Japan": "119", "Asia/Seoul": "119", "Asia/Shanghai": "120", "Asia/Hong_Kong": "999",
	"Asia/Singapore": "995", "Asia/Kuala_Lumpur": "999", "Asia/Kolkata": "112", "Asia/Calcutta": "112",
	"Asia/Dubai": "998", "Asia/Riyadh": "997", "Asia/Jerusalem": "101", "Asia/Tel_Aviv": "101",
	"Asia/Manila": "911", "Asia/Bangkok": "1669", "Asia/Jakarta": "112", "Asia/Taipei": "119",
	"Asia/Karachi": "1122", "Asia/Dhaka": "999", "Asia/Qatar": "999", "Asia/Ho_Chi_Minh": "115",
	// Africa.
	"Africa/Johannesburg": "10177", "Africa/Lagos": "112", "Africa/Nairobi": "999", "Africa/Cairo": "123",
	"Africa/Casablanca": "150", "Africa/Accra": "112",
	// Atlantic.
	"Atlantic/Reykjavik": "112", "Atlantic/Canary": "112", "Atlantic/Madeira": "112", "Atlantic/Azores": "112",
	"Atlantic/Bermuda": "911",
}
