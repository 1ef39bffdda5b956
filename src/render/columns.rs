//! Plain columns that fit the terminal, one line per row (as `kubectl get` prints them): a
//! header, then the rows, columns two spaces apart. A column that is empty in every row is
//! left out; when the lines are wider than the terminal, the columns that may shrink give up
//! width (the roomiest first) and their cut cells end in `…`. Nothing wraps.
//!
//! Cells are terminal-sanitized text; widths are display columns (a CJK character takes two).

use std::borrow::Cow;
use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// A column: its header, and the narrowest it may become (`None`: it never shrinks).
pub struct Column {
    pub header: &'static str,
    pub min: Option<usize>,
}

/// A cell, and the color its text is shown in (an ANSI SGR code such as `32`), if any.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cell<'a> {
    /// Borrowed where the text is already there (a `--raw` answer is not copied to be shown).
    pub text: Cow<'a, str>,
    pub color: Option<&'static str>,
    /// Never cut, however wide (a value asked for whole, such as `--raw`): the terminal wraps
    /// it, and the widths of the other lines leave it out.
    pub whole: bool,
}

impl From<String> for Cell<'_> {
    fn from(text: String) -> Self {
        Cell {
            text: Cow::Owned(text),
            ..Cell::default()
        }
    }
}

/// Writes the table (the header line first when `header`), each line at most `width` columns
/// when the columns can shrink that far. Lines are written as they are formed, and a cell
/// that is whole is written as it is: a long table or a long value is never held twice.
pub fn write(
    columns: &[Column],
    rows: &[Vec<Cell>],
    width: usize,
    header: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut out = super::Gathered::new(out);
    let shown: Vec<usize> = (0..columns.len())
        .filter(|&c| {
            rows.iter()
                .any(|row| row.get(c).is_some_and(|cell| !cell.text.is_empty()))
        })
        .collect();
    let mut widths: Vec<usize> = shown
        .iter()
        .map(|&c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .filter(|cell| !cell.whole)
                .map(|cell| cell.text.width())
                .chain([columns[c].header.width()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let gaps = 2 * shown.len().saturating_sub(1);
    // The column with the most room above its minimum gives up a column at a time (the
    // earlier one on a tie), so the columns that shrink keep alike room above their minimums.
    let mut excess = (widths.iter().sum::<usize>() + gaps).saturating_sub(width);
    while excess > 0 {
        let roomiest = shown
            .iter()
            .enumerate()
            .filter_map(|(i, &c)| Some((i, widths[i].checked_sub(columns[c].min?)?)))
            .filter(|&(_, room)| room > 0)
            .max_by_key(|&(i, room)| (room, std::cmp::Reverse(i)));
        let Some((i, _)) = roomiest else { break };
        widths[i] -= 1;
        excess -= 1;
    }
    let none = Cell::default();
    let last = shown.len().saturating_sub(1);
    let mut line = |cells: &[Cell]| -> io::Result<()> {
        for (i, (&c, width)) in shown.iter().zip(&widths).enumerate() {
            let cell = cells.get(c).unwrap_or(&none);
            let text = match cell.whole {
                true => Cow::Borrowed(&*cell.text),
                false => fit(&cell.text, *width),
            };
            match cell.color {
                Some(code) => write!(out, "\u{1b}[{code}m{text}\u{1b}[0m")?,
                None => out.write_all(text.as_bytes())?,
            }
            if i != last {
                let mut pad = width.saturating_sub(text.width()) + 2;
                const SPACES: &[u8] = b"                                ";
                while pad > 0 {
                    let n = pad.min(SPACES.len());
                    out.write_all(&SPACES[..n])?;
                    pad -= n;
                }
            }
        }
        out.write_all(b"\n")
    };
    if header {
        // Cells are found by column index, in the header as in every row.
        let header: Vec<Cell> = columns
            .iter()
            .map(|column| column.header.to_string().into())
            .collect();
        line(&header)?;
    }
    rows.iter().try_for_each(|row| line(row))?;
    out.done()
}

/// `text` in at most `width` columns: cut, with `…` as its last column, when longer.
pub fn fit(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    Cow::Owned(out)
}

/// The width to fit: `COLUMNS` when set to a number, else the terminal's when stdout is one,
/// else 80.
pub fn terminal_width(terminal: bool) -> usize {
    if let Some(columns) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|&c| c > 0)
    {
        return columns;
    }
    if terminal
        && let Some((terminal_size::Width(columns), _)) =
            terminal_size::terminal_size_of(std::io::stdout())
    {
        return usize::from(columns).max(1);
    }
    80
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lines [`write`] writes.
    fn layout(columns: &[Column], rows: &[Vec<Cell>], width: usize) -> Vec<String> {
        let mut out = Vec::new();
        write(columns, rows, width, true, &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn cells(texts: &[&str]) -> Vec<Cell<'static>> {
        texts.iter().map(|t| Cell::from(t.to_string())).collect()
    }

    const COLUMNS: [Column; 4] = [
        Column {
            header: "ACCOUNT",
            min: Some(8),
        },
        Column {
            header: "STATUS",
            min: None,
        },
        Column {
            header: "WHO",
            min: Some(10),
        },
        Column {
            header: "DETAIL",
            min: Some(10),
        },
    ];

    #[test]
    fn rows_fit_the_width_and_shrink_the_roomiest_columns_first() {
        let rows = vec![
            cells(&["prod", "ok", "ada@example.org", "Acme (1): administrator"]),
            cells(&[
                "staging-eu-west",
                "rejected",
                "",
                "invalid_credential: HTTP 401: Invalid Access Token",
            ]),
        ];
        let wide = layout(&COLUMNS, &rows, 200);
        assert_eq!(
            wide[0],
            "ACCOUNT          STATUS    WHO              DETAIL"
        );
        assert!(wide[2].ends_with("Invalid Access Token"), "{wide:?}");
        let narrow = layout(&COLUMNS, &rows, 60);
        for line in &narrow {
            assert!(line.width() <= 60, "{line:?} is {} wide", line.width());
        }
        assert!(narrow[2].ends_with('…'), "{narrow:?}");
        assert!(
            narrow[1].contains("ada@example.org"),
            "WHO keeps its width: {narrow:?}"
        );
        // Down to every minimum, and no further.
        let tiny = layout(&COLUMNS, &rows, 20);
        assert_eq!(tiny[1], "prod      ok        ada@examp…  Acme (1):…");
        assert_eq!(tiny[2], "staging…  rejected              invalid_c…");
    }

    #[test]
    fn empty_columns_are_left_out_and_colors_do_not_count() {
        let mut rows = vec![
            cells(&["a", "ok", "", "x"]),
            cells(&["b", "error", "", "y"]),
        ];
        rows[0][1].color = Some("32");
        let lines = layout(&COLUMNS, &rows, 80);
        assert_eq!(lines[0], "ACCOUNT  STATUS  DETAIL");
        assert_eq!(lines[1], "a        \u{1b}[32mok\u{1b}[0m      x");
        assert_eq!(lines[2], "b        error   y");
    }

    #[test]
    fn text_is_cut_by_display_width() {
        assert_eq!(fit("ada@example.org", 8), "ada@exa…");
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        assert_eq!(fit("short", 5), "short");
        assert_eq!(fit("x", 0), "");
    }
}
