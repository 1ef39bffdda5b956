//! `-o prometheus`: the node_exporter textfile collector's format (the Prometheus text
//! exposition format), one series per account for each metric, labelled by account and
//! provider. Written to a file that node_exporter reads, it turns whoami into monitoring
//! (README, "In CI").

use std::io::{self, Write};

use crate::profile::{AccountResult, Status};

pub fn render(results: &[AccountResult], out: &mut dyn Write) -> io::Result<()> {
    let labels = |r: &AccountResult| {
        format!(
            "account=\"{}\",provider=\"{}\"",
            escape(&r.account),
            escape(&r.provider)
        )
    };
    header(
        out,
        "whoami_credential_up",
        "Whether the credential was verified by its provider (1) or not (0).",
    )?;
    for r in results {
        let up = u8::from(r.status == Status::Ok);
        writeln!(out, "whoami_credential_up{{{}}} {up}", labels(r))?;
    }
    header(
        out,
        "whoami_credential_status",
        "The outcome of the check: 1 for the status it had (ok, rejected, error), 0 for the others.",
    )?;
    for r in results {
        for status in [Status::Ok, Status::Rejected, Status::Error] {
            writeln!(
                out,
                "whoami_credential_status{{{},status=\"{}\"}} {}",
                labels(r),
                status.as_str(),
                u8::from(r.status == status)
            )?;
        }
    }
    header(
        out,
        "whoami_credential_expiry_timestamp_seconds",
        "When the credential expires (Unix seconds), for credentials whose expiry is known.",
    )?;
    for r in results {
        let expires = r
            .credential
            .as_ref()
            .and_then(|c| c.expires_at.as_deref())
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        if let Some(t) = expires {
            writeln!(
                out,
                "whoami_credential_expiry_timestamp_seconds{{{}}} {}",
                labels(r),
                t.as_second()
            )?;
        }
    }
    header(
        out,
        "whoami_check_duration_seconds",
        "How long the check of the credential took, in seconds.",
    )?;
    for r in results {
        if let Some(ms) = r.elapsed_ms {
            writeln!(
                out,
                "whoami_check_duration_seconds{{{}}} {:.3}",
                labels(r),
                ms as f64 / 1000.0
            )?;
        }
    }
    Ok(())
}

fn header(out: &mut dyn Write, name: &str, help: &str) -> io::Result<()> {
    writeln!(out, "# HELP {name} {help}")?;
    writeln!(out, "# TYPE {name} gauge")
}

/// A label value: `\`, `"` and line feeds escaped, as the exposition format requires.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
