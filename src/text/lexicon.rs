//! Word lists behind the attribution rules: cue verbs, titles, roles, pronouns, and the function
//! words that bound a speaker phrase. They are data (`lexicon/en.toml`, compiled in) so tuning
//! never touches the rules, and they are checked when read, so a word listed twice, given two cue
//! classes, shadowed by a rule or out of every rule's reach is refused rather than silently lost.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

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

/// Grammatical gender of a mention, for pronoun resolution; also a registry field
/// (`gender = "female"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    /// He, him, his.
    Male,
    /// She, her, hers.
    Female,
}

/// One list of the lexicon file: single lowercase tokens, each listed once.
#[derive(Debug, Deserialize)]
#[serde(try_from = "Vec<String>")]
struct Words(HashSet<String>);

impl TryFrom<Vec<String>> for Words {
    type Error = String;

    fn try_from(list: Vec<String>) -> Result<Self, String> {
        let mut set = HashSet::with_capacity(list.len());
        for w in list {
            check_token(&w)?;
            if !set.insert(w.clone()) {
                return Err(format!("`{w}` is listed twice"));
            }
        }
        Ok(Words(set))
    }
}

impl Words {
    fn contains(&self, w: &str) -> bool {
        self.0.contains(w)
    }

    /// The entries in a fixed order, so a check reports the same word every time.
    fn sorted(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.0.iter().map(String::as_str).collect();
        v.sort_unstable();
        v
    }
}

/// Multi-word cues in file order, each as its words; two or more tokens, each phrase once.
#[derive(Debug, Deserialize)]
#[serde(try_from = "Vec<String>")]
struct Phrases(Vec<Vec<String>>);

impl TryFrom<Vec<String>> for Phrases {
    type Error = String;

    fn try_from(list: Vec<String>) -> Result<Self, String> {
        let mut out: Vec<Vec<String>> = Vec::with_capacity(list.len());
        for p in list {
            let words: Vec<String> = p.split(' ').map(str::to_owned).collect();
            if words.len() < 2 {
                return Err(format!("`{p}` is one word: list it as a single-word cue"));
            }
            for w in &words {
                check_token(w).map_err(|e| format!("in `{p}`: {e}"))?;
            }
            if out.contains(&words) {
                return Err(format!("`{p}` is listed twice"));
            }
            out.push(words);
        }
        Ok(Phrases(out))
    }
}

/// Every entry is matched against one lowercased token, so anything else could never match.
fn check_token(w: &str) -> Result<(), String> {
    if w.is_empty() || w.chars().any(char::is_whitespace) {
        Err(format!("`{w}` is not one token: a word is matched alone"))
    } else if w.chars().any(char::is_uppercase) {
        Err(format!("`{w}` has capitals: words are matched lowercased"))
    } else {
        Ok(())
    }
}

/// The lexicon file's lists; their meaning is documented beside each in `lexicon/en.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Lists {
    speech: Words,
    quote_only: Words,
    tell: Words,
    belief: Words,
    act: Words,
    phrases: Phrases,
    quotation_phrases: Phrases,
    infinitive: Words,
    cue_nouns: Words,
    plural_noun_cues: Words,
    documents: Words,
    mentions: Words,
    not_clause_verbs: Words,
    negations: Words,
    auxiliaries: Words,
    verb_modifiers: Words,
    not_adverbs: Words,
    boundary_words: Words,
    determiners: Words,
    function_words: Words,
    cue_adverbials: Words,
    subclause_openers: Words,
    content_closers: Words,
    finite_verbs: Words,
    prepositions: Words,
    pronouns: Words,
    male_pronouns: Words,
    female_pronouns: Words,
    quantifiers: Words,
    abbreviations: Words,
    titles: Words,
    male_titles: Words,
    female_titles: Words,
    role_nouns: Words,
    name_particles: Words,
    affiliations: Words,
    ranks: Words,
    sides: BTreeMap<String, Words>,
}

/// A language's lexicon: its checked lists and the cue classes looked up on every word.
#[derive(Debug)]
pub struct Lexicon {
    lists: Lists,
    cues: HashMap<String, CueClass>,
}

impl Lexicon {
    /// Reads and checks a lexicon file; `name` is the file named in errors.
    pub fn parse(text: &str, name: &str) -> Result<Lexicon, String> {
        let lists: Lists = toml::from_str(text).map_err(|e| format!("{name}: {e}"))?;
        lists.check().map_err(|e| format!("{name}: {e}"))?;
        let mut cues = HashMap::new();
        for (list, class) in lists.cue_classes() {
            for w in &list.0 {
                cues.insert(w.clone(), class);
            }
        }
        Ok(Lexicon { lists, cues })
    }
}

impl Lists {
    fn cue_classes(&self) -> [(&Words, CueClass); 5] {
        [
            (&self.speech, CueClass::Speech),
            (&self.quote_only, CueClass::Speech),
            (&self.tell, CueClass::Tell),
            (&self.belief, CueClass::Belief),
            (&self.act, CueClass::Act),
        ]
    }

    /// The checks a list on its own cannot make: entries that another list or a rule would
    /// shadow, and entries no rule ever reads.
    fn check(&self) -> Result<(), String> {
        disjoint(&[
            ("speech", &self.speech),
            ("quote_only", &self.quote_only),
            ("tell", &self.tell),
            ("belief", &self.belief),
            ("act", &self.act),
        ])?;
        disjoint(&[
            ("function_words", &self.function_words),
            ("determiners", &self.determiners),
            ("boundary_words", &self.boundary_words),
            ("auxiliaries", &self.auxiliaries),
        ])?;
        disjoint(&[
            ("verb_modifiers", &self.verb_modifiers),
            ("auxiliaries", &self.auxiliaries),
        ])?;
        disjoint(&[
            ("male_titles", &self.male_titles),
            ("female_titles", &self.female_titles),
        ])?;
        disjoint(&[
            ("male_pronouns", &self.male_pronouns),
            ("female_pronouns", &self.female_pronouns),
        ])?;
        disjoint(&[("affiliations", &self.affiliations), ("ranks", &self.ranks)])?;
        let sides: Vec<(&str, &Words)> = self.sides.iter().map(|(k, v)| (k.as_str(), v)).collect();
        disjoint(&sides)?;
        for p in &self.quotation_phrases.0 {
            if self.phrases.0.contains(p) {
                return Err(format!(
                    "`{}` is in both `phrases` and `quotation_phrases`",
                    p.join(" ")
                ));
            }
        }

        let is_cue = |w: &str| {
            self.cue_classes().iter().any(|(l, _)| l.contains(w))
                || self
                    .phrases
                    .0
                    .iter()
                    .chain(&self.quotation_phrases.0)
                    .any(|p| p[0] == w)
        };
        // A rule covers these already: listing them too hides what the list adds.
        covered(
            "verb_modifiers",
            &self.verb_modifiers,
            "an adverb in -ly",
            |w| adverb_shaped(w) && !self.not_adverbs.contains(w),
        )?;
        covered("negations", &self.negations, "a word in n't", ends_in_not)?;
        covered(
            "content_closers",
            &self.content_closers,
            "a word in -ing",
            |w| w.ends_with("ing"),
        )?;
        // No rule reads these unless the word is also what the list's rule starts from.
        reachable(
            "not_adverbs",
            &self.not_adverbs,
            "an adverb in -ly",
            adverb_shaped,
        )?;
        reachable(
            "not_clause_verbs",
            &self.not_clause_verbs,
            "verb-shaped",
            verb_shaped,
        )?;
        reachable("mentions", &self.mentions, "a cue", is_cue)?;
        reachable("plural_noun_cues", &self.plural_noun_cues, "a cue", is_cue)?;
        reachable("infinitive", &self.infinitive, "a cue or cue noun", |w| {
            is_cue(w) || self.cue_nouns.contains(w) || verb_shaped(w)
        })
    }
}

/// Refuses a word in two of `lists`, which would make one entry shadow the other.
fn disjoint(lists: &[(&str, &Words)]) -> Result<(), String> {
    for (i, (a, wa)) in lists.iter().enumerate() {
        for (b, wb) in &lists[i + 1..] {
            if let Some(w) = wa.sorted().into_iter().find(|w| wb.contains(w)) {
                return Err(format!("`{w}` is in both `{a}` and `{b}`"));
            }
        }
    }
    Ok(())
}

/// Refuses an entry the list's own rule already covers.
fn covered(name: &str, list: &Words, rule: &str, by: impl Fn(&str) -> bool) -> Result<(), String> {
    match list.sorted().into_iter().find(|w| by(w)) {
        Some(w) => Err(format!(
            "`{w}` in `{name}` is {rule}, which the rule covers"
        )),
        None => Ok(()),
    }
}

/// Refuses an entry no rule can read: one that is not `what`.
fn reachable(
    name: &str,
    list: &Words,
    what: &str,
    is: impl Fn(&str) -> bool,
) -> Result<(), String> {
    match list.sorted().into_iter().find(|w| !is(w)) {
        Some(w) => Err(format!(
            "`{w}` in `{name}` is not {what}, so it is never read"
        )),
        None => Ok(()),
    }
}

/// The built-in English lists.
fn en() -> &'static Lists {
    &english().lists
}

/// The built-in English lexicon, parsed once; its tests guarantee it parses.
pub fn english() -> &'static Lexicon {
    static EN: OnceLock<Lexicon> = OnceLock::new();
    EN.get_or_init(|| {
        Lexicon::parse(include_str!("lexicon/en.toml"), "src/text/lexicon/en.toml")
            .unwrap_or_else(|e| panic!("the built-in lexicon is broken: {e}"))
    })
}

/// The class of a single-word cue, if `w` (lowercase) is one. Called on every word, so it is
/// a hash look-up.
pub fn cue_class(w: &str) -> Option<CueClass> {
    english().cues.get(w).copied()
}

/// True for cues, by their first word, whose content must be a quotation.
pub fn needs_quotation(w: &str) -> bool {
    en().quote_only.contains(w) || en().quotation_phrases.0.iter().any(|p| p[0] == w)
}

/// True for cues whose content may be a "to" infinitive.
pub fn takes_infinitive(w: &str) -> bool {
    en().infinitive.contains(w)
}

/// `(len >= 5 && -ed, not -eed) || (len >= 6 && -ing, not -thing)`: the shape of a past or
/// progressive verb, before its exceptions.
fn verb_shaped(w: &str) -> bool {
    (w.len() >= 5 && w.ends_with("ed") && !w.ends_with("eed"))
        || (w.len() >= 6 && w.ends_with("ing") && !w.ends_with("thing"))
}

/// True for a word shaped like a past or progressive verb ("alleged", "remarking"), excluding the
/// words of that shape that are nouns or prepositions before a relative "that".
pub fn is_clause_verb_form(w: &str) -> bool {
    verb_shaped(w) && !en().not_clause_verbs.contains(w)
}

/// True for cues that report nothing when negated ("did not mention the shield").
pub fn is_mention(w: &str) -> bool {
    en().mentions.contains(w)
}

fn ends_in_not(w: &str) -> bool {
    w.ends_with("n't") || w.ends_with("n’t")
}

/// True for a negation before a verb: "not", "never", "didn't".
pub fn is_negation(w: &str) -> bool {
    en().negations.contains(w) || ends_in_not(w)
}

/// True for nouns that report their possessor's words or thoughts.
pub fn is_cue_noun(w: &str) -> bool {
    en().cue_nouns.contains(w)
}

/// True for cues that are also plural nouns ("the reports", "Clinton's attacks").
pub fn is_plural_noun_cue(w: &str) -> bool {
    en().plural_noun_cues.contains(w)
}

/// True for nouns naming a document that can be cited as a source.
pub fn is_document(w: &str) -> bool {
    en().documents.contains(w)
}

/// The multi-word cue phrases starting with `w`, as the words that follow it, in file order.
pub fn cue_phrases(w: &str) -> impl Iterator<Item = &'static [String]> + '_ {
    let l = en();
    l.phrases
        .0
        .iter()
        .chain(&l.quotation_phrases.0)
        .filter(move |p| p[0] == w)
        .map(|p| &p[1..])
}

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
    followed_by_space && en().abbreviations.contains(&word.to_lowercase())
}

/// Courtesy titles and role nouns that carry gender ("Mr.", "Spokeswoman", "King").
pub fn title_gender(w: &str) -> Option<Gender> {
    gender_of(w, &en().male_titles, &en().female_titles)
}

fn gender_of(w: &str, male: &Words, female: &Words) -> Option<Gender> {
    if male.contains(w) {
        Some(Gender::Male)
    } else if female.contains(w) {
        Some(Gender::Female)
    } else {
        None
    }
}

/// True for a word that can be part of a title before a name.
pub fn is_title(w: &str) -> bool {
    en().titles.contains(w)
}

/// True for a noun that names a speaker by role.
pub fn is_role_noun(w: &str) -> bool {
    en().role_nouns.contains(w)
}

/// Subject pronouns that can speak.
pub fn is_pronoun(w: &str) -> bool {
    en().pronouns.contains(w)
}

/// Gender of a pronoun, when it has one.
pub fn pronoun_gender(w: &str) -> Option<Gender> {
    gender_of(w, &en().male_pronouns, &en().female_pronouns)
}

/// Quantifiers that stand for people as a subject: "most said", "many believe".
pub fn is_quantifier(w: &str) -> bool {
    en().quantifiers.contains(w)
}

/// `len > 4 && -ly`: the shape of an adverb, before its exceptions.
fn adverb_shaped(w: &str) -> bool {
    w.len() > 4 && w.ends_with("ly")
}

/// Words between a subject and its cue that are skipped ("has also said").
pub fn is_verb_modifier(w: &str) -> bool {
    let l = en();
    l.auxiliaries.contains(w)
        || l.verb_modifiers.contains(w)
        || (adverb_shaped(w) && !l.not_adverbs.contains(w))
}

/// Words that end a speaker phrase when scanning backwards from a cue.
pub fn is_boundary_word(w: &str) -> bool {
    en().boundary_words.contains(w)
}

/// Determiners and quantifiers that may open a speaker phrase.
pub fn is_determiner(w: &str) -> bool {
    en().determiners.contains(w)
}

/// Adverbials that may sit between a cue and "that" ("said today that", "said in a statement that").
pub fn is_cue_adverbial(w: &str) -> bool {
    en().cue_adverbials.contains(w)
}

/// Words that cannot be the last word of a speaker phrase.
pub fn is_function_word(w: &str) -> bool {
    let l = en();
    l.determiners.contains(w)
        || l.boundary_words.contains(w)
        || l.auxiliaries.contains(w)
        || l.function_words.contains(w)
}

/// Words after which a new clause, with its own subject, begins: "… but that … seems to".
pub fn opens_subclause(w: &str) -> bool {
    en().subclause_openers.contains(w)
}

/// True for a word that, after an attribution set off by commas, opens a clause of the
/// reporter's ("…, according to the group, which monitors …").
pub fn closes_content(w: &str) -> bool {
    w.ends_with("ing") || en().content_closers.contains(w)
}

/// Finite verbs and modals: "would", "is", "did".
pub fn is_finite_verb(w: &str) -> bool {
    en().finite_verbs.contains(w)
}

/// Prepositions that show a cue's complement is not a report ("said to be", "told of").
pub fn is_preposition(w: &str) -> bool {
    en().prepositions.contains(w)
}

/// The side a role word names, one spelling per side ("U.S.", "US", "American" → "us";
/// "Russian" → "russian"): a nationality, party or other affiliation that two mentions of one
/// role must share. `None` for other words and for ranks ("senior", "top", "former"), which a
/// later mention may leave out.
pub fn side(w: &str) -> Option<&str> {
    let l = en();
    if let Some((side, _)) = l.sides.iter().find(|(_, spellings)| spellings.contains(w)) {
        return Some(side);
    }
    l.affiliations.contains(w).then_some(w)
}

/// A compound modifier ending in an affiliation ("Union-Russian" in "the European Union-Russian
/// summit", "Polish-American"): an adjective, never a name.
pub fn is_compound_affiliation(w: &str) -> bool {
    w.rsplit_once('-')
        .is_some_and(|(_, last)| is_affiliation(last))
}

/// Lowercase particles inside a surname ("Charles de Gaulle", "Jaap de Hoop Scheffer"), which
/// keep a name going when a capitalised word follows.
pub fn is_name_particle(w: &str) -> bool {
    en().name_particles.contains(w)
}

/// Nationality, party and rank adjectives: part of a role ("the Russian foreign minister"),
/// never a name; roles are matched on them as [`side`]s.
pub fn is_affiliation(w: &str) -> bool {
    en().affiliations.contains(w) || en().ranks.contains(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = include_str!("lexicon/en.toml");

    fn parse(text: &str) -> Result<Lexicon, String> {
        Lexicon::parse(text, "en.toml")
    }

    /// The built-in file with `entry` put first in `list`.
    fn with(list: &str, entry: &str) -> String {
        let head = format!("\n{list} = [\n");
        assert!(EN.contains(&head), "no list `{list}`");
        EN.replacen(&head, &format!("{head}    \"{entry}\",\n"), 1)
    }

    fn refused(list: &str, entry: &str) -> String {
        parse(&with(list, entry)).expect_err(&format!("`{entry}` in `{list}` was accepted"))
    }

    #[test]
    fn the_built_in_lexicon_passes_its_checks() {
        let lexicon = parse(EN).unwrap();
        assert_eq!(lexicon.cues.get("said"), Some(&CueClass::Speech));
        assert_eq!(cue_class("told"), Some(CueClass::Tell));
        assert_eq!(cue_class("read"), Some(CueClass::Speech));
        assert!(needs_quotation("read") && needs_quotation("put") && !needs_quotation("said"));
        assert_eq!(side("American"), None, "lookups are on lowercased words");
        assert_eq!(
            (side("u.s."), side("russian"), side("senior")),
            (Some("us"), Some("russian"), None)
        );
        assert!(
            is_affiliation("senior") && is_verb_modifier("quickly") && !is_verb_modifier("family")
        );
        assert!(is_negation("didn't") && is_negation("never") && !is_negation("now"));
        assert!(is_clause_verb_form("remarking") && !is_clause_verb_form("evening"));
    }

    #[test]
    fn a_word_listed_twice_is_refused_naming_its_line() {
        let e = refused("speech", "said");
        assert!(e.contains("`said` is listed twice"), "{e}");
        assert!(e.starts_with("en.toml: TOML parse error at line "), "{e}");
        let e = refused("phrases", "according to");
        assert!(e.contains("`according to` is listed twice"), "{e}");
    }

    #[test]
    fn a_word_in_two_cue_classes_is_refused() {
        let e = refused("act", "said");
        assert_eq!(e, "en.toml: `said` is in both `speech` and `act`");
        let e = refused("female_titles", "mr.");
        assert_eq!(
            e,
            "en.toml: `mr.` is in both `male_titles` and `female_titles`"
        );
    }

    #[test]
    fn entries_that_can_never_match_one_token_are_refused() {
        assert!(refused("verb_modifiers", "has since").contains("not one token"));
        assert!(refused("titles", "Sen.").contains("has capitals"));
        assert!(refused("phrases", "according").contains("is one word"));
    }

    #[test]
    fn entries_a_rule_covers_or_never_reads_are_refused() {
        let e = refused("verb_modifiers", "repeatedly");
        assert!(
            e.contains("`repeatedly` in `verb_modifiers` is an adverb in -ly"),
            "{e}"
        );
        assert!(refused("negations", "didn't").contains("n't"));
        let e = refused("not_adverbs", "ally");
        assert!(
            e.contains("`ally` in `not_adverbs` is not an adverb in -ly"),
            "{e}"
        );
        let e = refused("plural_noun_cues", "pictures");
        assert!(
            e.contains("`pictures` in `plural_noun_cues` is not a cue"),
            "{e}"
        );
        assert!(refused("not_clause_verbs", "meet").contains("not verb-shaped"));
        assert!(refused("infinitive", "wish").contains("not a cue or cue noun"));
    }

    #[test]
    fn an_unknown_list_is_refused() {
        let e = parse(&format!("speach = [\"said\"]\n{EN}")).unwrap_err();
        assert!(e.contains("unknown field `speach`"), "{e}");
    }
}
