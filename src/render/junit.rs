//! JUnit XML for CI test reporters (GitLab, Jenkins, GitHub): one test case per account; a
//! rejected credential is a `<failure>`, a could-not-tell is an `<error>`.
//!
//! Written by hand: the format is a handful of elements, and every value goes through
//! [`escape`], which also drops characters XML 1.0 cannot carry.

use std::io::{self, Write};

use crate::profile::{AccountResult, Status};

pub fn render(results: &[AccountResult], out: &mut dyn Write) -> io::Result<()> {
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    let (failures, errors) = (count(Status::Rejected), count(Status::Error));
    let seconds: f64 = results
        .iter()
        .filter_map(|r| r.elapsed_ms)
        .map(|ms| ms as f64 / 1000.0)
        .sum();
    let timestamp = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="whoami" tests="{}" failures="{failures}" errors="{errors}" time="{seconds:.3}">"#,
        results.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="whoami" tests="{}" failures="{failures}" errors="{errors}" skipped="0" time="{seconds:.3}" timestamp="{timestamp}">"#,
        results.len()
    )?;
    for r in results {
        let time = r.elapsed_ms.unwrap_or(0) as f64 / 1000.0;
        writeln!(
            out,
            r#"    <testcase name="{}" classname="whoami.{}" time="{time:.3}">"#,
            escape(&r.account),
            escape(&r.provider)
        )?;
        if let Some(e) = &r.error {
            let tag = if r.status == Status::Rejected {
                "failure"
            } else {
                "error"
            };
            let kind = serde_json::to_value(e.kind).unwrap_or_default();
            let kind = kind.as_str().unwrap_or_default();
            writeln!(
                out,
                r#"      <{tag} type="{kind}" message="{}">{}</{tag}>"#,
                escape(&e.message),
                escape(&format!(
                    "{}: {}: {}",
                    r.account,
                    r.status.as_str(),
                    e.message
                ))
            )?;
        }
        if let Some(p) = &r.profile {
            let who = [
                p.id.as_deref(),
                p.display_name.as_deref(),
                p.email.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            writeln!(out, "      <system-out>{}</system-out>", escape(&who))?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// The document for a run that stopped before checking anything (a usage or configuration
/// error, exit 2): one test case, in error, naming every problem, so a CI test reporter shows
/// why the job failed instead of an empty or missing report.
pub fn configuration_error(messages: &[String], out: &mut dyn Write) -> io::Result<()> {
    let first = messages.first().map(String::as_str).unwrap_or("");
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="whoami" tests="1" failures="0" errors="1" time="0.000">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="whoami" tests="1" failures="0" errors="1" skipped="0" time="0.000">"#
    )?;
    writeln!(
        out,
        r#"    <testcase name="configuration" classname="whoami.configuration" time="0.000">"#
    )?;
    writeln!(
        out,
        r#"      <error type="configuration_error" message="{}">{}</error>"#,
        escape(first),
        messages
            .iter()
            .map(|m| escape(m))
            .collect::<Vec<_>>()
            .join("&#10;")
    )?;
    writeln!(out, "    </testcase>")?;
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// XML-escapes text for both attributes and content, dropping control characters.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in crate::sanitize::terminal(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(
            escape("a<b>&\"c'\u{1b}[31m\u{0}"),
            "a&lt;b&gt;&amp;&quot;c&apos;"
        );
    }
}
