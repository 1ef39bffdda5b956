//! Makes provider text safe for a terminal (SPEC §7).
//!
//! A profile field is text written by whoever controls the account or the server. Printed
//! raw, an escape sequence could retitle the terminal, hide lines or forge output. Whole
//! escape sequences (CSI and OSC, with their parameters) are removed, then every other control
//! character (C0, DEL, C1). Tabs and line breaks become a space so words stay apart.
//!
//! JSON and YAML output does not go through here: those are for programs, and their
//! serializers escape what their formats require.

/// Returns `text` with escape sequences and control characters removed.
pub fn terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']') | Some('P') | Some('X') | Some('^') | Some('_') => {
                    skip_string(&mut chars)
                }
                // Two-character escapes (ESC c, ESC 7, …): drop both.
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' | '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// CSI: parameters and intermediates (0x20–0x3F), then one final byte (0x40–0x7E).
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) || !(' '..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// OSC, DCS and friends: everything up to BEL, ST (ESC \) or the C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
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
    }

    proptest! {
        #[test]
        fn never_leaves_a_control_character(s in any::<String>()) {
            let clean = terminal(&s);
            prop_assert!(!clean.chars().any(|c| c.is_control()));
        }
    }
}
