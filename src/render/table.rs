//! Tables for people: one account → field/value rows; several → one row per account.
//! Every cell is sanitized: provider text never reaches the terminal raw.

use std::io::{self, Write};

use comfy_table::{Cell, Color, ContentArrangement, Table, presets};
use serde_json::Value;

use crate::profile::{AccountResult, Organization, Status};
use crate::sanitize;

pub fn render(
    results: &[AccountResult],
    as_list: bool,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    // Styling is only ever added to the status cell, and only when color is on; the terminal
    // width is still detected either way.
    if color {
        table.enforce_styling();
        // Color was decided already (`--color always` wins over NO_COLOR): without this the
        // styling crate, reading NO_COLOR itself, drops the colors but keeps the resets.
        crossterm::style::force_color_output(true);
    }
    match results {
        [one] if !as_list => single(&mut table, one, color),
        _ => many(&mut table, results, color),
    }
    writeln!(out, "{table}")
}

fn status_cell(status: Status, color: bool) -> Cell {
    let cell = Cell::new(status.as_str());
    if !color {
        return cell;
    }
    cell.fg(match status {
        Status::Ok => Color::Green,
        Status::Rejected => Color::Red,
        Status::Error => Color::Yellow,
    })
}

fn clean(text: &str) -> String {
    sanitize::terminal(text)
}

fn single(table: &mut Table, r: &AccountResult, color: bool) {
    table.set_header(["field", "value"]);
    // Values are sanitized line by line: a cell may hold several lines (organizations), but
    // no provider text keeps a control character.
    let mut row = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            let lines: Vec<String> = value.split('\n').map(clean).collect();
            table.add_row([Cell::new(name), Cell::new(lines.join("\n"))]);
        }
    };
    row("account", Some(r.account.clone()));
    row("provider", Some(r.provider.clone()));
    row("endpoint", r.endpoint.clone());
    row("status", Some(String::new()));
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
        if !p.organizations.is_empty() {
            let orgs: Vec<String> = p
                .organizations
                .iter()
                .map(|o| clean(&organization(o)))
                .collect();
            row("organizations", Some(orgs.join("\n")));
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
    if let Some(raw) = &r.raw {
        row("raw", Some(raw.to_string()));
    }
    // The status cell is colored, so it is set apart from the plain rows.
    let status_row = if r.endpoint.is_some() { 3 } else { 2 };
    if let Some(row) = table.row_mut(status_row) {
        *row = comfy_table::Row::from([Cell::new("status"), status_cell(r.status, color)]);
    }
}

fn many(table: &mut Table, results: &[AccountResult], color: bool) {
    table.set_header([
        "account",
        "provider",
        "status",
        "id",
        "name",
        "email",
        "organization / role",
        "expires",
    ]);
    for r in results {
        let p = r.profile.as_ref();
        let text = |v: Option<&String>| clean(v.map(String::as_str).unwrap_or(""));
        let detail = match (&r.error, p) {
            (Some(e), _) if r.status != Status::Ok || p.is_none() => {
                format!("{}: {}", kind_name(e.kind), e.message)
            }
            _ => p
                .and_then(|p| p.organizations.first())
                .map(organization)
                .unwrap_or_default(),
        };
        table.add_row([
            Cell::new(clean(&r.account)),
            Cell::new(&r.provider),
            status_cell(r.status, color),
            Cell::new(text(p.and_then(|p| p.id.as_ref()))),
            Cell::new(text(p.and_then(|p| p.display_name.as_ref()))),
            Cell::new(text(p.and_then(|p| p.email.as_ref()))),
            Cell::new(clean(&detail)),
            Cell::new(text(
                r.credential.as_ref().and_then(|c| c.expires_at.as_ref()),
            )),
        ]);
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
