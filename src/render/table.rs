//! Tables for people: one account → field/value rows; several → one row per account.
//! Every cell is sanitized: provider text never reaches the terminal raw.

use std::io::{self, Write};

use serde_json::Value;

use super::columns::{self, Column};
use crate::profile::{AccountResult, Organization, Status};
use crate::sanitize;

pub fn render(
    results: &[AccountResult],
    as_list: bool,
    color: bool,
    terminal: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    match results {
        // On a terminal a long value is cut to fit; in a pipe every value is whole.
        [one] if !as_list => single(
            one,
            color,
            terminal.then(|| columns::terminal_width(true)),
            out,
        ),
        _ => many(results, color, columns::terminal_width(terminal), out),
    }
}

fn clean(text: &str) -> String {
    sanitize::terminal(text)
}

/// [`clean`], keeping the text itself when there is nothing to take out.
fn clean_owned(text: String) -> String {
    match sanitize::terminal_cow(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(cleaned) => cleaned,
    }
}

/// One account: a field and its value per line, fitted to `width` when there is one.
fn single(
    r: &AccountResult,
    color: bool,
    width: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    const COLUMNS: [Column; 2] = [
        Column {
            header: "FIELD",
            min: Some(12),
        },
        Column {
            header: "VALUE",
            min: Some(16),
        },
    ];
    let mut rows: Vec<Vec<columns::Cell>> = Vec::new();
    // A value of several lines (organizations) takes a line each, sanitized line by line: no
    // provider text keeps a control character.
    let mut row = |name: &str, value: Option<String>| {
        // One line with nothing to take out (most values): kept as it is.
        if let Some(text) = &value
            && !text.chars().any(sanitize::is_invisible)
        {
            let name = clean(name);
            let whole = matches!(name.as_str(), "raw" | "error");
            rows.push(vec![
                name.into(),
                columns::Cell {
                    text: value.unwrap_or_default().into(),
                    color: None,
                    whole,
                },
            ]);
            return;
        }
        for (i, line) in value.iter().flat_map(|v| v.split('\n')).enumerate() {
            let name = if i == 0 { clean(name) } else { String::new() };
            // What was asked for whole (`--raw`) and why it failed are never cut.
            let whole = matches!(name.as_str(), "raw" | "error");
            rows.push(vec![
                name.into(),
                columns::Cell {
                    text: clean(line).into(),
                    color: None,
                    whole,
                },
            ]);
        }
    };
    row("account", Some(r.account.clone()));
    row("provider", Some(r.provider.clone()));
    row("endpoint", r.endpoint.clone());
    row("status", Some(r.status.as_str().to_string()));
    row("http status", r.http_status.map(|s| s.to_string()));
    row("elapsed", r.elapsed_ms.map(|ms| format!("{ms} ms")));
    if let Some(c) = &r.credential {
        let hint = c
            .hint
            .as_deref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        row("credential", Some(format!("{}{hint}", c.source)));
        row("expires", c.expires_at.clone());
    }
    if let Some(p) = &r.profile {
        row("id", p.id.clone());
        row("username", p.username.clone());
        row("name", p.display_name.clone());
        row("first name", p.first_name.clone());
        row("last name", p.last_name.clone());
        let verified = match p.email_verified {
            Some(true) => " (verified)",
            Some(false) => " (not verified)",
            None => "",
        };
        row("email", p.email.as_ref().map(|e| format!("{e}{verified}")));
        row("phone", p.phone.clone());
        row("avatar", p.avatar_url.clone());
        row("locale", p.locale.clone());
        row("created", p.created_at.clone());
        row("updated", p.updated_at.clone());
        // A line each, without the list ever being one text.
        for (i, o) in p.organizations.iter().enumerate() {
            let name = if i == 0 { "organizations" } else { "" };
            row(name, Some(clean_owned(organization(o))));
        }
        row("mfa", p.mfa.map(|m| m.to_string()));
        for (key, value) in &p.extra {
            row(&format!("extra.{key}"), Some(scalar(value)));
        }
    }
    if let Some(e) = &r.error {
        row(
            "error",
            Some(format!("{}: {}", kind_name(e.kind), e.message)),
        );
    }
    // The answer is one line of JSON (its line breaks are escaped), shown without a copy
    // unless a character in it must be taken out.
    if let Some(raw) = &r.raw {
        rows.push(vec![
            "raw".to_string().into(),
            columns::Cell {
                text: sanitize::terminal_cow(raw.as_str()),
                color: None,
                whole: true,
            },
        ]);
    }
    if let Some(status) = rows.iter_mut().find(|row| row[0].text == "status") {
        status[1].color = color.then(|| status_color(r.status));
    }
    // The header says nothing a field name does not.
    columns::write(&COLUMNS, &rows, width.unwrap_or(usize::MAX), false, out)
}

/// Several accounts: one line each, fitted to `width`.
fn many(
    results: &[AccountResult],
    color: bool,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    const COLUMNS: [Column; 6] = [
        Column {
            header: "ACCOUNT",
            min: Some(8),
        },
        Column {
            header: "PROVIDER",
            min: None,
        },
        Column {
            header: "STATUS",
            min: None,
        },
        Column {
            header: "EXPIRES",
            min: None,
        },
        Column {
            header: "WHO",
            min: Some(8),
        },
        // The error kind, at least, stays readable: `invalid_credential:`.
        Column {
            header: "DETAIL",
            min: Some(19),
        },
    ];
    let rows: Vec<Vec<columns::Cell>> = results
        .iter()
        .map(|r| {
            let p = r.profile.as_ref();
            // Who the credential belongs to, in one word: the email, else the user name,
            // the display name or the id.
            let who = p
                .and_then(|p| {
                    p.email
                        .as_ref()
                        .or(p.username.as_ref())
                        .or(p.display_name.as_ref())
                        .or(p.id.as_ref())
                })
                .map(|w| clean(w))
                .unwrap_or_default();
            // What matters next: why it is not ok, else where the identity belongs.
            let detail = match (&r.error, p) {
                (Some(e), _) if r.status != Status::Ok || p.is_none() => {
                    format!("{}: {}", kind_name(e.kind), short(&e.message))
                }
                _ => p
                    .map(|p| match p.organizations.as_slice() {
                        [] => String::new(),
                        [one] => organization(one),
                        [first, rest @ ..] => {
                            format!("{} (+{} more)", organization(first), rest.len())
                        }
                    })
                    .unwrap_or_default(),
            };
            let expires = r
                .credential
                .as_ref()
                .and_then(|c| c.expires_at.as_deref())
                .map(|at| at.get(..10).unwrap_or(at).to_string())
                .unwrap_or_default();
            vec![
                clean(&r.account).into(),
                clean(&r.provider).into(),
                columns::Cell {
                    text: r.status.as_str().to_string().into(),
                    color: color.then(|| status_color(r.status)),
                    whole: false,
                },
                clean(&expires).into(),
                who.into(),
                clean(&detail).into(),
            ]
        })
        .collect();
    columns::write(&COLUMNS, &rows, width, true, out)
}

/// A message without its `HTTP 401: ` (the kind beside it says as much): a line has little room.
fn short(message: &str) -> &str {
    match message.split_once(": ") {
        Some((status, rest))
            if status.len() == 8
                && status.starts_with("HTTP ")
                && status[5..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            rest
        }
        _ => message,
    }
}

/// The ANSI color of a status: green, red or yellow.
fn status_color(status: Status) -> &'static str {
    match status {
        Status::Ok => "32",
        Status::Rejected => "31",
        Status::Error => "33",
    }
}

fn organization(o: &Organization) -> String {
    let name = match (&o.name, &o.id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (Some(name), None) => name.clone(),
        (None, Some(id)) => id.clone(),
        (None, None) => "?".into(),
    };
    match &o.role {
        Some(role) => format!("{name}: {role}"),
        None => name,
    }
}

fn kind_name(kind: crate::profile::ErrorKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn one_account_is_cut_to_the_terminal_and_whole_in_a_pipe() {
        let email = "ada.lovelace-analytical-engine@operations.example.org";
        let result = AccountResult {
            profile: Some(Profile {
                email: Some(email.into()),
                organizations: vec![
                    Organization {
                        name: Some("Acme".into()),
                        ..Default::default()
                    },
                    Organization {
                        name: Some("Beta".into()),
                        ..Default::default()
                    },
                ],
                // A key chosen by a server, through a user's definition.
                extra: [("evil\u{1b}]0;title\u{7}\nkey".to_string(), "v".into())]
                    .into_iter()
                    .collect(),
                ..Default::default()
            }),
            raw: Some(crate::raw::Raw::from_value(
                &serde_json::json!({"email": email, "note": "x".repeat(80)}),
            )),
            ..AccountResult::example("prod")
        };
        let print = |color: bool, width: Option<usize>| {
            let mut out = Vec::new();
            single(&result, color, width, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let piped = print(false, None);
        assert!(
            !piped.contains('\u{1b}') && piped.lines().count() == 9,
            "{piped:?}"
        );
        assert!(piped.contains("\nextra.evil key  v\n"), "{piped}");
        assert!(piped.starts_with("account         prod\n"), "{piped}");
        assert!(
            piped.contains(&format!("email           {email}\n")),
            "{piped}"
        );
        assert!(
            piped.contains("organizations   Acme\n                Beta\n"),
            "{piped}"
        );
        let fitted = print(false, Some(40));
        for line in fitted.lines().filter(|l| !l.starts_with("raw ")) {
            assert!(line.width() <= 40, "{line:?}");
        }
        assert!(fitted.contains(&"x".repeat(80)), "--raw is whole: {fitted}");
        assert!(
            fitted.contains("email           ada.lovelace-analytical…\n"),
            "{fitted}"
        );
        let colored = print(true, Some(40));
        assert!(
            colored.contains("status          \u{1b}[32mok\u{1b}[0m\n"),
            "{colored}"
        );
    }
}
