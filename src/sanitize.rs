//! Makes provider text safe for a terminal (README, "Security").
//!
//! A profile field is text written by whoever controls the account or the server. Printed
//! raw, an escape sequence could retitle the terminal, hide lines or forge output. Whole
//! escape sequences (CSI and OSC, with their parameters) are removed, then every other control
//! character (C0, DEL, C1) and the invisible marks that reorder or hide text (bidirectional
//! overrides, zero-width characters). Tabs and line breaks become a space so words stay apart.
//!
//! JSON and YAML output does not go through here: those are for programs, and their
//! serializers escape what their formats require.

/// [`terminal`], without a copy when the text has nothing to take out (every character it
/// removes or replaces is invisible).
pub fn terminal_cow(text: &str) -> std::borrow::Cow<'_, str> {
    // Printable ASCII, most text, has nothing to take out: no look at each character.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return std::borrow::Cow::Borrowed(text);
    }
    match text.chars().any(is_invisible) {
        true => std::borrow::Cow::Owned(terminal(text)),
        false => std::borrow::Cow::Borrowed(text),
    }
}

/// Returns `text` with escape sequences, control characters and invisible marks removed.
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        match c {
            '\u{1b}' | '\u{9b}' | '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => {
                i += escape_len(&text[i..]);
                continue;
            }
            '\t' | '\n' | '\r' => out.push(' '),
            c if is_invisible(c) => {}
            c => out.push(c),
        }
        i += c.len_utf8();
    }
    out
}

/// Characters a terminal does not show as themselves: controls (C0, DEL, C1) and Unicode's
/// default-ignorable code points (zero-width, joiner, bidirectional-override, variation
/// selector, tag and byte-order marks), which can reorder or hide what is shown around them.
pub fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{115f}'..='\u{1160}'
                | '\u{17b4}'..='\u{17b5}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{3164}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{ffa0}'
                | '\u{fff0}'..='\u{fffb}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

/// The length in bytes of the escape sequence at the start of `rest` (which starts with ESC
/// or a C1 introducer): CSI with its parameters, OSC/DCS-style strings up to their
/// terminator, or a two-character escape.
pub fn escape_len(rest: &str) -> usize {
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else {
        return 0;
    };
    let after = first.len_utf8();
    match first {
        '\u{9b}' => after + csi_len(&rest[after..]),
        '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => after + string_len(&rest[after..]),
        _ => match chars.next() {
            Some((at, '[')) => at + 1 + csi_len(&rest[at + 1..]),
            Some((at, ']' | 'P' | 'X' | '^' | '_')) => at + 1 + string_len(&rest[at + 1..]),
            // Two-character escapes (ESC c, ESC 7, …): both go.
            Some((at, c)) => at + c.len_utf8(),
            None => after,
        },
    }
}

/// CSI: parameters and intermediates (0x20–0x3F), then one final byte (0x40–0x7E).
fn csi_len(rest: &str) -> usize {
    for (at, c) in rest.char_indices() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !(' '..='\u{7e}').contains(&c) {
            return at + c.len_utf8();
        }
    }
    rest.len()
}

/// OSC, DCS and friends: everything up to BEL, ST (ESC \) or the C1 ST.
fn string_len(rest: &str) -> usize {
    let mut chars = rest.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return at + c.len_utf8(),
            '\u{1b}' => {
                return match chars.peek() {
                    Some((_, '\\')) => at + 2,
                    _ => at + 1,
                };
            }
            _ => {}
        }
    }
    rest.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn removes_sequences_whole() {
        assert_eq!(terminal("a\u{1b}[31;1mred\u{1b}[0m b"), "ared b");
        assert_eq!(terminal("x\u{1b}]0;pwned title\u{7}y"), "xy");
        assert_eq!(
            terminal("x\u{1b}]8;;http://e.vil\u{1b}\\link\u{1b}]8;;\u{1b}\\"),
            "xlink"
        );
        assert_eq!(terminal("c1\u{9b}2Jcsi"), "c1csi");
        assert_eq!(terminal("bell\u{7}del\u{7f}nul\u{0}"), "belldelnul");
        assert_eq!(terminal("two\nlines\ttab"), "two lines tab");
        assert_eq!(terminal("Ünïcødé ok"), "Ünïcødé ok");
        assert_eq!(
            terminal("evil\u{202e}txt.exe\u{2066}x\u{200b}y"),
            "eviltxt.exexy"
        );
        assert_eq!(terminal("bom\u{feff}"), "bom");
        assert_eq!(terminal("t\u{e0041}a\u{fe00}g\u{180b}s\u{206a}"), "tags");
    }

    proptest! {
        #[test]
        fn never_leaves_a_control_character(s in any::<String>()) {
            let clean = terminal(&s);
            prop_assert!(!clean.chars().any(is_invisible));
        }

        #[test]
        fn borrows_only_what_needs_nothing_taken_out(s in any::<String>()) {
            let cow = terminal_cow(&s);
            prop_assert_eq!(&*cow, terminal(&s));
            prop_assert_eq!(matches!(cow, std::borrow::Cow::Borrowed(_)), terminal(&s) == s);
        }
    }
}
