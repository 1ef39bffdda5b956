//! jq programs, compiled once and run many times, through the maintained `jaq` crates.
//!
//! Provider definitions map a body to a profile with jq expressions; this module is the one
//! place that knows the engine. A program sees the body as `.` and the account's settings as
//! `$settings`. Running never fails loudly: a definition's mapping is lenient by design (a
//! provider that drops a field still verified the identity), so an error or an empty output
//! reads as `null`.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde::Deserialize;
use serde_json::Value;

type Data = data::JustLut<Val>;

/// A compiled jq program.
pub struct Program {
    filter: jaq_core::compile::Filter<jaq_core::Native<Data>>,
    source: String,
}

impl std::fmt::Debug for Program {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Program({:?})", self.source)
    }
}

/// The global variables every program may use, in the order [`Program::first`] binds them.
const GLOBALS: &[&str] = &["$settings"];

impl Program {
    /// Compiles `code`; the error says what is wrong and where (a character offset).
    pub fn compile(code: &str) -> Result<Program, String> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| load_errors(code, errors))?;
        let filter = Compiler::default()
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
            })?;
        Ok(Program {
            filter,
            source: code.to_string(),
        })
    }

    /// The program as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The first output of the program on `input`, or `None` when it has none or fails.
    pub fn first(&self, input: &Value, settings: &Value) -> Option<Value> {
        let input = Val::deserialize(input).ok()?;
        let settings = Val::deserialize(settings).ok()?;
        let ctx = Ctx::<Data>::new(&self.filter.lut, Vars::new([settings]));
        let out = self.filter.id.run((ctx, input)).map(unwrap_valr).next()?;
        let out = out.ok()?;
        // jaq prints its values as JSON; numbers and strings keep their JSON form.
        serde_json::from_str(&out.to_string()).ok()
    }

    /// Whether the program's first output is truthy (neither `null` nor `false`).
    pub fn holds(&self, input: &Value, settings: &Value) -> bool {
        !matches!(
            self.first(input, settings),
            None | Some(Value::Null) | Some(Value::Bool(false))
        )
    }
}

fn load_errors<P>(code: &str, errors: jaq_core::load::Errors<&str, P>) -> String {
    use jaq_core::load::Error;
    let at = |s: &str| {
        let offset = (s.as_ptr() as usize).saturating_sub(code.as_ptr() as usize);
        code.get(..offset.min(code.len()))
            .map_or(0, |before| before.chars().count())
            + 1
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
    fn runs_with_settings_and_reads_lenient() {
        let p =
            Program::compile(r#"[.display_name // .name, $settings.space_id, (.id | tostring)]"#)
                .unwrap();
        assert_eq!(
            p.first(
                &json!({"id": 42, "name": "Ada"}),
                &json!({"space_id": "s1"})
            ),
            Some(json!(["Ada", "s1", "42"]))
        );
        let failing = Program::compile(".a.b").unwrap();
        assert_eq!(failing.first(&json!({"a": 1}), &json!({})), None);
        assert!(
            Program::compile(".ok == true")
                .unwrap()
                .holds(&json!({"ok": true}), &json!({}))
        );
        assert!(
            !Program::compile(".ok")
                .unwrap()
                .holds(&json!({}), &json!({}))
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = Program::compile(".a | nosuch").unwrap_err();
        assert!(e.contains("undefined") && e.contains("nosuch"), "{e}");
        let e = Program::compile(".a |").unwrap_err();
        assert!(e.contains("expected"), "{e}");
    }
}
