package triage

import "strings"

// Concept is one situation triage recognises.
type Concept struct {
	// Name is stable: it is stored with every red-flag event and counted
	// in metrics, so renaming one breaks history and dashboards.
	Name string
	// Level is the level the concept usually has; a finding may be
	// lower or higher with context (breathlessness after surgery).
	Level Level
	// Title names it for people: staff alerts and clinician reports.
	Title string
	// advice is the reply, with {number} for the emergency number.
	advice string
}

// concepts, most pressing first. The replies are plain and short: the
// finding leads the reply, and anything more is a card away.
var concepts = []Concept{
	{Name: "cauda-equina", Level: Emergency, Title: "bladder or bowel control, or saddle numbness",
		advice: "**Call {number} or go to the emergency department now.** Trouble controlling your bladder or bowels, or numbness around your bottom, genitals or inner thighs, can mean the nerves at the base of the spine are being squeezed. It needs a scan within hours, not days. Do not wait for your next appointment."},
	{Name: "cardiac", Level: Emergency, Title: "chest pain, pressure or pain spreading to the arm or jaw",
		advice: "**Call {number} now.** Chest pain, pressure or tightness, or pain that spreads to your arm, jaw or neck, has to be checked straight away in case it is your heart. Stop exercising, sit down and do not drive yourself."},
	{Name: "breathing", Level: Emergency, Title: "breathlessness at rest or coughing blood",
		advice: "**Call {number} now.** Being short of breath while resting, or coughing up blood, needs help at once. Sit upright and stay with someone if you can."},
	{Name: "clot-lung", Level: Emergency, Title: "possible clot in the lungs",
		advice: "**Call {number} now.** A swollen or painful leg together with breathlessness or chest pain can mean a blood clot has travelled to the lungs. Keep still and get help straight away."},
	{Name: "stroke", Level: Emergency, Title: "stroke signs: face, arm or speech",
		advice: "**Call {number} now.** A drooping face, a weak arm or leg on one side, slurred or muddled speech, or sudden confusion can be a stroke. Note the time it started; every minute counts."},
	{Name: "headache-sudden", Level: Emergency, Title: "sudden, worst-ever headache",
		advice: "**Call {number} now.** A headache that comes on suddenly and is the worst you have had needs to be checked at once."},
	{Name: "fainting", Level: Emergency, Title: "fainting or near-fainting",
		advice: "**Call {number} if you fainted or feel faint with a racing heart, chest pain or breathlessness.** Otherwise sit or lie down, skip today's exercises and see a doctor today."},
	{Name: "neck-artery", Level: Emergency, Title: "double vision or dizziness after neck treatment",
		advice: "**Call {number} now.** Double vision, sudden changes in sight, or dizziness after your neck was manipulated or turned can mean a problem with an artery in the neck. Do not do your neck exercises until a doctor has seen you."},
	{Name: "dvt", Level: Urgent, Title: "possible clot in the leg (DVT)",
		advice: "**See a doctor today** (urgent care or your GP's same-day line). A calf that is swollen, warm, red or tender, especially after surgery, a long journey, hormone tablets or time off your feet, can be a blood clot. Do not massage it or use foam rollers on it. If you also get breathless or have chest pain, call {number}."},
	{Name: "infection", Level: Urgent, Title: "possible infection: fever with a hot joint, or a wound that oozes",
		advice: "**See a doctor today.** A fever or chills with a hot, swollen joint, or a wound that oozes, smells or spreads redness, can be an infection that needs treatment quickly. Call your surgeon's team if you had an operation."},
	{Name: "neuro", Level: Urgent, Title: "new or spreading numbness, tingling or weakness",
		advice: "**Get checked today.** New or spreading numbness, tingling or weakness, a leg that gives way, a foot that drags or hands that turn clumsy can mean a nerve is being pressed. Stop the exercises that bring it on and call your physio or doctor today. If your bladder or bowels change too, call {number}."},
	{Name: "fracture", Level: Urgent, Title: "can't bear weight, deformity or a crack heard",
		advice: "**Get it X-rayed today.** Not being able to take weight, a joint or bone that looks out of shape, or a crack heard at the time can mean a break. Rest it, keep it supported and go to urgent care or a minor injuries unit."},
	{Name: "tape-circulation", Level: Urgent, Title: "circulation problem under tape",
		advice: "**Take the tape off now.** Cold, pale, blue or numb skin beyond the tape means it is too tight or reacting. Peel it off slowly, warm the area and move it gently. If colour and feeling do not come back within about half an hour, get checked today."},
	{Name: "pop-swelling", Level: Soon, Title: "a pop with swelling",
		advice: "**Book a check within the next few days.** A pop followed by quick swelling can mean a ligament or tendon injury. Rest it, use ice for 10 to 15 minutes at a time and keep it raised meanwhile; if you cannot take weight, get it seen today."},
	{Name: "locked-joint", Level: Soon, Title: "a locked or catching joint",
		advice: "**Book a check within the next few days.** A joint that locks, catches or will not straighten may have something caught inside. Do not force it; move it gently within what it allows."},
	{Name: "new-injury", Level: Soon, Title: "a new injury or fall",
		advice: "**Tell your physio within the next few days.** A new injury or fall changes your plan. Ease off the exercises for that area until you have been checked, and get seen today if you cannot take weight or it looks out of shape."},
	{Name: "night-pain", Level: Soon, Title: "night pain that wakes you",
		advice: "**Mention this to your physio or doctor soon.** Pain that wakes you and does not ease when you change position is worth a check within the next few days."},
	{Name: "weight-loss", Level: Soon, Title: "weight loss you did not plan",
		advice: "**See your doctor within the next few days.** Losing weight without trying, together with pain, should be checked."},
	{Name: "cancer-history", Level: Soon, Title: "new pain with a history of cancer",
		advice: "**Tell your doctor about this pain soon.** With a history of cancer, new or unexplained pain should be checked within the next few days."},
	{Name: "tape-skin", Level: Soon, Title: "skin reaction under tape",
		advice: "**Take the tape off and let your skin settle.** Itching, a rash, blisters or burning under tape mean the skin is reacting. Do not tape that spot again until it has fully healed, and ask your physio before trying again."},
	{Name: "tape-contraindication", Level: Soon, Title: "a reason not to tape yet",
		advice: "**Check with your physio before using tape.** A history of clots, active cancer, diabetes or reduced feeling, fragile, broken or eczema-prone skin, or an allergy to plasters are reasons to hold off. If you get the go-ahead, try a small test strip for 24 hours first."},
	{Name: "fever", Level: Soon, Title: "fever or chills",
		advice: "**Rest from your exercises while you have a fever.** If it lasts more than a day or two, or a joint or wound becomes hot, red or swollen, see a doctor."},
	{Name: "high-score", Level: Soon, Title: "a score of 8 or more",
		advice: "**Talk to your physio or doctor soon.** A score of 8 or more is a lot of pain. Do the gentlest version of your plan or rest today, and get checked sooner if it comes with numbness, weakness, fever or swelling."},
	{Name: "rising-trend", Level: Soon, Title: "pain rising over several check-ins",
		advice: "**Let your physio know within the next few days.** Your pain has been going up rather than down; your plan may need adjusting."},
	{Name: "swelling-persists", Level: Soon, Title: "swelling that has not settled",
		advice: "**Get it checked within the next few days.** Swelling that has not settled after several days should be looked at."},
}

// Concepts returns every concept, most pressing first.
func Concepts() []Concept { return append([]Concept(nil), concepts...) }

// ConceptByName returns the concept with the name.
func ConceptByName(name string) (Concept, bool) {
	for _, c := range concepts {
		if c.Name == name {
			return c, true
		}
	}
	return Concept{}, false
}

func conceptOrder(name string) int {
	for i, c := range concepts {
		if c.Name == name {
			return i
		}
	}
	return len(concepts)
}

// Advice words a finding for the member. number is the emergency number
// to name (such as "999"); empty names "your local emergency number".
func Advice(f Finding, number string) string {
	c, ok := ConceptByName(f.Concept)
	if !ok {
		return ""
	}
	text := c.advice
	switch {
	case f.Level == Urgent && c.Level == Emergency:
		// Near-fainting alone, new breathlessness with no sign of an
		// emergency: same day, with the line to call if it worsens.
		text = "**See a doctor today.** " + capitalise(f.Reason) + ". If it gets worse, or you feel faint, breathless or have chest pain, call {number}."
	case f.Level == Emergency && c.Level < Emergency:
		text = "**Call {number} now.** " + capitalise(f.Reason) + "."
	}
	if number == "" {
		text = strings.ReplaceAll(text, "Call {number}", "Call your local emergency number")
		text = strings.ReplaceAll(text, "call {number}", "call your local emergency number")
		return text
	}
	return strings.ReplaceAll(text, "{number}", number)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
