//! Actors: speaker mentions clustered within a document, pronouns and role-only mentions
//! resolved to them, and an optional registry that links actors across documents.
//!
//! Within a document, capitalised runs outside quotations are mentions: a title part
//! ("Defense Secretary", "Mr.") and a name part ("Gates"). Person mentions cluster by surname,
//! and the cluster's canonical name is the longest name seen ("Sergey Lavrov"). Roles come from
//! titles and appositives ("The Russian Foreign Minister, Sergey Lavrov,"), so a later "the
//! foreign minister" finds him. Pronouns take the most recent compatible person (gender from
//! Mr./Ms./Mrs. where known) mentioned outside quotations; unnamed sources ("a senior American
//! official") become actors of their own that a later "the official" joins.

use crate::error::UserError;
use crate::quotes::lexicon::{self, Gender};
use crate::quotes::tokens::{TokKind, Token};
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
    pub id: String,
    pub name: String,
}

/// Cross-document knowledge: canonical names, aliases, and roles held over date ranges.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Registry {
    #[serde(default, alias = "actor")]
    pub actors: Vec<RegistryActor>,
}

/// One registry entry.
#[derive(Debug, Clone, Deserialize)]
pub struct RegistryActor {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub roles: Vec<RegistryRole>,
    #[serde(default)]
    pub affiliation: Option<String>,
}

/// A role an actor held: "Russian president" from 2000-05-07 to 2008-05-07 (ISO dates,
/// inclusive, either end open).
#[derive(Debug, Clone, Deserialize)]
pub struct RegistryRole {
    pub title: String,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
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

    /// The entry a name or alias names, else the one entry whose surname it is.
    fn by_name(&self, names: &[String]) -> Option<&RegistryActor> {
        let eq = |a: &RegistryActor, n: &str| {
            a.name.eq_ignore_ascii_case(n) || a.aliases.iter().any(|x| x.eq_ignore_ascii_case(n))
        };
        if let Some(a) = self.actors.iter().find(|a| names.iter().any(|n| eq(a, n))) {
            return Some(a);
        }
        let surname = |n: &str| n.rsplit(' ').next().unwrap_or("").to_lowercase();
        let wanted: Vec<String> = names.iter().map(|n| surname(n)).collect();
        let mut hits = self
            .actors
            .iter()
            .filter(|a| wanted.contains(&surname(&a.name)));
        match (hits.next(), hits.next()) {
            (Some(a), None) => Some(a),
            _ => None,
        }
    }

    /// The entry holding a role on `date` whose title contains every word of `role`.
    fn by_role(&self, role: &[String], date: Option<&str>) -> Option<&RegistryActor> {
        self.actors.iter().find(|a| {
            a.roles.iter().any(|r| {
                let title: Vec<String> = words_lower(&r.title);
                let in_range = date.is_none_or(|d| {
                    r.from.as_deref().is_none_or(|f| d >= f)
                        && r.to.as_deref().is_none_or(|t| d <= t)
                });
                in_range && !role.is_empty() && role.iter().all(|w| title.contains(w))
            })
        })
    }
}

fn words_lower(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_lowercase).collect()
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
    /// A person rather than a place or body: has a personal title or a two-word name.
    person: bool,
    /// An unnamed source ("a senior American official"): joined by head noun.
    unnamed: bool,
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
/// `in_quote[i]` marks tokens inside quotations: names there are never pronoun antecedents.
pub fn resolve(
    text: &str,
    tokens: &[Token],
    in_quote: &[bool],
    speakers: &[Option<(usize, usize)>],
    date: Option<&str>,
    registry: Option<&Registry>,
) -> Vec<Option<Actor>> {
    let mut doc = DocActors::new(text, tokens, in_quote);
    let ids: Vec<Option<usize>> = speakers
        .iter()
        .map(|sp| sp.and_then(|(a, b)| doc.speaker(a, b)))
        .collect();
    ids.into_iter()
        .map(|c| c.map(|c| doc.actor(c, date, registry)))
        .collect()
}

/// Mentions and clusters of one document.
struct DocActors<'a> {
    text: &'a str,
    tokens: &'a [Token],
    mentions: Vec<Mention>,
    /// Cluster of each mention.
    mention_cluster: Vec<usize>,
    clusters: Vec<Cluster>,
    /// Unnamed-source clusters by head noun ("official").
    unnamed: HashMap<String, usize>,
}

impl<'a> DocActors<'a> {
    fn new(text: &'a str, tokens: &'a [Token], in_quote: &[bool]) -> Self {
        let mentions = find_mentions(text, tokens, in_quote);
        let mut doc = DocActors {
            text,
            tokens,
            mention_cluster: Vec::with_capacity(mentions.len()),
            mentions: Vec::new(),
            clusters: Vec::new(),
            unnamed: HashMap::new(),
        };
        let mut by_key: HashMap<String, usize> = HashMap::new();
        for m in &mentions {
            let c = if m.name.is_empty() {
                usize::MAX
            } else {
                let key = m.name.last().map(|s| s.to_lowercase()).unwrap_or_default();
                *by_key.entry(key).or_insert_with(|| {
                    doc.clusters.push(Cluster::default());
                    doc.clusters.len() - 1
                })
            };
            if let Some(cl) = doc.clusters.get_mut(c) {
                let name = m.name.join(" ");
                if name.len() > cl.name.len() {
                    cl.name = name.clone();
                }
                push_new(&mut cl.forms, name);
                if !m.title.is_empty() {
                    push_new(&mut cl.roles, m.title.clone());
                    cl.person = true;
                }
                cl.person |= m.name.len() >= 2 || m.gender.is_some();
                match m.gender {
                    Some(Gender::Male) => cl.male = true,
                    Some(Gender::Female) => cl.female = true,
                    None => {}
                }
            }
            doc.mention_cluster.push(c);
        }
        doc.mentions = mentions;
        doc.link_appositives();
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
                        push_new(&mut self.clusters[nc].roles, role);
                        self.clusters[nc].person = true;
                    }
                }
                continue;
            }
            // Name followed by ", the <role words>".
            if self.is_comma(m.end) {
                let role = self.role_phrase(m.end + 1);
                if !role.is_empty() {
                    push_new(&mut self.clusters[c].roles, role);
                    self.clusters[c].person = true;
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
            if !(t.lower.chars().all(char::is_alphabetic) || t.lower.contains('-')) {
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
        let named = self.latest_before(a, |cl| {
            cl.roles.iter().any(|r| {
                r.last() == Some(&head)
                    && role
                        .iter()
                        .all(|w| r.contains(w) || lexicon::is_affiliation(w))
            })
        });
        if named.is_some() {
            return named;
        }
        // An unnamed source introduced earlier with the same head noun, else a new one.
        if let Some(&c) = self.unnamed.get(&head) {
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
        self.unnamed.insert(head, self.clusters.len() - 1);
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

    /// he/she → the latest compatible person; they/it → the latest body or group; who → the
    /// latest mention of anyone (its antecedent).
    fn pronoun(&self, p: &str, at: usize) -> Option<usize> {
        match p {
            "he" | "she" => {
                let g = lexicon::pronoun_gender(p);
                self.latest_before(at, |cl| cl.person && cl.gender_ok(g))
            }
            "they" | "it" => self.latest_before(at, |cl| !cl.person),
            "who" => self.latest_before(at, |_| true),
            _ => None,
        }
    }

    /// The actor for cluster `c`, named by the registry when it knows the cluster.
    fn actor(&self, c: usize, date: Option<&str>, registry: Option<&Registry>) -> Actor {
        let cl = &self.clusters[c];
        let linked = registry.and_then(|r| {
            if cl.unnamed {
                cl.roles.iter().find_map(|role| r.by_role(role, date))
            } else {
                r.by_name(&cl.forms)
                    .or_else(|| cl.roles.iter().find_map(|role| r.by_role(role, date)))
            }
        });
        let name = linked.map_or_else(|| cl.name.clone(), |a| a.name.clone());
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

fn strip_determiner(s: &str) -> String {
    match s.split_once(' ') {
        Some((d, rest)) if lexicon::is_determiner(&d.to_lowercase()) => rest.to_string(),
        _ => s.to_string(),
    }
}

/// Capitalised runs outside quotations, split into title and name parts.
fn find_mentions(text: &str, tokens: &[Token], in_quote: &[bool]) -> Vec<Mention> {
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
            && !in_quote[i]
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
        while i < tokens.len() && !in_quote[i] {
            let t = &tokens[i];
            if t.kind != TokKind::Word {
                break;
            }
            let joins_of = t.lower == "of"
                && name.is_empty()
                && !title.is_empty()
                && tokens.get(i + 1).is_some_and(|n| n.cap);
            if !(t.cap || joins_of) {
                break;
            }
            let is_title = lexicon::is_title(&t.lower) || lexicon::is_affiliation(&t.lower);
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
                let raw = &*crate::quotes::tokens::visible(&text[t.byte_start..t.byte_end]);
                let raw = raw
                    .strip_suffix("’s")
                    .or_else(|| raw.strip_suffix("'s"))
                    .unwrap_or(raw);
                name.push(raw.to_string());
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

    #[test]
    fn slugs_are_stable() {
        assert_eq!(slug("Sergey Lavrov"), "sergey-lavrov");
        assert_eq!(slug("  the State Department! "), "the-state-department");
    }
}
