package slack

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"time"

	"github.com/recoverycoach/recoverycoach/bot"
)

// Pages are plain HTML with inline styles and no scripts, images or other
// requests: the Content-Security-Policy allows nothing else, and no page
// leaks its URL (an OAuth code) through a Referer.
const pageCSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

var pages = template.Must(template.New("layout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:2rem auto;padding:0 1rem;color:#1d1c1d}
h1{color:#2c6e49}a.button{display:inline-block;background:#4a154b;color:#fff;padding:.6rem 1.2rem;border-radius:.3rem;text-decoration:none;font-weight:600}
code{background:#f4f4f4;padding:0 .2rem}footer{margin-top:3rem;font-size:.9rem;color:#616061}
</style></head><body>
<h1>{{.Title}}</h1>
{{.Body}}
<footer><a href="/">Recovery Coach</a> · <a href="/privacy">Privacy</a> · Recovery Coach is not a medical device and does not diagnose.</footer>
</body></html>
`))

type pageData struct {
	Title string
	Body  template.HTML
}

var bodies = template.Must(template.New("bodies").Parse(`
{{define "landing"}}
<p>Recovery Coach helps people keep up their home rehab between physical-therapy visits, right in Slack:
exercise and check-in reminders by direct message, pain check-ins with <code>/pain</code>,
kinesiology-tape tracking, short guidance cards and clear advice on when to see a professional.</p>
<p>Check-ins stay private to each member unless they choose to share them with their team's staff.
Staff see team views that respect the workspace's privacy mode.</p>
<p><a class="button" href="/slack/install">Add to Slack</a></p>
<p>Installing asks for these permissions: {{range $i, $s := .Scopes}}{{if $i}}, {{end}}<code>{{$s}}</code>{{end}}.
Read what is stored and how to delete it in the <a href="/privacy">privacy policy</a>.</p>
{{end}}
{{define "privacy"}}
<p>This is what Recovery Coach stores about the people who use it, and how to delete it.</p>
<h2>What is stored</h2>
<ul>
<li>Slack workspace, enterprise and user ids (no names, no email addresses), and each member's time zone and settings.</li>
<li>What members log: pain check-ins with their notes, exercises done, tape applications, readiness answers, training sessions, reminders and the nudges sent.</li>
<li>Red flags raised by check-ins, and a log of staff actions (team views and setting changes).</li>
<li>For each installation: the workspace, the installer's user id, the permissions granted and the bot token,
encrypted (AES-256-GCM). Tokens are never written to logs.</li>
</ul>
<p>Nothing is shared with anyone outside the workspace, used for advertising or sold. Staff see individual check-ins only of members who agreed to share them.</p>
<h2>How to see and delete it</h2>
<ul>
<li><code>/coach export</code> sends a member all of their data as CSV.</li>
<li><code>/coach forget</code> deletes all of a member's data at once.</li>
<li>Uninstalling the app deletes its tokens at once and stops all messages.{{if .Retention}}
The workspace's member data is deleted {{.Retention}} later, unless the app is installed again before then; members can export or forget their data until then, and the workspace's staff can ask the operator of this service for an export of what its privacy mode lets staff see.{{end}}</li>
</ul>
{{end}}
{{define "installed"}}
<p>Recovery Coach is now installed in <strong>{{.Where}}</strong>.</p>
<h2>What to do next</h2>
<ol>
<li>Open a direct message with Recovery Coach and type <code>/coach start</code>: it explains the coach and asks each member for consent.</li>
<li>A workspace admin or owner runs <code>/coach team report</code> in a channel to become the first staff member, then
<code>/coach team staff @someone</code> adds more staff, <code>/coach team alerts #channel</code> chooses where red-flag alerts go
and <code>/coach team mode</code> sets the privacy mode.</li>
<li>Invite your members to type <code>/coach help</code>.</li>
</ol>
<p>You can close this page and return to Slack.</p>
{{end}}
{{define "failed"}}
<p>{{.}}</p>
<p><a class="button" href="/slack/install">Start again</a></p>
{{end}}
`))

func render(name string, data any) template.HTML {
	var b bytes.Buffer
	if err := bodies.ExecuteTemplate(&b, name, data); err != nil {
		return template.HTML("<p>This page could not be shown.</p>")
	}
	return template.HTML(b.String())
}

// page writes a complete page with headers that forbid scripts, framing,
// caching and referrers.
func page(w http.ResponseWriter, status int, p pageData) {
	var b bytes.Buffer
	if err := pages.Execute(&b, p); err != nil {
		http.Error(w, "page unavailable", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// serveLanding handles GET /: what the coach is and the Add to Slack
// button.
func (a *Adapter) serveLanding(w http.ResponseWriter, _ *http.Request) {
	page(w, http.StatusOK, pageData{Title: "Recovery Coach for Slack", Body: render("landing", struct{ Scopes []string }{BotScopes})})
}

// servePrivacy handles GET /privacy: what is stored and how to delete it.
func (a *Adapter) servePrivacy(w http.ResponseWriter, _ *http.Request) {
	retention := ""
	if a.dist != nil && a.dist.Retention > 0 {
		retention = humanDuration(a.dist.Retention)
	}
	page(w, http.StatusOK, pageData{Title: "Privacy", Body: render("privacy", struct{ Retention string }{retention})})
}

func humanDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		if days := int(d / (24 * time.Hour)); days == 1 {
			return "1 day"
		} else {
			return fmt.Sprintf("%d days", days)
		}
	}
	return d.String()
}

func installedPage(in bot.Installation) pageData {
	where := in.TeamName
	if where == "" {
		where = "your workspace"
	}
	if in.OrgInstall {
		where = in.EnterpriseName
		if where == "" {
			where = "your organisation"
		}
		where += " (every workspace of the organisation)"
	}
	return pageData{Title: "Recovery Coach is installed", Body: render("installed", struct{ Where string }{where})}
}

func installFailedPage(msg string) pageData {
	return pageData{Title: "Recovery Coach was not installed", Body: render("failed", msg)}
}
