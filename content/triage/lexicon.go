package triage

// class names a group of phrases that mean the same thing to triage.
type class uint8

const (
	cBladder class = iota
	cBladderWord
	cNumb
	cWeak
	cSaddle
	cChest
	cChestSym
	cRadiate
	cExertional
	cSweaty
	cBreathless
	cRest
	cCoughBlood
	cStroke
	cHeadWord
	cSudden
	cFaint
	cNearFaint
	cPalpitations
	cVision
	cDizzy
	cNeckManip
	cLeg
	cSwell
	cHot
	cRed
	cTender
	cPain
	cClotWord
	cRisk
	cFever
	cWound
	cWoundBad
	cCantBear
	cDeform
	cCrack
	cFall
	cPop
	cLocked
	cNight
	cNoEase
	cWeightLoss
	cIntentional
	cCancer
	cTapeWord
	cColdColor
	cExtremity
	cTapeSkin
	cTapingIntent
	cContra
	cBothSides
	cSpreading
	cBruise
	cChestMSK
	cTransient
	cHeadRush
	cVeto
)

// phrases is the triage lexicon, in our own words from how people write
// check-ins: slang, British and American wording and shorthand. Typos of
// words of five letters or more are corrected before matching.
var phrases = map[class][]string{
	cBladder: {
		"wet|wetting|peed|pee|weed|wee|pissed|soiled|pooed|pooped|pooh|shat|messed . myself|me",
		"wet|peed|weed|wetting ~ myself|pants|trousers|knickers|bed",
		"accident|accidents ~ pants|trousers|myself|bed|toilet|bowel|bowels|bladder",
		"leak|leaking|leaks|leaked|leakage|dribbl*|dribbling",
		"incontinen*", "can not hold|can not control|could not hold|could not control ~ wee|pee|bladder|bowel|bowels|it in|water|urine|poo|my bowels|my bladder",
		"can not|could not|unable to|struggling to|struggle to|hard to|not able to|not been able to|been able to ~ pee|wee|urinate|piss",
		"can not|could not ~ feel|tell ~ when ~ need|go|going|wee|pee|bladder|full",
		"did not|do not ~ know|realise|realize|notice ~ i ~ needed|need|was going|went",
		"not ~ peed|weed|been to the toilet ~ all day|since|for hours",
		"lost|loss of|no control|losing control ~ bladder|bowel|bowels|of my bladder|of my bowels",
		"bladder|bowel|bowels|wee|pee|peeing|weeing ~ control|gone|went|playing up|not working|weird|strange|numb|funny|changed|different|feels different|problem|problems|issue|issues|accident",
		"nothing comes", "can not go", "retention", "urine retention",
		"no urge", "numb when i wipe", "can not feel ~ wiping|wipe|toilet paper|the paper|paper", "feel myself ~ poo|pee|wee|go", "can not|could not ~ feel myself . poo|pee|wee|go", "when i wipe ~ can not feel",
	},
	cBladderWord: {"bladder", "bowel", "bowels", "continence", "waterworks"},
	cNumb: {
		"numb*", "tingling", "tingl*", "pins and needles", "pins needles", "pinsandneedles",
		"can not feel ~ foot|feet|toes|toe|leg|legs|hand|hands|fingers|finger|arm|arms|thigh|skin|anything|it|floor",
		"no|lost|losing|less|reduced|altered|dull|strange|odd|funny . feeling|feelings|sensation|sensations",
		"loss of . feeling|sensation", "dead|asleep ~ feeling", "feels|feel ~ dead|asleep|like cotton wool|wooden",
		"electric shock|shocks", "buzzing", "fizzing", "prickling", "needles",
	},
	cWeak: {
		"weak*", "giving|gave|gives|give|gving|gone . way", "giving out|gave out|gives out|gave up|dropped out|went from under", "buckl*",
		"foot drop", "drop foot", "dropped foot", "foot slap*", "slapping",
		"drag|drags|dragging|dragged ~ foot|leg|toes|it", "trip|tripping|tripped|catch|catching|catches ~ toes|foot|feet|carpet",
		"toe|toes|foot ~ will not|can not|does not|do not|wont ~ lift|come up|go up|move", "can not ~ lift|raise ~ toe|toes|foot|leg|arm|front of my foot",
		"clumsy", "clumsiness", "drop|dropping|dropped ~ things|stuff|cups|cup|phone|mug|pen|keys|my mug|my cup",
		"can not|could not ~ grip|hold things|do up|button", "lost|losing ~ grip|strength|power",
		"grip|hand|hands ~ gone|useless|weak", "leg|legs ~ went|gone ~ from under",
		"no strength|power", "legs|leg ~ will not work|not working", "legs|leg . gone|went . from under|to jelly|weak|dead",
	},
	cSaddle: {
		"saddle", "buttock", "groin", "down below", "between ~ legs", "inner thigh|thighs", "private|privates|intimate ~ parts|area|bits",
		"undercarriage", "nether|nethers", "my bits", "when i wipe", "wiping", "toilet paper", "sit bones", "back passage",
	},
	cChest: {"chest", "chests", "breastbone", "sternum", "heart", "angina", "heart attack", "chest area"},
	cChestMSK: {
		"chest muscle|chest muscles|pec|pecs|pectoral*", "when i press|pressing on|press on it|to touch|to the touch", "from the|from doing|after the|after doing ~ pushups|push ups|press ups|bench|bench press|gym|workout|dips|flys|flyes",
	},
	cChestSym: {
		"pain*", "hurt*", "ache*", "aching", "achy", "tight*", "pressure", "press*", "heavy", "heaviness", "crush*",
		"squeez*", "discomfort", "band", "weight on|sat", "vice", "clamp*", "burning", "burns", "stabbing", "sharp",
		"elephant", "strange", "weird", "funny", "attack", "agony", "gripping", "twinge*", "fluttering",
	},
	cRadiate: {
		"spread*|radiat*|going|goes|went|shooting|shoots|travel*|moving|moved|running|runs ~ down|up|into|to|through|across ~ arm|arms|jaw|neck|shoulder|teeth|back",
		"left arm", "down my arm", "into my jaw", "in my jaw", "jaw and|jaw or ~ arm", "arm and|arm or ~ jaw", "down|inside ~ arm", "up into|into ~ jaw|neck",
	},
	cExertional: {
		"when|whenever|every time|if i ~ walk|walking|climb|climbing|go up|hurry|rush|uphill|stairs|exert|carry|push|did the walking",
		"walking uphill|walking up hill|walking up the hill|walk uphill|upstairs|up stairs", "on the stairs|on the hill|on an incline",
		"eases|settles|goes|stops|disappears|better|eases off ~ when|once|if|after ~ stop|rest|sit",
	},
	cSweaty: {
		"sweat*", "clammy", "sweaty", "cold sweat", "sick", "nause*", "vomit*", "grey", "gray", "pale", "feel like im dying",
		"feel like i am dying", "impending doom", "going to die",
	},
	cBreathless: {
		"breathless*", "breathles*", "short of breath", "shortness of breath", "out of breath", "sob",
		"can not|could not ~ breathe|catch ~ breath", "can not get|can not get enough ~ air|breath",
		"struggl*|fight*|hard|difficult|trouble|difficulty|problems ~ breath*|to breathe", "gasping for air", "breathing is hard work",
		"breath*|breathing ~ hard|difficult|fast|rapid|laboured|labored|short|shallow|heavy",
		"gasp*", "puffed out", "puffing", "winded", "wheez*", "no air", "air hungry", "breathing funny",
		"panting", "can not ~ breathe",
	},
	cRest: {
		"at rest", "resting", "rest", "sitting", "sat", "sit", "lying", "laying", "lie", "in bed", "on the sofa|on the couch", "telly", "tv",
		"doing nothing", "still", "talking", "asleep", "watching", "getting dressed", "in the shower",
		"walking to the toilet|kitchen|door", "even when", "sudden*", "out of nowhere", "for no reason", "woke|wakes ~ up",
		"at night", "just standing", "speaking", "brushing ~ teeth", "can not finish ~ sentence",
		"mid sentence", "worse", "getting worse",
	},
	cCoughBlood: {
		"cough*|spat|spit|spitting|bringing up|brought up|hacking ~ blood|bloody|rusty",
		"blood ~ spit|phlegm|sputum|mucus|tissue|hanky|cough|coughing", "bloody|blood in . phlegm|spit|sputum|mucus", "hemoptysis",
	},
	cStroke: {
		"face ~ droop*|dropped|dropping|sagging|saggy|lopsided|wonky|numb|slipped|fallen|gone funny|twisted|feels funny",
		"droop*|droopy|lopsided|wonky ~ face|mouth|eye|eyelid|smile|lip|cheek",
		"one side of ~ face|mouth|body", "mouth|smile|lip ~ droop*|lopsided|wonky|sagging|dropped",
		"slurr*", "speech ~ slurred|funny|weird|garbled|strange|jumbled|wrong|gone|thick|off",
		"can not ~ speak|talk|get words out|find ~ words", "tongue feels thick",
		"words ~ came|come|coming ~ out ~ wrong|jumbled|muddled|funny", "muddled|jumbled ~ words|speech", "words ~ muddled|jumbled|mixed up|wrong", "not making sense", "talking gibberish|talking nonsense",
		"suddenly|all ~ confused", "confused ~ out of nowhere|suddenly|all of a sudden", "sudden confusion",
		"arm|leg|hand ~ suddenly|suddenly gone|suddenly went ~ weak|dead|limp|heavy", "arm|leg|hand ~ went|gone ~ weak|dead|limp|heavy ~ suddenly|out of nowhere|all of a sudden|at once",
		"sudden ~ weakness|numbness", "one side|left side|right side ~ weak|numb|dead|floppy|gave up", "on the right side|on the left side|on one side ~ gave up|gone weak|went weak",
		"weak|numb|dead ~ down one side|on one side|same side", "stroke",
	},
	cHeadWord: {"headache", "headaches", "head", "migraine", "skull", "head pain"},
	cSudden: {
		"sudden*", "out of nowhere", "worst ~ ever|of my life|i have ever|imaginable|possible",
		"thunderclap", "like being|been ~ hit|kicked|struck|whacked", "exploded|explode|explosion|explosive|exploding",
		"blinding", "in seconds", "instant*", "hit like", "smashed", "like a bomb", "like a hammer",
		"never had one like", "never had a headache like", "never had anything like", "like a bang", "all at once", "0 to 10", "in a second", "blew up", "blown up",
	},
	cFaint: {
		"fainted", "fainting", "faint", "passed out", "pass out", "passing out", "blacked|black|blacking ~ out",
		"blackout", "collapsed", "collapse", "keeled over", "lost consciousness", "unconscious",
		"came round|came to ~ on the floor|on the ground", "hit the deck|hit the floor", "out cold", "went down like",
	},
	cNearFaint: {
		"feel|felt|feeling|nearly|almost ~ faint|fainted|passed out|blacked out|pass out",
		"light headed", "lightheaded", "light head", "woozy", "dizzy", "dizziness", "giddy", "room ~ spinning|spun|spins",
		"everything went ~ black|dark|grey|gray|fuzzy", "vision went ~ black|dark|grey|gray",
	},
	cPalpitations: {
		"heart ~ racing|raced|races|pounding|pounded|fluttering|going mad|going crazy|skipping|thumping|banging|going like|all over the place",
		"racing heart", "racing pulse", "pulse ~ racing|high|through the roof", "palpitation*", "heart rate ~ high|through the roof|racing",
		"pounding heart",
	},
	cVision: {
		"double vision", "seeing double", "see double", "seeing two", "seeing 2", "two of everything", "2 of everything", "everything doubled",
		"vision ~ double|blurred|blurry|went|gone|funny|weird|dark|doubled|jumping",
		"lost ~ vision|sight", "blurred|blurry vision", "can not see properly|can not see straight", "eyes ~ not working together|wobbly",
	},
	cDizzy: {
		"dizz*", "vertigo", "room ~ spinning|spun|spins|spin", "spinning", "woozy", "light headed", "lightheaded",
		"off balance", "unsteady", "drop attack|attacks", "giddy", "world spinning",
	},
	cNeckManip: {
		"neck ~ cracked|clicked|manipulated|adjusted|popped|cracking|crack|manipulation|adjustment|done",
		"manipulat*", "adjustment", "adjusted", "chiro*", "osteo*", "crack|cracked|cracking|clicked ~ neck",
		"after ~ physio|treatment|session|massage ~ on ~ neck",
	},
	cLeg: {
		"calf", "calves", "lower leg", "leg", "legs", "shin", "shins", "behind ~ knee", "back of ~ knee", "ankle",
		"ankles", "thigh",
	},
	cSwell: {
		"swoll*", "swell*", "puff*", "puffed up", "bloated", "balloon", "massive", "huge", "fat", "twice the size",
		"bigger than ~ other", "edema", "fluid", "tight and shiny", "enormous", "blown up", "ballooned", "fatter",
	},
	cHot: {"hot", "hotter", "warm*", "burning hot", "heat", "radiating heat", "boiling", "roasting"},
	cRed: {"red*", "angry", "purple", "blotchy", "discolored", "mottled", "streak*", "flushed", "inflamed", "pink"},
	cTender: {
		"tender*", "sore to touch", "hurts to touch", "painful to touch", "throbb*", "cramp*", "tight*", "ache*",
		"aching", "achy", "pain*", "hurt*", "sore", "agony", "killing",
	},
	cPain:     {"pain*", "ache*", "aching", "achy", "hurt*", "sore", "agony", "killing me", "throbb*", "twinge*", "stiff"},
	cClotWord: {"dvt", "clot", "clots", "blood clot", "thrombosis", "thrombus", "embolism", "pe", "clotting"},
	cRisk: {
		"operation", "replacement", "new knee|hip", "post ~ operation|op", "flight", "flew", "flying", "plane",
		"long haul", "long ~ drive|journey|trip|coach|train", "drove ~ for ~ hours", "hours in the car",
		"pill", "contraceptive*", "hrt", "hormone*", "cast", "boot", "moon boot", "bed rest", "bedbound", "bed bound",
		"immobil*", "pregnan*", "just had a baby", "gave birth", "keyhole", "arthroscop*", "acl", "scope",
		"laid up", "stuck in bed", "in bed for", "on the sofa for days",
	},
	cFever: {
		"fever*", "temperature", "high temp", "running a temp", "temp ~ up|high|spiking|spiked|through the roof", "got a temp|have a temp|had a temp|ive got a temp",
		"chills", "chilly and hot", "rigor*", "shiver*", "shaking ~ uncontrollably|all over|under the covers",
		"the shakes", "night sweats", "sweats", "hot and cold", "hot then cold", "flu like", "flu", "burning up",
		"pyrexia", "feverish", "shivery", "boiling hot then",
	},
	cWound: {
		"wound", "wounds", "scar", "incision", "cut", "stitches", "staples", "sutures", "operation site|wound|scar",
		"site", "dressing", "dressings", "portal", "portals", "keyhole ~ holes|cuts", "graze", "blister", "drain",
	},
	cWoundBad: {
		"ooz*", "weep*", "pus", "pussy", "discharg*", "smell*", "stink*", "whiff", "gunk", "goo", "gooey", "yellow", "green",
		"leak*", "gaping", "opened ~ up", "coming apart", "split open", "spreading", "red streak*", "streaks",
		"crusty", "wet", "red line|red lines|line going up|lines going up", "seep*", "gross", "nasty", "infected", "infection",
	},
	cCantBear: {
		"can not|could not|unable to|not able to|impossible to ~ put|bear|take|stand|place ~ weight|any weight|it down|my foot down|foot down|on it",
		"can not|could not|unable to|not able to ~ walk|stand|weight bear|weightbear|step",
		"can not ~ walk|stand|step ~ on ~ it", "non weight bearing", "not weight bearing", "no weight ~ through|on",
		"can not move it", "will not take ~ weight", "collapses when i stand",
		"hopping ~ everywhere|around", "unable to weight bear",
	},
	cDeform: {
		"deform*", "wrong|odd|funny|weird|strange ~ shape|angle", "bent ~ wrong|funny|weird|sideways",
		"looks bent", "out of place", "pointing sideways|pointing the wrong way|sideways", "looks shorter|leg shorter", "leg|foot|knee . turned out|turned outwards|rotated out", "sticking|poking ~ out", "bone ~ sticking|poking|showing",
		"looks ~ wrong|crooked|misshapen", "dislocat*", "popped out", "crooked", "misshapen", "lump that was not there",
	},
	cCrack: {
		"heard|felt|loud|big|a|an|audible ~ crack|snap|crunch|cracking|snapping|crunching",
		"crack|snap|crunch ~ sound|noise", "snapped", "went crack|went snap|went crunch", "cracking sound|snapping sound|cracking noise|snapping noise",
	},
	cFall: {
		"fell|fallen|fall|falling|falls", "tripped", "slipped", "slip", "went over on", "went over ~ ankle|foot",
		"rolled ~ ankle|foot", "twisted|twisting|twist", "landed ~ awkward*|wrong|badly|funny|on",
		"collided", "collision", "stubbed", "twang", "felt something go", "new sharp|new pain", "tore|torn", "pulled", "tackled", "tackle", "hit by", "knocked", "banged", "whacked", "new injury",
		"injured", "re injured", "reinjured", "hurt it again", "tweaked", "pulled ~ something|muscle",
		"sudden sharp", "sharp pain out of nowhere", "got|felt|had . a sharp pain", "sharp twinge", "felt a twinge", "different spot|new spot", "felt something . go|tear|give|twang", "accident", "crash", "crashed", "came off ~ bike",
		"stepped ~ in|on|off|into ~ hole|pothole|curb|kerb|edge|ball|foot", "jarred", "strained",
	},
	cPop: {
		"heard|felt|loud|big|a|audible ~ pop|popping|pops|snap", "went pop", "popping ~ noise|sound|feeling",
		"popped ~ knee|ankle|calf|something|inside", "after the pop", "the pop", "pop ~ noise|sound",
	},
	cLocked: {
		"locked", "locking", "locks", "lock up", "locks up", "stuck ~ bent|straight|in one position",
		"will not ~ straighten|bend|unlock", "can not ~ straighten|fully straighten|bend it|unlock|unstick|get it straight",
		"catching", "catches", "jammed", "jams", "gets stuck", "got stuck", "getting stuck", "keeps sticking", "can not open ~ mouth|jaw",
	},
	cNight: {
		"wakes|waking|woke|wake|woken ~ me|up|every night|at night", "keeps ~ me up|me awake", "up all night", "awake ~ all night|half the night",
		"night pain", "pain|ache|throbbing ~ at night|in the night", "worse at night", "middle of the night",
		"at night", "in the night", "nights", "no sleep", "can not sleep", "not sleeping", "every night",
		"through the night", "2am|3am|4am|1am",
	},
	cNoEase: {
		"no position|nothing|changing position|turning over|moving|rolling over ~ helps|help|eases|ease|does nothing|makes no difference|changes|settle",
		"can not get ~ comfortable|comfy", "whatever position", "no matter ~ how|what", "whichever way",
		"does nothing", "nothing eases", "nothing helps", "constant", "does not|did not ~ settle|help|ease|change",
	},
	cWeightLoss: {
		"lost|losing|dropped|dropping|shed|shedding|down ~ weight|kilos|kg|6kg|pounds|lbs|stone|half a stone",
		"weight loss", "weight ~ dropping|falling off|coming off", "clothes ~ hanging|loose|baggy|falling off",
		"getting thin|getting thinner|getting skinny", "belt ~ hole|notch", "off my food", "not eating and losing",
	},
	cIntentional: {
		"on purpose", "diet*", "trying to lose", "intentional*", "cutting", "calorie*", "slimming", "weight watchers",
		"meant to", "goal", "deliberately", "fasting", "keto", "planned", "happy with", "pleased",
	},
	cCancer: {
		"cancer*", "tumor*", "chemo*", "radiotherapy", "radiation", "oncolog*", "lymphoma", "leukemia", "myeloma",
		"melanoma", "metasta*", "secondaries", "the big c", "malignant", "mastectomy", "sarcoma", "prostate|breast|bowel|lung|skin|kidney|bone|ovarian|cervical . ca", "in remission", "remission",
	},
	cTapeWord: {"tape", "taped", "taping", "strapping", "strapped", "kt", "kinesio*", "rocktape", "rock tape", "kinesiology"},
	cColdColor: {
		"cold", "ice cold", "icy", "freezing", "blue", "bluish", "pale", "white", "purple", "gray", "dusky",
		"mottled", "funny color", "gone a funny", "no color", "drained",
	},
	cExtremity: {
		"toe", "toes", "finger", "fingers", "foot", "feet", "hand", "hands", "skin", "below|beyond|past|under|around|above ~ tape",
		"tips", "fingertips", "nails",
	},
	cTapeSkin: {
		"itch*", "rash*", "blister*", "burn*", "sting*", "hives", "bumps", "spots", "welts", "irritat*", "raw", "sore skin",
		"skin ~ red|sore|broken|peeling|raw|angry|weeping|burning|blistered|itchy|reacting|reaction|marked",
		"red ~ skin|marks|patches|patch|lines|blotches", "redness", "peeling", "reaction", "allergic", "allergy",
	},
	cTapingIntent: {
		"before|about to|going to|want to|planning to|plan to|can i|should i|is it ok to|is it okay to|is it safe to|safe to|ok to|first time ~ tape|taping|use tape|put tape|strap|try tape|kt", "is taping|is tape|can i tape|taping ok|tape ok",
		"before taping", "before i tape", "new to taping", "never taped", "first time taping",
	},
	cContra: {
		"dvt", "clot", "clots", "blood clot", "thrombosis", "cancer*", "tumor*", "chemo*", "radiotherapy",
		"diabet*", "neuropath*", "reduced|poor|lost|less ~ feeling|sensation", "can not feel ~ feet|legs|skin",
		"eczema", "psoriasis", "dermatitis",
		"fragile|thin|delicate|sensitive|broken|papery|paper thin|tissue paper ~ skin", "skin ~ fragile|thin|delicate|broken|papery|paper thin", "skin ~ tears|breaks|bruises ~ easily|easy",
		"allerg*|react*|reaction|sensitive|rash ~ plaster*|adhesive|tape|latex|glue|sticky|elastoplast|bandaid|band aid|dressing*",
		"plaster*|adhesive ~ bring|brings|break|breaks|give|gives ~ out|rash|hives|blisters",
		"open wound|open cut|open graze|open sore", "cut on it|graze on it|cut on my", "blood thinner*", "warfarin", "apixaban", "rivaroxaban", "pregnan*",
		"varicose", "lymphedema", "lymphoedema", "circulation problem*", "poor circulation", "kidney", "heart failure",
	},
	cBothSides: {
		"both ~ legs|arms|feet|hands|sides|thighs", "either ~ leg|side", "all four limbs",
	},
	cSpreading: {
		"spread*", "getting worse", "worse", "moving down|moving up", "new", "further down", "down ~ leg|arm|thigh",
		"started", "creeping", "more and more", "since",
	},
	cBruise: {"bruis*", "black and blue"},
	// cTransient: a nerve symptom with an everyday cause that passed.
	cTransient: {
		"funny bone", "for a sec|for a second|for a few seconds|for a moment|momentarily|for a minute",
		"sat|sitting|leaning|lay|lying|laying|knelt|kneeling . on it", "crossed my legs|cross legged|legs crossed",
	},
	// cHeadRush: dizziness on standing up quickly, which passes.
	cHeadRush: {
		"stood|stand|standing|got|get|getting . up ~ quick|quickly|fast|too fast|too quick|too quickly", "head rush",
		"passed in seconds|passed quickly|went in seconds|passed after|settled in seconds",
	},
	// cVeto phrases look like findings and are not: they hide any finding
	// whose words they overlap.
	cVeto: {
		"fell|fall|falling|falls ~ asleep", "fell|fall|falling ~ behind|in love|for it|apart|out with",
		"passed out|pass out|passing out ~ sofa|couch|bed|asleep|tired|exhausted|early|after the pub|drunk|nap", "blacked out ~ windows|curtains|blinds|room|bedroom",
		"popped|popping . to|into|in to|round|over|by|down to|out to|out for|in for|in at", "pop . round|over|by|in to|into|in for|out for|to the",
		"locked|lock|locking . out|in|the door|the car|myself", "lockdown", "stuck ~ traffic|work|meeting|home|indoors|inside|house",
		"blue|pink|black|beige|white|red|purple|green . tape|kt|strip|strips|roll|one|ones|color",
		"cracked a joke", "crack on", "cracking on", "cracking|cracked ~ joke|jokes|session|day|weather",
		"chest day", "chest press", "chest fly|flies", "leg day", "dead leg", "weak tea",
		"feeling the burn", "feel the burn", "the burn", "good burn", "burn|burning ~ quads|glutes|legs|muscles|calves",
		"weigh in", "cold weather", "cold day", "cold morning", "the cold", "caught a cold", "a cold", "cold pack",
		"cold compress", "ice pack", "cold therapy", "cold water", "cold shower", "cold plunge", "cold snap",
		"hot bath", "hot water", "hot shower", "heat pack", "hot pack", "hot weather", "hot day", "hot yoga", "hot tub",
		"red faced", "red in the face", "face ~ red|flushed", "white tape", "sweet", "sweat it out", "weak . coffee|tea|joke|signal|wifi|excuse|link|point|spot", "cold swim|cold water|sea swim|cold dip|cold plunge|sea", "cold . hands|feet|fingers|toes ~ in winter|in the cold|outside|weather|as always", "funny bone", "warmed up|warm up|warming up|warm down|warmed me up",
		"broke a sweat", "sweat session", "worked up a sweat", "sweating buckets ~ in the gym", "tore|torn ~ tape",
		"flying ~ it|along|through", "out of breath laughing", "heavy legs after", "on fire today", "killing it",
		"ran out of", "knocked off|out ~ early|work", "knocked it out", "gave way to", "hit by a ball ~ no",
	},
}
