//! `-o github`: GitHub Actions workflow commands, so each account shows as an annotation on
//! the run without a reporter action: `::notice` for a verified credential, `::error` for one
//! that is rejected or could not be checked.
//!
//! Every value is escaped the way the runner reads it (`%`, CR and LF in the message; also `:`
//! and `,` in the title), so no provider text can end the command or start another one.

use std::io::{self, Write};

use crate::profile::{AccountResult, Status};

pub fn render(results: &[AccountResult], out: &mut dyn Write) -> io::Result<()> {
    for r in results {
        let title = format!("whoami {} ({})", r.account, r.provider);
        let (command, message) = match (r.status, &r.error) {
            (Status::Ok, _) => ("notice", format!("ok: {}", who(r))),
            (status, Some(e)) => {
                let verdict = match status {
                    Status::Rejected => "rejected",
                    _ => "could not tell",
                };
                let kind = serde_json::to_value(e.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                ("error", format!("{verdict} ({kind}): {}", e.message))
            }
            (_, None) => ("error", "could not tell".to_string()),
        };
        writeln!(
            out,
            "::{command} title={}::{}",
            property(&title),
            data(&crate::sanitize::terminal(&message))
        )?;
    }
    Ok(())
}

/// Who a verified credential belongs to, in a few words.
fn who(r: &AccountResult) -> String {
    let Some(p) = &r.profile else {
        return "verified".into();
    };
    let name = p
        .email
        .as_deref()
        .or(p.username.as_deref())
        .or(p.display_name.as_deref())
        .or(p.id.as_deref())
        .unwrap_or("verified");
    match (&p.display_name, name) {
        (Some(d), n) if d != n => format!("{n} ({d})"),
        _ => name.to_string(),
    }
}

/// A command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_a_provider_sends_can_start_another_command() {
        assert_eq!(data("a\n::add-mask::x%"), "a%0A::add-mask::x%25");
        assert_eq!(property("a:b,c\r"), "a%3Ab%2Cc%0D");
    }
}
