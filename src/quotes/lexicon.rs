//! Word lists behind the attribution rules: cue verbs, titles, roles, pronouns, and the function
//! words that bound a speaker phrase. Kept in one place so tuning never touches the rules.

use std::collections::HashMap;
use std::sync::OnceLock;

/// How a cue word introduces its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueClass {
    /// Speech or writing: "said", "wrote", "added". Takes a direct quote or a reported clause.
    Speech,
    /// Speech with a listener object before the content: "told reporters that".
    Tell,
    /// Thought or evidence, reported but never introducing a direct quote by itself:
    /// "believes", "thinks", "shows".
    Belief,
    /// An evaluative speech act whose content is its object: "called the deal “a disaster”",
    /// "accused him of lying", "criticized the plan".
    Act,
}

const SPEECH: &[&str] = &[
    "said",
    "says",
    "say",
    "saying",
    "added",
    "adds",
    "adding",
    "wrote",
    "writes",
    "writing",
    "noted",
    "notes",
    "noting",
    "stated",
    "explained",
    "explains",
    "explaining",
    "argued",
    "argues",
    "arguing",
    "argue",
    "claimed",
    "claims",
    "claiming",
    "insisted",
    "insists",
    "insisting",
    "acknowledged",
    "acknowledges",
    "acknowledging",
    "warns",
    "warning",
    "declared",
    "declares",
    "confirmed",
    "confirms",
    "indicated",
    "indicates",
    "suggested",
    "suggests",
    "suggesting",
    "announced",
    "announces",
    "reported",
    "reports",
    "tweeted",
    "tweets",
    "recalled",
    "recalls",
    "responded",
    "responds",
    "replied",
    "replies",
    "conceded",
    "concedes",
    "admitted",
    "admits",
    "predicted",
    "predicts",
    "promised",
    "promises",
    "vowed",
    "vows",
    "pledged",
    "stressed",
    "stresses",
    "emphasized",
    "emphasised",
    "asserted",
    "asserts",
    "observed",
    "complained",
    "complains",
    "countered",
    "cautioned",
    "estimated",
    "testified",
    "continued",
    "agreed",
    "agreeing",
    "contended",
    "contends",
    "maintained",
    "maintains",
    "denied",
    "denies",
    "asked",
    "asks",
    "asking",
    "wondered",
    "charged",
    "alleged",
    "alleges",
    "acknowledge",
    "conceding",
    "joked",
    "quipped",
    "posted",
    "concluded",
    "concludes",
    "speculated",
    "mused",
    "boasted",
    "bragged",
    "announcing",
    "revealed",
    "disclosed",
    "proclaimed",
    "lamented",
    "objected",
    "protested",
    "remarked",
    "retorted",
    "shouted",
    "reiterated",
    "repeated",
    "stating",
    "declaring",
    "insist",
    "suggest",
    "echoed",
    "recalling",
    "reiterating",
    "explain",
    "warn",
    "predict",
    "contend",
    "concede",
    "deny",
    "assert",
    // Measured on PolNeAR train, each with more attributions found than spurious ones; the class is
    // the content shape that scored best ("see"/"hope" take a clause after any subject).
    "see",
    "offered",
    "hope",
    "ask",
    "urging",
    "expressed",
    "blame",
    "offer",
    "answer",
    "talked",
    "recommended",
    "estimates",
    "admitting",
    "pledge",
];

/// Verbs that report words only when those words are quoted: "the sign read “…”", "the crowd
/// chanted “…”"; otherwise they are not speech ("she read the bill"). Speech cues.
const QUOTE_ONLY: &[&str] = &[
    "read",
    "reads",
    "yelled",
    "chanted",
    "chanting",
    "chants",
    "exclaimed",
    "whispered",
    "barked",
    "interjected",
    "interjecting",
    "answered",
    "screamed",
];

const TELL: &[&str] = &[
    "told", "tells", "tell", "telling", "assured", "informed", "reminded", "warned", "advised",
    "urged", "briefed",
];

const BELIEF: &[&str] = &[
    "believes",
    "believe",
    "believed",
    "thinks",
    "think",
    "thought",
    "feels",
    "feel",
    "felt",
    "hopes",
    "hoped",
    "fears",
    "feared",
    "expects",
    "expected",
    "knows",
    "know",
    "worries",
    "worried",
    "doubts",
    "doubted",
    "shows",
    "show",
    "showed",
    "found",
    "finds",
    "agrees",
    "agree",
    "disagree",
    "disagrees",
    "wants",
    "want",
    "wanted",
    "declined",
    "declines",
    "declining",
    "refused",
    "refuses",
    "refusing",
    "plans",
    "planned",
    "planning",
    "intends",
    "intended",
    "sought",
    "seeks",
    "seeking",
    "decided",
    "decides",
    "threatened",
    "threatens",
    "threatening",
    "vowing",
    "pledges",
    "pledging",
    "promising",
    "expecting",
    "hoping",
    "prefer",
    "prefers",
    // Measured on PolNeAR train as above.
    "learned",
    "compared",
    "identified",
    "challenged",
    "filed",
    "seen",
    "listed",
    "challenges",
    "reveals",
];

/// Cues whose content may be a bare infinitive ("vowed to repeal it", "declined to comment"):
/// commitments, refusals and plans, which are announced; wishes ("wanted to") are not, and stay
/// clause-only.
const INFINITIVE: &[&str] = &[
    "vowed",
    "vows",
    "vowing",
    "pledged",
    "pledges",
    "pledging",
    "promised",
    "promises",
    "promising",
    "agreed",
    "agreeing",
    "declined",
    "declines",
    "declining",
    "refused",
    "refuses",
    "refusing",
    "plans",
    "planned",
    "planning",
    "intends",
    "intended",
    "sought",
    "seeks",
    "seeking",
    "decided",
    "decides",
    "threatened",
    "threatens",
    "threatening",
    "urged",
    "urges",
    "urging",
    "encouraged",
    "encourages",
    "decision",
    "promise",
    "pledge",
    "vow",
    "plan",
    "refusal",
    "threat",
    "proposal",
];

/// Nouns that report what their possessor said or thinks when a clause or infinitive follows:
/// "Trump's claim that …", "her decision to …".
const NOUNS: &[&str] = &[
    "claim",
    "claims",
    "statement",
    "assertion",
    "argument",
    "belief",
    "view",
    "warning",
    "promise",
    "pledge",
    "vow",
    "suggestion",
    "insistence",
    "accusation",
    "allegation",
    "allegations",
    "charge",
    "contention",
    "assurance",
    "assurances",
    "hope",
    "hopes",
    "fear",
    "fears",
    "concern",
    "worry",
    "prediction",
    "threat",
    "announcement",
    "admission",
    "declaration",
    "decision",
    "plan",
    "refusal",
    "proposal",
];

/// Nouns naming a source document that "in" can cite: "In a CNN poll, …".
const DOCUMENTS: &[&str] = &[
    "poll", "polls", "survey", "surveys", "report", "study", "analysis", "average", "memo",
];

const ACT: &[&str] = &[
    "called",
    "calling",
    "calls",
    "described",
    "describes",
    "describing",
    "accused",
    "accuses",
    "accusing",
    "criticized",
    "criticizes",
    "criticizing",
    "criticised",
    "praised",
    "praises",
    "praising",
    "endorsed",
    "endorses",
    "endorsing",
    "defended",
    "defends",
    "defending",
    "blamed",
    "blames",
    "blaming",
    "rejected",
    "rejects",
    "dismissed",
    "dismisses",
    "questioned",
    "attacked",
    "attacks",
    "attacking",
    "slammed",
    "slams",
    "blasted",
    "condemned",
    "condemns",
    "cited",
    "cites",
    "citing",
    "proposed",
    "proposes",
    "touted",
    "touts",
    "mocked",
    "labeled",
    "dubbed",
    "branded",
    "decried",
    "lauded",
    "hailed",
    "applauded",
    "welcomed",
    "pledged",
    "promised",
    "vowed",
    "demanded",
    "demands",
    "pushed",
    "opposed",
    "opposes",
    "supported",
    "supports",
    "backed",
    "backs",
    "oppose",
    "denounced",
    "denouncing",
    "denounces",
    "thanked",
    "blasts",
    "criticize",
    "rejecting",
    "condemning",
    "demanding",
    "questioning",
    "dismissing",
    // Measured on PolNeAR train as above: their object is the content ("fear deportation",
    // "mentioned the deal", "ordered an inquiry").
    "mention",
    "ordered",
    "fear",
    "sees",
    "mentioned",
    "named",
    "signaled",
    "offering",
    "ignored",
    "tweeting",
    "discuss",
    "sounded",
    "nominated",
    "touting",
    "signals",
    "mentions",
    "highlighting",
    "highlighted",
];

/// Multi-word cues: a first word and the words that must follow it.
const PHRASES: &[(&str, &[&str])] = &[
    ("according", &["to"]),
    ("voiced", &["confidence"]),
    ("voiced", &["concern"]),
    ("expressed", &["confidence"]),
    ("expressed", &["concern"]),
    ("expressed", &["hope"]),
    ("made", &["clear"]),
    ("make", &["clear"]),
    ("called", &["for"]),
    // "called on Republicans to back Trump": an appeal, whose content is its addressee and demand.
    ("called", &["on"]),
    ("calls", &["on"]),
    ("calling", &["on"]),
    ("calls", &["for"]),
    ("calling", &["for"]),
    ("call", &["for"]),
    ("referring", &["to"]),
    ("referred", &["to"]),
    ("refers", &["to"]),
    ("pointed", &["to"]),
    ("points", &["to"]),
    ("pointing", &["to"]),
    ("talking", &["about"]),
    ("talked", &["about"]),
    ("talks", &["about"]),
    ("spoke", &["about"]),
    ("spoke", &["of"]),
    ("wrote", &["about"]),
    ("put", &["it"]),
    ("puts", &["it"]),
    ("pointed", &["out"]),
    ("points", &["out"]),
];

/// The class of a single-word cue, if `w` (lowercase) is one. Called on every word, so it is
/// a hash look-up; a word in two lists takes the first of Tell, Speech, Belief, Act.
pub fn cue_class(w: &str) -> Option<CueClass> {
    static CUES: OnceLock<HashMap<&'static str, CueClass>> = OnceLock::new();
    CUES.get_or_init(|| {
        let mut map = HashMap::new();
        for (list, class) in [
            (ACT, CueClass::Act),
            (BELIEF, CueClass::Belief),
            (SPEECH, CueClass::Speech),
            (QUOTE_ONLY, CueClass::Speech),
            (TELL, CueClass::Tell),
        ] {
            for w in list {
                map.insert(*w, class);
            }
        }
        map
    })
    .get(w)
    .copied()
}

/// True for cues, by their first word, whose content must be a quotation: the verbs above and
/// the phrase "put it" ("as Cornyn put it: “…”", not "put it on the table").
pub fn needs_quotation(w: &str) -> bool {
    QUOTE_ONLY.contains(&w) || matches!(w, "put" | "puts")
}

/// True for cues whose content may be a "to" infinitive.
pub fn takes_infinitive(w: &str) -> bool {
    INFINITIVE.contains(&w)
}

/// True for a word shaped like a past or progressive verb ("alleged", "remarking"), excluding the
/// "-ing" and "-ed" words that are nouns or prepositions before a relative "that" ("something
/// that", "the evening that", "during that", "a need that").
pub fn is_clause_verb_form(w: &str) -> bool {
    let verb_like = (w.len() >= 5 && w.ends_with("ed") && !w.ends_with("eed"))
        || (w.len() >= 6 && w.ends_with("ing") && !w.ends_with("thing"));
    verb_like
        && !matches!(
            w,
            "during"
                | "including"
                | "regarding"
                | "concerning"
                | "following"
                | "morning"
                | "evening"
                | "meeting"
                | "meaning"
                | "hearing"
                | "polling"
                | "building"
                | "ceiling"
                | "feeling"
                | "funding"
                | "spending"
                | "hundred"
        )
}

/// True for cues that report nothing when negated: "did not mention the shield" tells of words
/// not said (the seed guide's absence of speech), unlike "did not say that …".
pub fn is_mention(w: &str) -> bool {
    matches!(w, "mention" | "mentioned" | "mentions")
}

/// True for a negation before a verb: "not", "never", "didn't".
pub fn is_negation(w: &str) -> bool {
    matches!(w, "not" | "never" | "n't" | "no") || w.ends_with("n't") || w.ends_with("n’t")
}

/// True for nouns that report their possessor's words or thoughts.
pub fn is_cue_noun(w: &str) -> bool {
    NOUNS.contains(&w)
}

/// True for nouns naming a document that can be cited as a source.
pub fn is_document(w: &str) -> bool {
    DOCUMENTS.contains(&w)
}

/// The multi-word cue phrases starting with `w`, as the words that follow it.
pub fn cue_phrases(w: &str) -> impl Iterator<Item = &'static [&'static str]> + '_ {
    PHRASES
        .iter()
        .filter(move |(first, _)| *first == w)
        .map(|(_, rest)| *rest)
}

/// Personal titles whose period is part of the word ("Mr.").
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "sen", "rep", "gov", "gen", "lt", "col", "sgt", "capt", "adm", "st",
    "jr", "sr", "prof", "rev", "hon", "pres", "atty", "supt", "mt", "no", "vs", "inc", "corp",
    "co", "ltd", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec", "messrs",
    "maj", "cmdr", "sens", "reps", "ft", "univ", "dept", "a.m", "p.m",
];

/// True when `word` followed by a period is an abbreviation rather than a sentence end.
pub fn is_abbreviation(word: &str, followed_by_space: bool) -> bool {
    let mut chars = word.chars();
    let first = chars.next();
    // Initials ("J.") and dotted acronyms ("U.S").
    if first.is_some_and(char::is_uppercase) && chars.next().is_none() {
        return true;
    }
    if word.contains('.') {
        return true;
    }
    followed_by_space && ABBREVIATIONS.contains(&word.to_lowercase().as_str())
}

/// Courtesy titles and role nouns that carry gender ("Mr.", "Spokeswoman", "King").
pub fn title_gender(w: &str) -> Option<Gender> {
    match w {
        "mr." | "mr" | "spokesman" | "congressman" | "king" | "prince" | "sir" | "lord" => {
            Some(Gender::Male)
        }
        "ms." | "ms" | "mrs." | "mrs" | "miss" | "spokeswoman" | "congresswoman" | "chairwoman"
        | "queen" | "princess" | "lady" => Some(Gender::Female),
        _ => None,
    }
}

/// Grammatical gender of a mention, for pronoun resolution; also a registry field
/// (`gender = "female"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Male,
    Female,
}

/// Titles that precede a name ("Defense Secretary Gates", "Sen. Rubio").
const TITLES: &[&str] = &[
    "mr.",
    "mrs.",
    "ms.",
    "miss",
    "dr.",
    "sen.",
    "rep.",
    "gov.",
    "gen.",
    "lt.",
    "col.",
    "sgt.",
    "capt.",
    "adm.",
    "prof.",
    "rev.",
    "president",
    "secretary",
    "minister",
    "senator",
    "governor",
    "mayor",
    "general",
    "judge",
    "justice",
    "chancellor",
    "premier",
    "ambassador",
    "representative",
    "congressman",
    "congresswoman",
    "speaker",
    "leader",
    "chairman",
    "chairwoman",
    "director",
    "commissioner",
    "attorney",
    "prime",
    "foreign",
    "defense",
    "defence",
    "state",
    "vice",
    "deputy",
    "chief",
    "former",
    "sheriff",
    "king",
    "queen",
    "prince",
    "pope",
    "candidate",
    "nominee",
    "spokesman",
    "spokeswoman",
    "sens.",
    "reps.",
    "dr",
    "mr",
    "ms",
    "mrs",
    "lady",
    "sir",
    "lord",
    "officer",
    "detective",
    "coach",
    "professor",
];

/// True for a word that can be part of a title before a name.
pub fn is_title(w: &str) -> bool {
    TITLES.contains(&w)
}

/// Nouns that name a person or body by role, letting a lowercase phrase be a speaker.
const ROLE_NOUNS: &[&str] = &[
    "official",
    "officials",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "president",
    "minister",
    "secretary",
    "senator",
    "governor",
    "mayor",
    "aide",
    "aides",
    "adviser",
    "advisers",
    "advisor",
    "advisors",
    "analyst",
    "analysts",
    "expert",
    "experts",
    "source",
    "sources",
    "lawmaker",
    "lawmakers",
    "critics",
    "critic",
    "supporters",
    "supporter",
    "candidate",
    "candidates",
    "campaign",
    "committee",
    "report",
    "reports",
    "statement",
    "poll",
    "polls",
    "survey",
    "study",
    "police",
    "prosecutors",
    "prosecutor",
    "lawyer",
    "lawyers",
    "attorney",
    "attorneys",
    "judge",
    "court",
    "people",
    "voters",
    "voter",
    "residents",
    "resident",
    "witnesses",
    "witness",
    "leader",
    "leaders",
    "chairman",
    "chairwoman",
    "director",
    "diplomat",
    "diplomats",
    "ministry",
    "department",
    "government",
    "administration",
    "agency",
    "officer",
    "officers",
    "man",
    "woman",
    "men",
    "women",
    "democrats",
    "republicans",
    "members",
    "member",
    "group",
    "party",
    "organization",
    "spokespeople",
    "representative",
    "representatives",
    "economists",
    "economist",
    "researchers",
    "researcher",
    "scientists",
    "authorities",
    "strategist",
    "strategists",
    "activists",
    "activist",
    "nominee",
    "author",
    "authors",
    "executive",
    "editor",
    "commentator",
    "historian",
    "professor",
    "ambassador",
    "envoy",
    "general",
    "commander",
    "data",
    "article",
    "letter",
    "paper",
    "network",
    "newspaper",
    "website",
    "foundation",
    "company",
    "firm",
    "union",
    "council",
    "house",
    "senate",
    "congress",
    "board",
    "office",
    "analysis",
    "memo",
    "filing",
    "lawsuit",
    "complaint",
    "interview",
    "speech",
    "host",
    "chief",
    "head",
    "manager",
    "founder",
    "ceo",
    "staff",
    "staffer",
    "staffers",
    "donor",
    "donors",
    "friend",
    "friends",
    "colleague",
    "colleagues",
    "observers",
    "delegates",
    "delegate",
    "senators",
    "governors",
    "mayors",
    "protesters",
    "students",
    "workers",
    "families",
    "parents",
    "americans",
    "conservatives",
    "liberals",
    "pollster",
    "pollsters",
    "director",
    "reporter",
    "reporters",
    "journalist",
    "journalists",
    "doctor",
    "percent",
    "majority",
    "plurality",
    "respondents",
    "half",
    "justice",
    "doctors",
];

/// True for a noun that names a speaker by role.
pub fn is_role_noun(w: &str) -> bool {
    ROLE_NOUNS.contains(&w)
}

/// Subject pronouns that can speak.
pub fn is_pronoun(w: &str) -> bool {
    matches!(w, "he" | "she" | "they" | "i" | "we" | "it" | "you" | "who")
}

/// Gender of a pronoun, when it has one.
pub fn pronoun_gender(w: &str) -> Option<Gender> {
    match w {
        "he" | "him" | "his" => Some(Gender::Male),
        "she" | "her" | "hers" => Some(Gender::Female),
        _ => None,
    }
}

/// Perfect and modal auxiliaries that both skip-lists below share ("has said", "would add").
fn is_auxiliary(w: &str) -> bool {
    matches!(w, "has" | "have" | "had" | "would" | "will" | "could")
}

/// Words between a subject and its cue that are skipped ("has also said").
pub fn is_verb_modifier(w: &str) -> bool {
    is_auxiliary(w)
        || matches!(
            w,
            "also"
                | "might"
                | "may"
                | "later"
                | "previously"
                | "repeatedly"
                | "then"
                | "once"
                | "again"
                | "further"
                | "recently"
                | "initially"
                | "first"
                | "reportedly"
                | "publicly"
                | "privately"
                | "flatly"
                | "often"
                | "simply"
                | "just"
                | "only"
                | "has since"
                | "since"
                | "already"
                | "still"
                | "even"
                | "now"
                | "long"
                | "frequently"
                | "never"
                | "did"
                | "does"
                | "do"
                | "not"
                | "n't"
                | "doesn't"
                | "don't"
                | "didn't"
                | "won't"
                | "wouldn't"
                | "can't"
                | "couldn't"
                | "hasn't"
                | "haven't"
                | "hadn't"
                | "always"
                | "openly"
                | "quietly"
                | "explicitly"
                | "bluntly"
                | "herself"
                | "himself"
                | "themselves"
                | "itself"
                | "both"
                | "all"
                | "ever"
        )
        || (w.len() > 4 && w.ends_with("ly") && !matches!(w, "family" | "rally" | "ally"))
}

/// Words that end a speaker phrase when scanning backwards from a cue.
pub fn is_boundary_word(w: &str) -> bool {
    matches!(
        w,
        "that"
            | "which"
            | "whom"
            | "whose"
            | "while"
            | "when"
            | "because"
            | "although"
            | "though"
            | "since"
            | "as"
            | "if"
            | "after"
            | "before"
            | "and"
            | "but"
            | "or"
            | "so"
            | "yet"
            | "where"
            | "whereas"
            | "than"
            | "until"
            | "unless"
            | "what"
            | "how"
            | "why"
            | "whether"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "to"
            | "not"
            | "nor"
            | "also"
            | "despite"
            | "during"
            | "in"
            | "on"
            | "at"
            | "about"
            | "over"
            | "into"
            | "from"
            | "by"
            | "said"
            | "says"
            | "told"
            | "even"
            | "once"
            | "however"
            | "meanwhile"
            | "instead"
            | "indeed"
            | "then"
            | "thus"
            | "like"
            | "unlike"
            | "amid"
            | "against"
            | "without"
            | "under"
            | "through"
            | "among"
            | "between"
            | "toward"
            | "towards"
            | "upon"
            | "within"
            | "across"
    )
}

/// Determiners and quantifiers that may open a speaker phrase.
pub fn is_determiner(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "this"
            | "these"
            | "those"
            | "some"
            | "many"
            | "most"
            | "several"
            | "one"
            | "two"
            | "three"
            | "other"
            | "another"
            | "his"
            | "her"
            | "their"
            | "its"
            | "our"
            | "both"
            | "few"
            | "all"
            | "each"
            | "any"
            | "no"
    )
}

/// Adverbials that may sit between a cue and "that" ("said today that", "said in a statement that").
pub fn is_cue_adverbial(w: &str) -> bool {
    matches!(
        w,
        "today"
            | "yesterday"
            | "tonight"
            | "on"
            | "in"
            | "at"
            | "a"
            | "an"
            | "the"
            | "statement"
            | "interview"
            | "interviews"
            | "with"
            | "earlier"
            | "later"
            | "last"
            | "this"
            | "week"
            | "month"
            | "year"
            | "night"
            | "morning"
            | "afternoon"
            | "evening"
            | "again"
            | "also"
            | "publicly"
            | "privately"
            | "recently"
            | "then"
            | "previously"
            | "monday"
            | "tuesday"
            | "wednesday"
            | "thursday"
            | "friday"
            | "saturday"
            | "sunday"
            | "repeatedly"
            | "twitter"
            | "facebook"
            | "his"
            | "her"
            | "their"
            | "its"
            | "speech"
            | "press"
            | "release"
            | "conference"
            | "news"
            | "email"
            | "e-mail"
            | "separately"
            | "flatly"
            | "once"
            | "weekend"
            | "past"
            | "recent"
            | "during"
            | "after"
            | "before"
            | "by"
            | "phone"
            | "telephone"
            | "emailed"
            | "written"
            | "post"
            | "blog"
            | "tweet"
            | "letter"
            | "radio"
            | "television"
            | "tv"
    )
}

/// Words that cannot be the last word of a speaker phrase.
pub fn is_function_word(w: &str) -> bool {
    is_determiner(w)
        || is_boundary_word(w)
        || is_auxiliary(w)
        || matches!(
            w,
            "of" | "for"
                | "with"
                | "can"
                | "should"
                | "must"
                | "do"
                | "does"
                | "did"
                | "there"
                | "here"
                | "it's"
        )
}

/// The side a role word names, one spelling per side ("U.S.", "US", "American" → "us";
/// "Russian" → "russian"): a nationality, party or other affiliation that two mentions of one
/// role must share. `None` for other words and for ranks ("senior", "top", "former"), which a
/// later mention may leave out.
pub fn side(w: &str) -> Option<&str> {
    match w {
        // Titles keep "U.S." without its final period ("u.s").
        "us" | "u.s." | "u.s" | "american" => Some("us"),
        "senior" | "top" | "former" => None,
        _ => is_affiliation(w).then_some(w),
    }
}

/// A compound modifier ending in an affiliation ("Union-Russian" in "the European Union-Russian
/// summit", "Polish-American"): an adjective, never a name.
pub fn is_compound_affiliation(w: &str) -> bool {
    w.rsplit_once('-')
        .is_some_and(|(_, last)| is_affiliation(last))
}

/// Lowercase particles inside a surname ("Charles de Gaulle", "Osama bin Laden", "Jaap de Hoop
/// Scheffer"), which keep a name going when a capitalised word follows.
pub fn is_name_particle(w: &str) -> bool {
    matches!(
        w,
        "de" | "del"
            | "della"
            | "der"
            | "den"
            | "di"
            | "da"
            | "dos"
            | "du"
            | "van"
            | "von"
            | "bin"
            | "ibn"
            | "al"
            | "el"
            | "ter"
    )
}

/// Nationality, party and rank adjectives: part of a role ("the Russian foreign minister"),
/// never a name; roles are matched on them as [`side`]s.
pub fn is_affiliation(w: &str) -> bool {
    matches!(
        w,
        "american"
            | "russian"
            | "chinese"
            | "british"
            | "french"
            | "german"
            | "iranian"
            | "israeli"
            | "syrian"
            | "iraqi"
            | "mexican"
            | "european"
            | "ukrainian"
            | "polish"
            | "czech"
            | "japanese"
            | "korean"
            | "indian"
            | "pakistani"
            | "afghan"
            | "saudi"
            | "turkish"
            | "canadian"
            | "democratic"
            | "republican"
            | "conservative"
            | "liberal"
            | "senior"
            | "former"
            | "top"
            | "u.s."
            | "federal"
            | "national"
            | "palestinian"
            | "egyptian"
            | "italian"
            | "spanish"
            | "cuban"
            | "australian"
            | "brazilian"
    )
}
