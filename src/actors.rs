//! Actors: speaker mentions clustered within a document, pronouns and role-only mentions
//! resolved to them, and an optional registry that links actors across documents.
//!
//! Within a document, capitalised runs outside quotations and datelines are mentions: a title
//! part ("Defense Secretary", "Mr.") and a name part ("Gates", "Bashar al-Assad"). Person mentions
//! cluster by surname, and the cluster's canonical name is the longest name seen ("Sergey
//! Lavrov"). Roles come from titles and appositives ("The Russian Foreign Minister, Sergey
//! Lavrov,"), so a later "the foreign minister" finds him, though never "the Polish foreign
//! minister". Pronouns take the most recent person whose gender fits (gender from Mr./Ms./Mrs.,
//! gendered titles and the registry), passing over a person of unknown gender named only once;
//! unnamed sources ("a senior American official") become actors of their own that a later "the
//! official" joins.
//!
//! The registry names a cluster by its own names only; a role links it to a registry entry only
//! when the mention is a role alone ("the Russian president") whose nationality and date agree.

use crate::error::UserError;
use crate::text::lexicon::{self, Gender};
use crate::text::tokens::{TokKind, Token};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// How many mentions back a pronoun or role looks for its antecedent; also keeps resolution
/// linear on pathological input.
const MAX_LOOKBACK: usize = 200;

/// A resolved actor: a stable id (slug of the canonical name) and the canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Stable id: the slug of the canonical name.
    pub id: String,
    /// Canonical name.
    pub name: String,
}

/// Cross-document knowledge: canonical names, aliases, and roles held over date ranges.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Registry {
    /// The known actors (`[[actor]]` tables in the TOML).
    #[serde(default, alias = "actor")]
    pub actors: Vec<RegistryActor>,
}

/// One registry entry.
#[derive(Debug, Clone, Deserialize)]
pub struct RegistryActor {
    /// Canonical name, as outputs print it.
    pub name: String,
    /// Other names that mean this actor ("Mr. Lavrov", "Sergei Lavrov").
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Titles the actor held, with their dates.
    #[serde(default)]
    pub roles: Vec<RegistryRole>,
    /// Country or organisation, which a role-only mention must agree with.
    #[serde(default)]
    pub affiliation: Option<String>,
    /// `"male"` or `"female"`: lets "he" or "she" find the actor, and never the other.
    #[serde(default)]
    pub gender: Option<Gender>,
}

/// A role an actor held: "Russian president" from 2000-05-07 to 2008-05-07 (ISO dates,
/// inclusive, either end open).
#[derive(Debug, Clone, Deserialize)]
pub struct RegistryRole {
    /// The title as news writes it ("Russian foreign minister").
    pub title: String,
    /// First day held (ISO date); open when absent.
    #[serde(default)]
    pub from: Option<String>,
    /// Last day held (ISO date); open when absent.
    #[serde(default)]
    pub to: Option<String>,
}

impl RegistryRole {
    /// True when the role was held on `date`; a role with a bound needs a date to check it.
    fn held_on(&self, date: Option<&str>) -> bool {
        match date {
            Some(d) => {
                self.from.as_deref().is_none_or(|f| d >= f)
                    && self.to.as_deref().is_none_or(|t| d <= t)
            }
            None => self.from.is_none() && self.to.is_none(),
        }
    }
}

impl Registry {
    /// Reads a registry from TOML, or JSON when the file name ends in `.json`.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UserError::new(
                format!("cannot read actor registry {}: {e}", path.display()),
                "pass --actors a TOML or JSON file with [[actors]] entries",
            )
        })?;
        let reg: Registry = if path.extension().is_some_and(|e| e == "json") {
            serde_json::from_str(&text)
                .with_context(|| format!("{}: invalid JSON", path.display()))?
        } else {
            toml::from_str(&text).with_context(|| format!("{}: invalid TOML", path.display()))?
        };
        Ok(reg)
    }

    /// The entry a cluster's names denote: the one whose name or alias is among them, else the
    /// one entry whose surname they share, unless one of them is a full name with another first
    /// name ("Laura Bush" is not George W. Bush; "Vladimir V. Putin" is Vladimir Putin).
    fn by_name(&self, names: &[String]) -> Option<&RegistryActor> {
        let eq = |a: &RegistryActor, n: &str| {
            a.name.eq_ignore_ascii_case(n) || a.aliases.iter().any(|x| x.eq_ignore_ascii_case(n))
        };
        if let Some(a) = self.actors.iter().find(|a| names.iter().any(|n| eq(a, n))) {
            return Some(a);
        }
        let surname = |n: &str| n.rsplit(' ').next().unwrap_or("").to_lowercase();
        // The first word of a full name; a sentence adverb ("Later Putin said") or a particle
        // ("De Hoop Scheffer") opening the mention is no first name.
        let first = |n: &str| {
            n.split_once(' ')
                .map(|(f, _)| f.to_lowercase())
                .filter(|f| !lexicon::is_verb_modifier(f) && !lexicon::is_name_particle(f))
        };
        let fits = |a: &RegistryActor| {
            let forms = || std::iter::once(&a.name).chain(&a.aliases);
            names
                .iter()
                .any(|n| forms().any(|f| surname(f) == surname(n)))
                && names.iter().all(|n| {
                    first(n).is_none_or(|f| forms().any(|x| first(x).as_deref() == Some(&f)))
                })
        };
        unique(self.actors.iter().filter(|a| fits(a)))
    }

    /// The one entry holding, on `date`, a role titled like the role-only mention `role`: the
    /// same role words, the same nationality or affiliation ("the Russian president" is
    /// Medvedev in 2010; "the president", "the minister" and "the former Russian president" are
    /// no one), and a date inside the term.
    fn by_role(&self, role: &[String], date: Option<&str>) -> Option<&RegistryActor> {
        if role.iter().any(|w| w == "former") {
            return None;
        }
        let (sides, words) = split_role(role);
        unique(self.actors.iter().filter(|a| {
            a.roles.iter().any(|r| {
                let title: Vec<String> =
                    r.title.split_whitespace().map(str::to_lowercase).collect();
                let (t_sides, t_words) = split_role(&title);
                r.held_on(date) && t_words == words && same_set(&t_sides, &sides)
            })
        }))
    }
}

/// The item when there is exactly one.
fn unique<T>(mut it: impl Iterator<Item = T>) -> Option<T> {
    match (it.next(), it.next()) {
        (Some(x), None) => Some(x),
        _ => None,
    }
}

fn same_set(a: &[&str], b: &[&str]) -> bool {
    a.iter().all(|x| b.contains(x)) && b.iter().all(|x| a.contains(x))
}

/// A role's sides (nationality, party: [`lexicon::side`]) and its other words, ranks dropped.
fn split_role(role: &[String]) -> (Vec<&str>, Vec<&str>) {
    let mut sides = Vec::new();
    let mut words = Vec::new();
    for w in role {
        match lexicon::side(w) {
            Some(s) => sides.push(s),
            None if lexicon::is_affiliation(w) => {}
            None => words.push(w.as_str()),
        }
    }
    (sides, words)
}

/// True when a role-only mention (`mention`, e.g. "the foreign minister") can re-mention someone
/// who holds `held` ("Russian foreign minister"): same head noun, every other word held, and a
/// side only where the holder's is unknown or the same ("the Polish prime minister" is not the
/// Russian one).
fn role_agrees(mention: &[String], held: &[String]) -> bool {
    let (m_sides, m_words) = split_role(mention);
    let (h_sides, h_words) = split_role(held);
    held.last() == mention.last()
        && m_words.iter().all(|w| h_words.contains(w))
        && (h_sides.is_empty() || m_sides.iter().all(|s| h_sides.contains(s)))
}

/// A stable id for a canonical name: lowercase ASCII letters and digits joined by hyphens.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A cluster of mentions of one actor within a document.
#[derive(Debug, Default)]
struct Cluster {
    /// Longest name seen (title stripped).
    name: String,
    /// Every name form seen, for registry look-up.
    forms: Vec<String>,
    /// Role words sets from titles and appositives ("defense secretary").
    roles: Vec<Vec<String>>,
    male: bool,
    female: bool,
    /// A person rather than a place or body: has a personal title, a two-word name or a
    /// registry entry that gives a gender or a role.
    person: bool,
    /// An unnamed source ("a senior American official"): joined by head noun.
    unnamed: bool,
    /// The registry's canonical name for the cluster's names.
    registered: Option<String>,
    /// How many mentions the document has of it.
    n_mentions: usize,
}

impl Cluster {
    fn gender_ok(&self, g: Option<Gender>) -> bool {
        match g {
            // Unknown or conflicting gender (a "Ms. Putin" typo) stays compatible.
            Some(Gender::Male) => !self.female || self.male,
            Some(Gender::Female) => !self.male || self.female,
            None => true,
        }
    }

    fn set_gender(&mut self, g: Option<Gender>) {
        match g {
            Some(Gender::Male) => self.male = true,
            Some(Gender::Female) => self.female = true,
            None => {}
        }
    }

    /// Adds a role from a title or appositive: the holder is a person, of the role's gender if
    /// it has one ("spokeswoman").
    fn add_role(&mut self, role: Vec<String>) {
        self.set_gender(role.iter().find_map(|w| lexicon::title_gender(w)));
        self.person = true;
        push_new(&mut self.roles, role);
    }
}

/// A capitalised run outside quotations: token range, title words and name words.
#[derive(Debug)]
struct Mention {
    start: usize,
    end: usize,
    title: Vec<String>,
    name: Vec<String>,
    gender: Option<Gender>,
}

/// Resolves each speaker span (token range) to an actor.
///
/// `hidden[i]` marks tokens that hold no mention: quotations (names there are never pronoun
/// antecedents) and datelines ("MOSCOW —").
pub fn resolve(
    text: &str,
    tokens: &[Token],
    hidden: &[bool],
    speakers: &[Option<(usize, usize)>],
    date: Option<&str>,
    registry: Option<&Registry>,
) -> Vec<Option<Actor>> {
    let mut doc = DocActors::new(text, tokens, hidden, registry);
    let ids: Vec<Option<usize>> = speakers
        .iter()
        .map(|sp| sp.and_then(|(a, b)| doc.speaker(a, b)))
        .collect();
    ids.into_iter()
        .map(|c| c.map(|c| doc.actor(c, date)))
        .collect()
}

/// Mentions and clusters of one document.
struct DocActors<'a> {
    text: &'a str,
    tokens: &'a [Token],
    registry: Option<&'a Registry>,
    mentions: Vec<Mention>,
    /// Cluster of each mention.
    mention_cluster: Vec<usize>,
    clusters: Vec<Cluster>,
    /// Unnamed-source clusters by head noun ("official"), in order of introduction.
    unnamed: HashMap<String, Vec<usize>>,
}

impl<'a> DocActors<'a> {
    fn new(
        text: &'a str,
        tokens: &'a [Token],
        hidden: &[bool],
        registry: Option<&'a Registry>,
    ) -> Self {
        let mentions = find_mentions(text, tokens, hidden);
        let mut doc = DocActors {
            text,
            tokens,
            registry,
            mention_cluster: Vec::with_capacity(mentions.len()),
            mentions: Vec::new(),
            clusters: Vec::new(),
            unnamed: HashMap::new(),
        };
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for m in &mentions {
            let c = match m.name.last() {
                None => usize::MAX,
                Some(last) => *by_key.entry(surname_key(last)).or_insert_with(|| {
                    doc.clusters.push(Cluster::default());
                    doc.clusters.len() - 1
                }),
            };
            if let Some(cl) = doc.clusters.get_mut(c) {
                let name = m.name.join(" ");
                if name.len() > cl.name.len() {
                    cl.name = name.clone();
                }
                push_new(&mut cl.forms, name);
                if !m.title.is_empty() {
                    cl.add_role(m.title.clone());
                }
                cl.person |= m.name.len() >= 2 || m.gender.is_some();
                cl.set_gender(m.gender);
                cl.n_mentions += 1;
            }
            doc.mention_cluster.push(c);
        }
        doc.mentions = mentions;
        doc.link_appositives();
        if let Some(r) = registry {
            for cl in &mut doc.clusters {
                if let Some(a) = r.by_name(&cl.forms) {
                    cl.person |= a.gender.is_some() || !a.roles.is_empty();
                    cl.set_gender(a.gender);
                    cl.registered = Some(a.name.clone());
                }
            }
        }
        doc
    }

    /// "The Russian Foreign Minister, Sergey Lavrov," and "Sergey Lavrov, the Russian foreign
    /// minister,": the role joins the named cluster.
    fn link_appositives(&mut self) {
        for k in 0..self.mentions.len() {
            let m = &self.mentions[k];
            let c = self.mention_cluster[k];
            if c == usize::MAX {
                // Role run followed by ", Name".
                if let (Some(next), true) = (self.mentions.get(k + 1), self.is_comma(m.end)) {
                    let nc = self.mention_cluster[k + 1];
                    if next.start == m.end + 1 && nc != usize::MAX {
                        let role = m.title.clone();
                        self.clusters[nc].add_role(role);
                    }
                }
                continue;
            }
            // Name followed by ", the <role words>".
            if self.is_comma(m.end) {
                let role = self.role_phrase(m.end + 1);
                if !role.is_empty() {
                    self.clusters[c].add_role(role);
                }
            }
        }
    }

    fn is_comma(&self, i: usize) -> bool {
        self.tokens.get(i).is_some_and(|t| t.is(','))
    }

    /// Role words of a lowercase phrase like "the Russian foreign minister" starting at token
    /// `i`: nonempty only when it opens with a determiner and ends on a role noun or title.
    fn role_phrase(&self, i: usize) -> Vec<String> {
        let mut words = Vec::new();
        let mut j = i;
        while let Some(t) = self.tokens.get(j) {
            if t.kind != TokKind::Word || j - i > 6 {
                break;
            }
            words.push(t.lower.clone());
            j += 1;
        }
        let ends_role = words
            .last()
            .is_some_and(|w| lexicon::is_role_noun(w) || lexicon::is_title(w));
        let opens = words.first().is_some_and(|w| lexicon::is_determiner(w));
        if ends_role && opens && self.tokens.get(j).is_some_and(|t| t.kind == TokKind::Punct) {
            words.retain(|w| !lexicon::is_determiner(w));
            words
        } else {
            Vec::new()
        }
    }

    /// The cluster a speaker span names, creating one for an unnamed source.
    ///
    /// The head phrase (up to a comma, participle or preposition) decides first: "A senior
    /// official traveling with the Cabinet secretaries" is an official, not the Cabinet. Names
    /// in an appositive after a comma come next ("The Russian Foreign Minister, Sergey Lavrov"),
    /// then roles and unnamed sources.
    fn speaker(&mut self, a: usize, b: usize) -> Option<usize> {
        let head_end = (a..b)
            .find(|&i| {
                let t = &self.tokens[i];
                i > a
                    && (t.is(',')
                        || (t.kind == TokKind::Word
                            && !t.cap
                            && (t.lower.ends_with("ing")
                                || t.lower == "who"
                                || (lexicon::is_boundary_word(&t.lower) && t.lower != "and"))))
            })
            .unwrap_or(b);
        let appositive = head_end < b && self.tokens[head_end].is(',');
        self.named_in(a, head_end)
            .or_else(|| appositive.then(|| self.named_in(head_end, b)).flatten())
            .or_else(|| self.described(a, head_end))
    }

    /// The cluster of the first name mention inside tokens `a..b`.
    fn named_in(&mut self, a: usize, b: usize) -> Option<usize> {
        let from = self.mentions.partition_point(|m| m.start < a);
        let k = (from..self.mentions.len())
            .take_while(|&k| self.mentions[k].end <= b)
            .find(|&k| self.mention_cluster[k] != usize::MAX)?;
        let c = self.mention_cluster[k];
        self.clusters[c].person |= !self.mentions[k].title.is_empty();
        Some(c)
    }

    /// A pronoun, role-only or unnamed-source phrase in tokens `a..b`.
    fn described(&mut self, a: usize, b: usize) -> Option<usize> {
        let words: Vec<&Token> = self.tokens[a..b]
            .iter()
            .filter(|t| t.kind == TokKind::Word)
            .collect();
        let first = words.first()?;
        if words.len() == 1 && lexicon::is_pronoun(&first.lower) {
            return self.pronoun(&first.lower, a);
        }
        // Role-only or unnamed: the words up to the head noun.
        let mut role: Vec<String> = Vec::new();
        for t in &words {
            if lexicon::is_determiner(&t.lower) && role.is_empty() {
                continue;
            }
            let word_like = t.lower.chars().all(char::is_alphabetic)
                || t.lower.contains('-')
                || lexicon::side(&t.lower).is_some();
            if !word_like {
                break;
            }
            role.push(t.lower.clone());
            if lexicon::is_role_noun(&t.lower) {
                break;
            }
        }
        let head = role.last()?.clone();
        if !lexicon::is_role_noun(&head) && !lexicon::is_title(&head) {
            return None;
        }
        // A named cluster holding this role, most recently mentioned first.
        let named = self.latest_before(a, |cl| cl.roles.iter().any(|r| role_agrees(&role, r)));
        if named.is_some() {
            return named;
        }
        // An unnamed source introduced earlier with the same head noun and an agreeing role
        // ("the official" after "a senior American official"), else a new one.
        let earlier = self.unnamed.get(&head).and_then(|cs| {
            cs.iter()
                .rev()
                .take(MAX_LOOKBACK)
                .find(|&&c| self.clusters[c].roles.iter().any(|r| role_agrees(&role, r)))
        });
        if let Some(&c) = earlier {
            return Some(c);
        }
        let name = self.text
            [words[0].byte_start..words[words.len().min(role.len() + 1) - 1].byte_end]
            .to_string();
        let name = strip_determiner(&name);
        self.clusters.push(Cluster {
            name: name.clone(),
            forms: vec![name],
            roles: vec![role],
            unnamed: true,
            ..Cluster::default()
        });
        self.unnamed
            .entry(head)
            .or_default()
            .push(self.clusters.len() - 1);
        Some(self.clusters.len() - 1)
    }

    /// The cluster of the latest mention ending before token `before` that satisfies `ok`.
    fn latest_before(&self, before: usize, ok: impl Fn(&Cluster) -> bool) -> Option<usize> {
        let k = self.mentions.partition_point(|m| m.end <= before);
        self.mention_cluster[..k]
            .iter()
            .rev()
            .take(MAX_LOOKBACK)
            .filter_map(|&c| self.clusters.get(c).map(|cl| (c, cl)))
            .find(|(_, cl)| ok(cl))
            .map(|(c, _)| c)
    }

    /// he/she → the latest person whose gender fits, never one known to be of the other gender;
    /// they/it → the latest body or group; who → the latest mention of anyone (its antecedent).
    ///
    /// A person of unknown gender named only once is passed over for an earlier person who
    /// fits: such a name is usually someone in passing ("Ms. Rice met Sergey Lavrov. … she
    /// said"), or no person at all ("Outside Carrier").
    fn pronoun(&self, p: &str, at: usize) -> Option<usize> {
        match p {
            "he" | "she" => {
                let g = lexicon::pronoun_gender(p);
                let fits = |cl: &Cluster| cl.person && cl.gender_ok(g);
                self.latest_before(at, |cl| {
                    fits(cl) && (cl.male || cl.female || cl.n_mentions > 1)
                })
                .or_else(|| self.latest_before(at, fits))
            }
            "they" | "it" => self.latest_before(at, |cl| !cl.person),
            "who" => self.latest_before(at, |_| true),
            _ => None,
        }
    }

    /// The actor for cluster `c`, named by the registry when it knows the cluster: by its names,
    /// or, for a role-only mention, by the role held on `date`. A named cluster's titles never
    /// link it ("US President Barack Obama" is no registry's Russian president).
    fn actor(&self, c: usize, date: Option<&str>) -> Actor {
        let cl = &self.clusters[c];
        let by_role = || {
            let r = self.registry.filter(|_| cl.unnamed)?;
            cl.roles
                .iter()
                .find_map(|role| r.by_role(role, date))
                .map(|a| a.name.clone())
        };
        let name = cl
            .registered
            .clone()
            .or_else(by_role)
            .unwrap_or_else(|| cl.name.clone());
        Actor {
            id: slug(&name),
            name,
        }
    }
}

/// Adds `x` unless present: a cluster mentioned thousands of times keeps a handful of forms
/// and roles, so matching against them stays cheap.
fn push_new<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// The key a name word clusters under: lowercase, without a particle joined by a hyphen
/// ("al-Assad" and "Assad" are one person).
fn surname_key(w: &str) -> String {
    let w = w.to_lowercase();
    match w.split_once('-') {
        Some((p, rest)) if lexicon::is_name_particle(p) && !rest.is_empty() => rest.to_string(),
        _ => w,
    }
}

fn strip_determiner(s: &str) -> String {
    match s.split_once(' ') {
        Some((d, rest)) if lexicon::is_determiner(&d.to_lowercase()) => rest.to_string(),
        _ => s.to_string(),
    }
}

/// Capitalised runs outside hidden tokens, split into title and name parts.
fn find_mentions(text: &str, tokens: &[Token], hidden: &[bool]) -> Vec<Mention> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let t = &tokens[i];
        // "Later the minister": a capitalised word before a lowercase determiner is no name.
        let before_determiner = tokens
            .get(i + 1)
            .is_some_and(|n| !n.cap && lexicon::is_determiner(&n.lower));
        let starts = t.kind == TokKind::Word
            && t.cap
            && !before_determiner
            && !hidden[i]
            && !lexicon::is_function_word(&t.lower)
            && !lexicon::is_pronoun(&t.lower);
        if !starts {
            i += 1;
            continue;
        }
        let mut start = i;
        let mut title = Vec::new();
        let mut name: Vec<String> = Vec::new();
        let mut gender = None;
        while i < tokens.len() && !hidden[i] {
            let t = &tokens[i];
            if t.kind != TokKind::Word {
                break;
            }
            let raw = &text[t.byte_start..t.byte_end];
            let joins_of = t.lower == "of"
                && name.is_empty()
                && !title.is_empty()
                && tokens.get(i + 1).is_some_and(|n| n.cap);
            // "Jaap de Hoop Scheffer", "Bashar al-Assad": a particle inside a name.
            let joins_particle = !name.is_empty()
                && match t.lower.split_once('-') {
                    Some((p, _)) => {
                        lexicon::is_name_particle(p)
                            && raw[p.len() + 1..].starts_with(char::is_uppercase)
                    }
                    None => {
                        lexicon::is_name_particle(&t.lower)
                            && tokens.get(i + 1).is_some_and(|n| {
                                n.kind == TokKind::Word
                                    && (n.cap || lexicon::is_name_particle(&n.lower))
                            })
                    }
                };
            if !(t.cap || joins_of || joins_particle) {
                break;
            }
            // "US President", "the European Union-Russian summit": affiliations, not names.
            let is_title = lexicon::is_title(&t.lower)
                || lexicon::is_affiliation(&t.lower)
                || raw == "US"
                || lexicon::is_compound_affiliation(&t.lower);
            if is_title && !name.is_empty() {
                // "Greeting Mr. Gates": the capitalised word before the title is no name.
                start = i;
                name.clear();
                title.clear();
                gender = None;
            }
            if name.is_empty() && (is_title || joins_of) {
                gender = gender.or(lexicon::title_gender(&t.lower));
                if !joins_of {
                    title.push(t.lower.trim_end_matches('.').to_string());
                }
            } else if !(name.is_empty() && t.lower.ends_with("ing")) {
                let raw = &*crate::text::tokens::visible(&text[t.byte_start..t.byte_end]);
                let owner = raw.strip_suffix("’s").or_else(|| raw.strip_suffix("'s"));
                name.push(owner.unwrap_or(raw).to_string());
                // A possessive ends the name: "Mr. Clinton's White House" names two things.
                if owner.is_some() {
                    i += 1;
                    break;
                }
            }
            i += 1;
        }
        // Titles alone (no name) are role mentions only when they end on a role word.
        let keep = !name.is_empty()
            || title
                .last()
                .is_some_and(|w| lexicon::is_role_noun(w) || lexicon::is_title(w));
        if keep {
            title.retain(|w| !matches!(w.as_str(), "mr" | "ms" | "mrs" | "miss" | "dr"));
            out.push(Mention {
                start,
                end: i,
                title,
                name,
                gender,
            });
        }
        i = i.max(start + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Document;
    use crate::quotes::extract_with;

    /// The missile-shield task's registry: the cases are about its entries.
    fn seed_registry() -> Registry {
        Registry::load(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/datasets/missile-shield/actors.toml"
        )))
        .unwrap()
    }

    /// The actor of every quote of `text`, dated `date` ("" for none).
    fn actor_names(text: &str, date: Option<&str>, registry: Option<&Registry>) -> Vec<String> {
        let doc = Document {
            id: "t".into(),
            text: text.into(),
            date: date.map(String::from),
            ..Document::default()
        };
        extract_with(&doc, registry)
            .into_iter()
            .map(|q| q.actor.unwrap_or_default())
            .collect()
    }

    #[test]
    fn a_title_never_overrides_a_persons_own_name() {
        let reg = seed_registry();
        let d = Some("2009-06-01");
        assert_eq!(
            actor_names(
                "US President Barack Obama said the plan would be reviewed.",
                d,
                Some(&reg)
            ),
            ["Barack Obama"]
        );
        assert_eq!(
            actor_names(
                "Prime Minister Donald Tusk said Poland would sign.",
                d,
                Some(&reg)
            ),
            ["Donald Tusk"]
        );
        // A full name is the person's own: Laura Bush is not the registry's George W. Bush, while
        // a surname alone and a middle initial still find the entry.
        assert_eq!(
            actor_names(
                "Laura Bush said the visit went well.",
                Some("2008-04-01"),
                Some(&reg)
            ),
            ["Laura Bush"]
        );
        assert_eq!(
            actor_names(
                "Vladimir V. Putin said the shield was a threat. Mr. Bush said it was not.",
                Some("2008-04-01"),
                Some(&reg)
            ),
            ["Vladimir Putin", "George W. Bush"]
        );
    }

    #[test]
    fn a_registry_role_needs_its_nationality_and_date() {
        let reg = seed_registry();
        let one = |text: &str, date: Option<&str>| actor_names(text, date, Some(&reg));
        let d2010 = Some("2010-01-01");
        assert_eq!(
            one("The Russian president said talks went well.", d2010),
            ["Dmitry Medvedev"]
        );
        assert_eq!(
            one(
                "The American defense secretary said talks went well.",
                Some("2008-03-18")
            ),
            ["Robert Gates"]
        );
        // No nationality, another role, a former holder, or no date to check the term against.
        assert_eq!(
            one("The president said talks went well.", d2010),
            ["president"]
        );
        assert_eq!(
            one("The minister said talks went well.", Some("2008-11-14")),
            ["minister"]
        );
        assert_eq!(
            one("The Russian vice president said talks went well.", d2010),
            ["Russian vice president"]
        );
        assert_eq!(
            one("The former Russian president said talks went well.", d2010),
            ["former Russian president"]
        );
        assert_eq!(
            one("The Russian president said talks went well.", None),
            ["Russian president"]
        );
    }

    #[test]
    fn a_role_mention_joins_only_an_actor_of_its_nationality() {
        let got = actor_names(
            "Polish Prime Minister Donald Tusk met Vladimir Putin on Monday. \
             The Russian prime minister said the shield was a threat.",
            None,
            None,
        );
        assert_eq!(got, ["Russian prime minister"]);
        let got = actor_names(
            "A senior American official said talks went on. A Russian official said they had \
             failed. The official said the next round was set.",
            None,
            None,
        );
        assert_eq!(
            got,
            [
                "senior American official",
                "Russian official",
                "Russian official"
            ]
        );
    }

    #[test]
    fn pronouns_take_an_antecedent_of_their_gender() {
        let reg = seed_registry();
        // Gender from the registry.
        let got = actor_names(
            "Condoleezza Rice met Robert Gates in Moscow. “We have work to do,” she said.",
            Some("2008-03-18"),
            Some(&reg),
        );
        assert_eq!(got, ["Condoleezza Rice"]);
        // A woman known by her honorific beats a nearer person of unknown gender.
        let got = actor_names(
            "Ms. Rice met Sergey Lavrov. “We have work to do,” she said.",
            None,
            None,
        );
        assert_eq!(got, ["Rice"]);
        // Gendered titles.
        let got = actor_names(
            "Spokeswoman Dana Perino met King Abdullah. “We agree,” she said.",
            None,
            None,
        );
        assert_eq!(got, ["Dana Perino"]);
        let got = actor_names(
            "Jane Doe, the spokeswoman, met Prince Harry. “We agree,” she said.",
            None,
            None,
        );
        assert_eq!(got, ["Jane Doe"]);
    }

    #[test]
    fn a_one_word_surname_already_introduced_is_a_person() {
        let reg = seed_registry();
        // Introduced by the registry: "he" finds him.
        let got = actor_names(
            "Medvedev said the shield was a threat. He added that Russia would respond.",
            Some("2008-11-14"),
            Some(&reg),
        );
        assert_eq!(got, ["Dmitry Medvedev", "Dmitry Medvedev"]);
        // Introduced earlier with a particle in the full name.
        let got = actor_names(
            "Syrian President Bashar al-Assad met the envoy. Assad said the talks had failed. \
             He added that Syria would wait.",
            None,
            None,
        );
        assert_eq!(got, ["Bashar al-Assad", "Bashar al-Assad"]);
        let got = actor_names(
            "NATO Secretary General Jaap de Hoop Scheffer spoke first. De Hoop Scheffer said \
             the shield was useful. “It protects us all,” he said.",
            None,
            None,
        );
        assert_eq!(got, ["Jaap de Hoop Scheffer", "Jaap de Hoop Scheffer"]);
        // A person is no antecedent of "it", and neither is the dateline.
        let got = actor_names(
            "NICE, France — Medvedev arrived. “We will talk,” it said.",
            Some("2008-11-14"),
            Some(&reg),
        );
        assert_eq!(got, [""]);
    }

    #[test]
    fn datelines_and_compound_fragments_are_never_speakers() {
        for text in [
            "NICE — “We will talk,” it said.",
            "MOSCOW — The talks will go on, it said.",
            "WASHINGTON (AP) — “We will talk,” it said.",
        ] {
            assert_eq!(actor_names(text, None, None), [""], "{text}");
        }
        // The summit is the speaker, and no actor: "Union-Russian" is half an adjective.
        assert_eq!(
            actor_names(
                "The European Union-Russian summit said nothing new.",
                None,
                None
            ),
            [""]
        );
    }

    #[test]
    fn slugs_are_stable() {
        assert_eq!(slug("Sergey Lavrov"), "sergey-lavrov");
        assert_eq!(slug("  the State Department! "), "the-state-department");
    }
}
