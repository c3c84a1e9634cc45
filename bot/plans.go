package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// SharedProgram is a clinician's program file stored under a program code,
// for patients to load with `/coach plan CODE`. It is the clinician's
// content, not anyone's personal data.
type SharedProgram struct {
	// Code is the canonical program code (see ParseProgramCode).
	Code string
	// Title is the program's title, for listings.
	Title string
	// Source is the program file as written (YAML).
	Source    []byte
	CreatedAt time.Time
}

// MemberProgram is a clinician's program loaded by one member. The source
// is copied, so a code shared again later never changes a program a
// patient already follows.
type MemberProgram struct {
	Member MemberKey
	// Code is the code it was loaded with.
	Code     string
	Source   []byte
	LoadedAt time.Time
}

// planStore is the part of Store that clinicians' programs need.
type planStore interface {
	// SaveSharedProgram stores a program under its code (ECONFLICT when
	// the code is taken).
	SaveSharedProgram(ctx context.Context, p SharedProgram) error
	// SharedProgram returns the program shared under a canonical code
	// (ENOTFOUND when none).
	SharedProgram(ctx context.Context, code string) (SharedProgram, error)
	// SetMemberProgram makes p the member's own program, replacing any,
	// and clears their library program, in one transaction.
	SetMemberProgram(ctx context.Context, p MemberProgram) error
	// MemberProgram returns the member's own program (ENOTFOUND when they
	// have none).
	MemberProgram(ctx context.Context, key MemberKey) (MemberProgram, error)
	// ClearMemberProgram deletes the member's own program and sets their
	// library program to program ("" for none), in one transaction; it
	// reports whether they had an own program.
	ClearMemberProgram(ctx context.Context, key MemberKey, program string) (bool, error)
}

// ProgramParser is offered by a Library that checks a clinician's program
// file exactly as `recoverycoach content check` does (package content
// does): the same schema, limits and references into the library.
type ProgramParser interface {
	// ParseProgram validates one program file; name labels its problems.
	ParseProgram(name string, data []byte) (Program, error)
}

// parseProgram checks a clinician's program with the library's loader.
func (c *Coach) parseProgram(name string, src []byte) (Program, error) {
	pp, ok := c.library.(ProgramParser)
	if !ok {
		return Program{}, Errorf(EINVALID, "This server cannot load programs from clinicians; follow the plan your therapist gave you.")
	}
	return pp.ParseProgram(name, src)
}

// programFor returns the member's program: the clinician's program they
// loaded when there is one, else the library program they chose.
func (c *Coach) programFor(ctx context.Context, m Member) (Program, bool, error) {
	own, err := c.store.MemberProgram(ctx, m.Key)
	switch {
	case err == nil:
		prog, perr := c.parseProgram("code "+own.Code, own.Source)
		if perr == nil {
			prog.Code = own.Code
			return prog, true, nil
		}
		// The server's checks changed since it was loaded; the member
		// hears so at `/coach plan`, and everything else carries on as
		// without a program rather than failing.
		c.log.WarnContext(ctx, "member program no longer valid", "platform", m.Key.Platform, "err", perr)
		return Program{}, false, nil
	case ErrorCode(err) != ENOTFOUND:
		return Program{}, false, fmt.Errorf("member program: %w", err)
	}
	if c.library == nil || m.Program == "" {
		return Program{}, false, nil
	}
	prog, ok := c.library.Program(m.Program)
	return prog, ok, nil
}

// planOff words are what `/coach plan off` accepts.
var planOff = []string{"off", "none", "stop", "clear"}

func (c *Coach) plan(ctx context.Context, call *Call) (Reply, error) {
	arg := strings.TrimSpace(call.Values.String("program"))
	switch {
	case arg == "":
		return c.showPlan(ctx, call)
	case slices.Contains(planOff, strings.ToLower(arg)):
		return c.planOff(ctx, call)
	}
	if c.library != nil {
		if prog, ok := c.library.Program(strings.ToLower(arg)); ok {
			return c.choose(ctx, call, prog)
		}
	}
	if LooksLikeProgramCode(arg) {
		return c.loadCode(ctx, call, arg)
	}
	if c.library == nil || len(c.library.Programs()) == 0 {
		return Reply{}, Errorf(ENOTFOUND, "No starter programs are loaded on this server. If your clinician gave you a program code, send `/coach plan CODE`.")
	}
	area, matches := c.programsFor(strings.ToLower(arg))
	switch len(matches) {
	case 0:
		return Reply{}, Errorf(ENOTFOUND, "There is no program %q. `/coach plan` lists them; a code from your clinician looks like `7K3MQ-9TXB4`.", clip(arg, 30))
	case 1:
		return c.choose(ctx, call, matches[0])
	}
	reply := programListReply(matches)
	reply.Title = fmt.Sprintf("Programs for your %s", areaWords(area))
	return reply, nil
}

// choose puts the member on a library program, replacing a clinician's
// program they had loaded.
func (c *Coach) choose(ctx context.Context, call *Call, prog Program) (Reply, error) {
	hadOwn, err := c.store.ClearMemberProgram(ctx, call.Member.Key, prog.ID)
	if err != nil {
		return Reply{}, fmt.Errorf("choose program: %w", err)
	}
	reply := programReply(prog)
	reply.Text = "You're now on **" + prog.Title + "**. " + reply.Text + "\nLog today's session with `/coach done`."
	if hadOwn {
		reply.Text += "\n_This replaces the program from your clinician; send their code again to go back to it._"
	}
	return reply, nil
}

func (c *Coach) loadCode(ctx context.Context, call *Call, arg string) (Reply, error) {
	code, err := ParseProgramCode(arg)
	if err != nil {
		return Reply{}, Errorf(EINVALID, "%s", capitalize(err.Error())+".")
	}
	shared, err := c.store.SharedProgram(ctx, code)
	if ErrorCode(err) == ENOTFOUND {
		return Reply{}, Errorf(ENOTFOUND, "No program has the code %s on this server. Check it with your clinician; codes work in the workspace where they were shared.", code)
	}
	if err != nil {
		return Reply{}, fmt.Errorf("shared program: %w", err)
	}
	prog, err := c.parseProgram("code "+code, shared.Source)
	if err != nil {
		if ErrorCode(err) == EINVALID {
			return Reply{}, err
		}
		c.log.WarnContext(ctx, "shared program no longer valid", "code", code, "err", err)
		return Reply{}, Errorf(EINVALID, "The program under code %s no longer passes this server's checks. Please ask your clinician for a new code.", code)
	}
	if err := c.store.SetMemberProgram(ctx, MemberProgram{Member: call.Member.Key, Code: code, Source: shared.Source, LoadedAt: call.Now}); err != nil {
		return Reply{}, fmt.Errorf("set member program: %w", err)
	}
	prog.Code = code
	reply := programReply(prog)
	reply.Title = "Your program: " + prog.Title
	reply.Text = "Loaded **" + prog.Title + "** from your clinician, for you only. " + reply.Text +
		"\nLog today's session with `/coach done`; `/coach plan off` stops it."
	return reply, nil
}

func (c *Coach) planOff(ctx context.Context, call *Call) (Reply, error) {
	hadOwn, err := c.store.ClearMemberProgram(ctx, call.Member.Key, "")
	if err != nil {
		return Reply{}, fmt.Errorf("clear program: %w", err)
	}
	if !hadOwn && call.Member.Program == "" {
		return Reply{Text: "You have no program, so there was nothing to stop. `/coach plan` lists the starter programs."}, nil
	}
	return Reply{Text: "Done: you are off your program. Exercise reminders still come, without a list; `/coach plan` shows the programs, or send a code from your clinician."}, nil
}

// programsFor finds programs by body area or alias, so "/coach plan back"
// works as well as "/coach plan low-back".
func (c *Coach) programsFor(name string) (string, []Program) {
	area, ok := LookupArea(name)
	if !ok {
		return "", nil
	}
	var out []Program
	for _, p := range c.library.Programs() {
		if slices.Contains(p.Areas, area) {
			out = append(out, p)
		}
	}
	return area, out
}

func (c *Coach) showPlan(ctx context.Context, call *Call) (Reply, error) {
	prog, ok, err := c.programFor(ctx, call.Member)
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		if _, err := c.store.MemberProgram(ctx, call.Member.Key); err == nil {
			return Reply{}, Errorf(EINVALID, "The program from your clinician no longer passes this server's checks. Please ask them for a new code, or choose a starter program with `/coach plan off` and `/coach plan`.")
		}
	}
	var library []Program
	if c.library != nil {
		library = c.library.Programs()
	}
	if !ok {
		if len(library) == 0 {
			return Reply{Text: "No starter programs are loaded on this server; follow the plan your therapist gave you. If they gave you a program code, send `/coach plan CODE`."}, nil
		}
		return programListReply(library), nil
	}
	reply := programReply(prog)
	reply.Title = "Your program: " + prog.Title
	if prog.Code != "" {
		reply.Text += "\nFrom your clinician (code " + prog.Code + "). `/coach plan off` stops it."
		return reply, nil
	}
	var others []string
	for _, p := range library {
		if p.ID != prog.ID {
			others = append(others, "`"+p.ID+"`")
		}
	}
	if len(others) > 0 {
		reply.Text += "\nOther programs: " + strings.Join(others, ", ") + ". Switch with `/coach plan ID`."
	}
	return reply, nil
}

// programListReply lists programs with a button to choose each; a button
// sets the program of whoever clicks it, never anyone else's.
func programListReply(progs []Program) Reply {
	var b strings.Builder
	reply := Reply{Title: "Exercise programs", Footer: planFooter}
	for _, p := range progs {
		fmt.Fprintf(&b, "- `%s`: **%s**. %s\n", p.ID, p.Title, p.Summary)
		reply.Buttons = append(reply.Buttons, Button{Label: clip(p.Title, maxButtonLabel), Command: "coach plan " + p.ID})
	}
	b.WriteString("Choose one with `/coach plan ID`, or load your clinician's with `/coach plan CODE`.")
	reply.Text = b.String()
	return reply
}

// programReply shows a program with its doses, links, progressions and
// the signs to stop at.
func programReply(p Program) Reply {
	var b strings.Builder
	b.WriteString(p.Summary + "\n")
	ids := make([]string, len(p.Exercises))
	for i, e := range p.Exercises {
		fmt.Fprintf(&b, "- **%s**: %s. %s", e.Name, e.Dose(), e.HowTo)
		if e.Progression != "" {
			b.WriteString(" _Next step: " + e.Progression + "_")
		}
		if e.Link != "" {
			b.WriteString(" [Picture or video](" + e.Link + ")")
		}
		b.WriteString("\n")
		ids[i] = "`" + e.ID + "`"
	}
	for _, s := range p.Progressions {
		b.WriteString("**Progress:** " + s + "\n")
	}
	for _, s := range p.StopRules {
		b.WriteString("**Stop and call your clinician:** " + s + "\n")
	}
	b.WriteString("Exercise ids for `/coach done ID`: " + strings.Join(ids, ", "))
	return Reply{Title: p.Title, Text: b.String(), Footer: planFooter}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// ShareProgram validates a clinician's program file with the library's
// loader and stores it under a new code, which it returns. It is the
// operator's tool (`recoverycoach program share FILE`).
func ShareProgram(ctx context.Context, store Store, lib Library, name string, src []byte, now time.Time) (string, Program, error) {
	pp, ok := lib.(ProgramParser)
	if !ok {
		return "", Program{}, errors.New("the content library cannot check program files")
	}
	prog, err := pp.ParseProgram(name, src)
	if err != nil {
		return "", Program{}, err
	}
	// A clash of 45 random bits is next to impossible; a few tries make
	// it harmless all the same.
	for range 5 {
		code := NewProgramCode()
		err = store.SaveSharedProgram(ctx, SharedProgram{Code: code, Title: prog.Title, Source: src, CreatedAt: now})
		if err == nil {
			return code, prog, nil
		}
		if ErrorCode(err) != ECONFLICT {
			return "", Program{}, err
		}
	}
	return "", Program{}, err
}
