//! jq programs, compiled once and run many times, through the maintained `jaq` crates.
//!
//! Provider definitions map a body to a profile with jq expressions; this module is the one
//! place that knows the engine. A program sees the body as `.` and the account's settings as
//! `$settings`. Running never fails loudly: a definition's mapping is lenient by design (a
//! provider that drops a field still verified the identity), so an error or an empty output
//! reads as `null`.
//!
//! Compiling is the expensive part (the standard library is compiled with every program), so
//! all the expressions of one definition are compiled together, as one program that runs the
//! expression its `$__expr` variable selects; a body is converted once and read many times.

use jaq_core::load::lex::StrPart;
use jaq_core::load::parse::{BinaryOp, Def, Pattern, Term};
use jaq_core::load::{Arena, File, Loader};
use jaq_core::path::Part;
use jaq_core::{Compiler, Ctx, Vars, data};
use jaq_json::Val;
use serde::Deserialize;
use serde_json::Value;

type Data = data::JustLut<Val>;
type Filter = jaq_core::compile::Filter<jaq_core::Native<Data>>;

/// The global variables of every program, in the order they are bound.
const GLOBALS: &[&str] = &["$settings", "$__expr"];

/// Several jq expressions compiled as one program.
pub struct Programs {
    filter: Filter,
}

impl std::fmt::Debug for Programs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Programs")
    }
}

/// A body and settings, converted once for the engine.
pub struct Input {
    body: Val,
    settings: Val,
}

impl Programs {
    /// Compiles `expressions` together. On an error, the index of the first expression that
    /// does not compile, and what is wrong with it (with a character offset).
    pub fn compile(expressions: &[&str]) -> Result<Programs, (usize, String)> {
        let mut code = String::new();
        for (i, expression) in expressions.iter().enumerate() {
            let keyword = if i == 0 { "if" } else { "elif" };
            code += &format!("{keyword} $__expr == {i} then (\n{expression}\n) ");
        }
        code += if expressions.is_empty() {
            "empty"
        } else {
            "else empty end"
        };
        match compile(&code) {
            Ok(filter) => Ok(Programs { filter }),
            // Only on an error: compiled one by one to name the culprit and the place.
            Err(combined) => Err(expressions
                .iter()
                .enumerate()
                .find_map(|(i, e)| compile(e).err().map(|error| (i, error)))
                .unwrap_or((0, combined))),
        }
    }

    /// Converts a body and settings for [`Programs::first`]. Strings that are empty or only
    /// white space become `null` on the way (see `src/provider/definition.rs`).
    pub fn input(body: &Value, settings: &Value) -> Option<Input> {
        Some(Input {
            body: to_val(body),
            settings: to_val(settings),
        })
    }

    /// A document converted as it is (for `--jq` on whoami's own output: nothing is read as
    /// `null` that was not).
    pub fn input_exact(document: &Value) -> Option<Input> {
        Some(Input {
            body: Val::deserialize(document).ok()?,
            settings: Val::Null,
        })
    }

    /// Hands every output of expression `index` on `input` to `each` as it comes (an infinite
    /// stream prints as it goes, like jq); an error ends the outputs with its message.
    pub fn each<E>(
        &self,
        index: usize,
        input: &Input,
        mut each: impl FnMut(Result<Value, String>) -> Result<(), E>,
    ) -> Result<(), E> {
        let which = Val::from(index);
        let vars = Vars::new([input.settings.clone(), which]);
        let ctx = Ctx::<Data>::new(&self.filter.lut, vars);
        for out in self.filter.id.run((ctx, input.body.clone())).map(outcome) {
            match out {
                Ok(v) => each(Ok(serde_json::from_str(&v.to_string())
                    .unwrap_or_else(|_| Value::String(v.to_string()))))?,
                Err(e) => return each(Err(e)),
            }
        }
        Ok(())
    }

    /// The first output of expression `index` on `input`, or `None` when it has none or fails.
    pub fn first(&self, index: usize, input: &Input) -> Option<Value> {
        let which = Val::from(index);
        let vars = Vars::new([input.settings.clone(), which]);
        let ctx = Ctx::<Data>::new(&self.filter.lut, vars);
        let out = self
            .filter
            .id
            .run((ctx, input.body.clone()))
            .map(outcome)
            .next()?
            .ok()?;
        // jaq prints its values as JSON; numbers and strings keep their JSON form.
        serde_json::from_str(&out.to_string()).ok()
    }

    /// Whether expression `index`'s first output is truthy (neither `null` nor `false`).
    pub fn holds(&self, index: usize, input: &Input) -> bool {
        !matches!(
            self.first(index, input),
            None | Some(Value::Null) | Some(Value::Bool(false))
        )
    }
}

/// An output or its error. Never exits the process (jaq's own `unwrap_valr` does on `halt`;
/// `halt` is not offered anyway, see [`FORBIDDEN`]).
fn outcome(value: jaq_core::ValX<Val>) -> Result<Val, String> {
    value.map_err(|e| match e.get_err() {
        Ok(error) => error.to_string(),
        Err(_) => "the expression halted".to_string(),
    })
}

/// Functions a definition or `--jq` may not call: they would read the environment (where
/// credentials live), end the process, read other input or write past the redaction.
const FORBIDDEN: &[&str] = &[
    "env",
    "halt",
    "halt_error",
    "input",
    "inputs",
    "debug",
    "debug_empty",
    "stderr",
    "stderr_empty",
    "input_filename",
];

/// jq's definitions that jaq's standard library lacks.
const PRELUDE: &str = "def IN(s): any(s == .; .); def IN(src; s): any(src == s; .); ";

/// A JSON value for the engine; blank strings read as `null`.
///
/// jaq's strings are `bytes::Bytes`. Rather than one buffer (or more) per string, the text is
/// copied into a shared buffer as it comes, each string a frozen piece of it (`BytesMut`:
/// `split` then `freeze`): one pass over the body, one allocation per string for jaq's box
/// and one per chunk of text. The buffer is reached through jaq's own `Bytes` (the crate is
/// not a direct dependency): a fresh one with spare capacity converts to a `BytesMut` as is.
fn to_val(value: &Value) -> Val {
    /// Text per allocation (a full chunk is followed by one of the same size, or one that
    /// fits a longer string).
    const CHUNK: usize = 64 * 1024;
    let Val::TStr(empty) = Val::utf8_str(Vec::with_capacity(CHUNK)) else {
        unreachable!("a text string is a TStr")
    };
    let mut text = empty.try_into_mut().unwrap_or_else(|shared| shared.into());
    build(value, &mut |s| {
        text.extend_from_slice(s.as_bytes());
        Val::TStr(Box::new(text.split().freeze()))
    })
}

/// The value, its strings (keys included) made by `text`.
fn build(value: &Value, text: &mut impl FnMut(&str) -> Val) -> Val {
    match value {
        Value::Null => Val::Null,
        Value::Bool(b) => Val::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => Val::Num(jaq_json::Num::from_integral(i)),
            // Above i64: keep the digits (jaq reads them as a big integer).
            (None, Some(u), _) => Val::Num(jaq_json::Num::from_integral(u)),
            (None, None, Some(f)) => Val::from(f),
            (None, None, None) => Val::Null,
        },
        Value::String(s) if s.trim().is_empty() => Val::Null,
        Value::String(s) => text(s),
        Value::Array(items) => items.iter().map(|v| build(v, text)).collect(),
        Value::Object(map) => {
            Val::obj(map.iter().map(|(k, v)| (text(k), build(v, text))).collect())
        }
    }
}

fn compile(code: &str) -> Result<Filter, String> {
    let code = &format!("{PRELUDE}{code}");
    let funs = jaq_core::funs()
        .chain(jaq_std::funs())
        .chain(jaq_json::funs())
        .filter(|(name, _, _)| !FORBIDDEN.contains(name));
    let arena = Arena::default();
    let modules = Loader::new(library(code))
        .load(&arena, File { code, path: () })
        .map_err(|errors| load_errors(code, errors))?;
    Compiler::default()
        .with_funs(funs)
        .with_global_vars(GLOBALS.iter().copied())
        .compile(modules)
        .map_err(|errors| {
            let names: Vec<String> = errors
                .into_iter()
                .flat_map(|(_, errors)| errors)
                .map(|(name, undefined)| format!("undefined {} `{name}`", undefined.as_str()))
                .collect();
            names.join("; ")
        })
}

/// The definitions of jaq's standard library that `code` can call: those it names, and those
/// they call in turn. A program calls a handful of the ~130, and compiling all of them was most
/// of the cost of compiling a definition's expressions (once per process, on every lookup).
/// The names are read from `code`'s words, a superset of its calls; a definition left out is
/// one that nothing in the program can reach, so the program means the same.
fn library(code: &str) -> Vec<Def<&'static str>> {
    let all: Vec<Def<&'static str>> = jaq_core::defs()
        .chain(jaq_std::defs())
        .chain(jaq_json::defs())
        .filter(|def| !FORBIDDEN.contains(&def.name))
        .collect();
    let mut wanted = std::collections::HashSet::new();
    let mut todo: Vec<&str> = code
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '@'))
        .filter(|word| !word.is_empty())
        .collect();
    while let Some(name) = todo.pop() {
        if wanted.insert(name) {
            for def in all.iter().filter(|def| def.name == name) {
                calls(&def.body, &mut todo);
            }
        }
    }
    all.into_iter()
        .filter(|def| wanted.contains(def.name))
        .collect()
}

/// Every filter name a term calls (a format such as `@json` included).
fn calls<'a>(term: &Term<&'a str>, out: &mut Vec<&'a str>) {
    match term {
        Term::Id | Term::Recurse | Term::Num(_) | Term::Var(_) | Term::Break(_) => {}
        Term::Str(format, parts) => {
            out.extend(format);
            for part in parts {
                if let StrPart::Term(t) = part {
                    calls(t, out);
                }
            }
        }
        Term::Arr(t) => all_calls(t.as_deref(), out),
        Term::Obj(entries) => {
            for (key, value) in entries {
                calls(key, out);
                all_calls(value, out);
            }
        }
        Term::Neg(t) | Term::Label(_, t) => calls(t, out),
        Term::BinOp(l, op, r) => {
            if let BinaryOp::Pipe(Some(pattern)) = op {
                pattern_calls(pattern, out);
            }
            calls(l, out);
            calls(r, out);
        }
        Term::Fold(_, xs, pattern, args) => {
            calls(xs, out);
            pattern_calls(pattern, out);
            all_calls(args, out);
        }
        Term::TryCatch(t, catch) => {
            calls(t, out);
            all_calls(catch.as_deref(), out);
        }
        Term::IfThenElse(branches, otherwise) => {
            for (condition, then) in branches {
                calls(condition, out);
                calls(then, out);
            }
            all_calls(otherwise.as_deref(), out);
        }
        Term::Def(defs, t) => {
            all_calls(defs.iter().map(|def| &def.body), out);
            calls(t, out);
        }
        Term::Call(name, args) => {
            out.push(name);
            all_calls(args, out);
        }
        Term::Path(t, path) => {
            calls(t, out);
            for (part, _) in &path.0 {
                match part {
                    Part::Index(i) => calls(i, out),
                    Part::Range(from, to) => {
                        all_calls(from, out);
                        all_calls(to, out);
                    }
                }
            }
        }
    }
}

fn all_calls<'t, 'a: 't>(
    terms: impl IntoIterator<Item = &'t Term<&'a str>>,
    out: &mut Vec<&'a str>,
) {
    terms.into_iter().for_each(|t| calls(t, out));
}

fn pattern_calls<'a>(pattern: &Pattern<&'a str>, out: &mut Vec<&'a str>) {
    match pattern {
        Pattern::Var(_) => {}
        Pattern::Arr(patterns) => patterns.iter().for_each(|p| pattern_calls(p, out)),
        Pattern::Obj(entries) => entries.iter().for_each(|(key, p)| {
            calls(key, out);
            pattern_calls(p, out);
        }),
    }
}

fn load_errors<P>(code: &str, errors: jaq_core::load::Errors<&str, P>) -> String {
    use jaq_core::load::Error;
    // Offsets count from the expression as written, after the prelude.
    let at = |s: &str| {
        let offset = (s.as_ptr() as usize).saturating_sub(code.as_ptr() as usize);
        let before = code
            .get(..offset.min(code.len()))
            .map_or(0, |b| b.chars().count());
        before.saturating_sub(PRELUDE.chars().count()) + 1
    };
    let mut messages = Vec::new();
    for (_, error) in errors {
        match error {
            Error::Io(items) => messages.extend(items.into_iter().map(|(_, e)| e)),
            Error::Lex(items) => messages.extend(items.into_iter().map(|(expect, pos)| {
                format!("expected {} at character {}", expect.as_str(), at(pos))
            })),
            Error::Parse(items) => messages.extend(items.into_iter().map(|(expect, pos)| {
                format!("expected {} at character {}", expect.as_str(), at(pos))
            })),
        }
    }
    messages.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn runs_each_expression_with_settings_and_reads_lenient() {
        let p = Programs::compile(&[
            "[.display_name // .name, $settings.space_id, (.id | tostring)]",
            ".a.b",
            ".ok == true",
            "empty",
            r#".name | IN("Bo", "Ada")"#,
        ])
        .unwrap();
        let input = Programs::input(
            &json!({"id": 42, "name": "Ada", "a": 1, "ok": true}),
            &json!({"space_id": "s1"}),
        )
        .unwrap();
        assert_eq!(p.first(0, &input), Some(json!(["Ada", "s1", "42"])));
        assert_eq!(p.first(1, &input), None, "an error reads as nothing");
        assert!(p.holds(2, &input));
        assert_eq!(p.first(3, &input), None);
        assert_eq!(p.first(4, &input), Some(json!(true)), "jq's IN is there");
        assert_eq!(p.first(9, &input), None);
    }

    #[test]
    fn bodies_convert_whole_with_blank_strings_as_null() {
        let p = Programs::compile(&[".", "[.. | strings] | length", ".b[2] | keys[0]"]).unwrap();
        let body = json!({
            "a": " \u{a0}", "b": ["x", "", {"c\u{e9}": " y "}], "": 1, "e": {},
            "big": 18446744073709551615u64, "f": 1.5, "n": -3, "t": true, "z": null,
        });
        let input = Programs::input(&body, &json!({})).unwrap();
        let expected = json!({
            "a": null, "b": ["x", null, {"c\u{e9}": " y "}], "": 1, "e": {},
            "big": 18446744073709551615u64, "f": 1.5, "n": -3, "t": true, "z": null,
        });
        assert_eq!(p.first(0, &input), Some(expected));
        assert_eq!(p.first(1, &input), Some(json!(2)));
        assert_eq!(p.first(2, &input), Some(json!("c\u{e9}")));
        // More text than one chunk of the conversion's buffer, and a string longer than one.
        let long: Vec<String> = [40_000, 40_000, 100_000, 3]
            .iter()
            .enumerate()
            .map(|(i, &n)| char::from(b'a' + i as u8).to_string().repeat(n))
            .collect();
        let body = json!({"long": long, "then": "x"});
        let input = Programs::input(&body, &json!({})).unwrap();
        assert_eq!(p.first(0, &input), Some(body));
    }

    #[test]
    fn programs_compile_with_the_library_definitions_they_reach() {
        // Every definition of the library, called: all that it calls in turn is found.
        let every = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        for def in every.filter(|def| !FORBIDDEN.contains(&def.name)) {
            let call = match def.args.len() {
                0 => def.name.to_string(),
                n => format!("{}({})", def.name, vec!["."; n].join("; ")),
            };
            assert!(compile(&call).is_ok(), "{call}");
        }
        assert!(library(".").is_empty());
        assert!(library("[.[] | strings]").len() < 10);
    }

    #[test]
    fn errors_name_the_expression_what_and_where() {
        let (i, e) = Programs::compile(&[".a", ".a | nosuch"]).unwrap_err();
        assert_eq!(i, 1);
        assert!(e.contains("undefined") && e.contains("nosuch"), "{e}");
        let (i, e) = Programs::compile(&[".a |", ".b"]).unwrap_err();
        assert_eq!(i, 0);
        assert!(e.contains("expected"), "{e}");
        assert!(e.contains("at character 5"), "{e}");
        // Nothing that reads the environment, ends the process or writes past the redaction.
        for forbidden in [
            "env",
            "$ENV",
            "halt",
            "halt_error(1)",
            "input",
            "debug",
            "stderr",
        ] {
            assert!(Programs::compile(&[forbidden]).is_err(), "{forbidden}");
        }
        // One expression cannot escape its parentheses into the next.
        assert!(Programs::compile(&[".a) else (.b"]).is_err());
    }
}
