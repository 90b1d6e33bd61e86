//! The UCI file syntax as libuci's `file.c` reads it, tokenized with byte spans so that a file
//! can be edited in place.
//!
//! libuci reads a file line by line. A line holds commands (`package`, `config`, `option`,
//! `list`, or their one-letter forms) separated by `;`; each command takes shell-like
//! arguments: `'single'` quotes (no escapes), `"double"` quotes and bare words (a backslash
//! takes the next character literally), pieces glued together (`'a'"b"c` is `abc`). A
//! backslash at the end of a line continues the line; a quote left open continues on the next
//! line and the line break becomes part of the value. `#` at the start of an argument or inside
//! a bare word starts a comment that runs to the end of the line.
//!
//! One deliberate difference: libuci loses the rest of a line after a bare word that ends
//! directly in `;` (`option a b;option c d` — it overwrites the `;` with the string terminator);
//! here `;` always separates commands. cwmpd never writes `;`.

use std::ops::Range;

/// A command word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    Package,
    Config,
    Option,
    List,
}

/// One argument after quote removal, with the bytes it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Arg {
    pub value: String,
    pub span: Range<usize>,
}

/// One command with its arguments (empty optional arguments are dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Statement {
    pub command: Command,
    pub args: Vec<Arg>,
    /// From the command word to the end of its last argument, or past the `;` (and the blanks
    /// after it) that ended it.
    pub span: Range<usize>,
    /// The logical line the statement is on: physical lines joined by continuations and
    /// multi-line quotes, including the final line break.
    pub line: Range<usize>,
    /// Other statements share the logical line (`config a b; option c d`).
    pub shares_line: bool,
    /// 1-based number of the physical line where the statement starts.
    pub line_number: usize,
}

/// A syntax error: libuci's reason text and the 1-based line it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub line: usize,
    pub reason: &'static str,
}

pub(crate) const INVALID_COMMAND: &str = "invalid command";
pub(crate) const INSUFFICIENT_ARGUMENTS: &str = "insufficient arguments";
pub(crate) const TOO_MANY_ARGUMENTS: &str = "too many arguments";
pub(crate) const UNTERMINATED_SINGLE: &str = "EOF with unterminated '";
pub(crate) const UNTERMINATED_DOUBLE: &str = "EOF with unterminated \"";

/// Split `text` into statements. Comments and blank lines produce none.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    let mut tokenizer = Tokenizer::new(text);
    let mut statements = Vec::new();
    while !tokenizer.at_end() {
        let line_start = tokenizer.pos;
        let first = statements.len();
        tokenizer.logical_line(&mut statements)?;
        let count = statements.len() - first;
        for statement in &mut statements[first..] {
            statement.line = line_start..tokenizer.pos;
            statement.shares_line = count > 1;
        }
    }
    Ok(statements)
}

/// Read one argument the way libuci reads a line of a delta file (`uci_parse_argument`).
/// Returns the value and the rest of the line after it.
pub(crate) fn parse_single_argument(line: &str) -> Result<(String, &str), SyntaxError> {
    let mut tokenizer = Tokenizer::new(line);
    let arg = tokenizer.next_arg()?;
    let rest = &line[tokenizer.pos..];
    Ok((arg.map(|arg| arg.value).unwrap_or_default(), rest))
}

struct Tokenizer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    /// The current command has ended (end of line, comment or `;`): no more arguments.
    command_ended: bool,
    /// ... and it was a `;`, so another command may follow on the line.
    ended_by_semicolon: bool,
}

impl<'a> Tokenizer<'a> {
    fn new(text: &'a str) -> Tokenizer<'a> {
        Tokenizer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            command_ended: false,
            ended_by_semicolon: false,
        }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<u8> {
        self.bytes.get(self.pos + offset).copied()
    }

    fn at_line_end(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n'))
    }

    fn line_number_at(&self, pos: usize) -> usize {
        1 + self.bytes[..pos].iter().filter(|&&b| b == b'\n').count()
    }

    fn error_at(&self, pos: usize, reason: &'static str) -> SyntaxError {
        SyntaxError {
            line: self.line_number_at(pos),
            reason,
        }
    }

    /// Blanks inside a line (C's `isspace` without the line break).
    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | 0x0b | 0x0c)) {
            self.pos += 1;
        }
    }

    /// Skip a comment or whatever is left of the line, and the line break.
    fn finish_line(&mut self) {
        while !self.at_line_end() {
            self.pos += 1;
        }
        if self.peek() == Some(b'\n') {
            self.pos += 1;
        }
    }

    fn logical_line(&mut self, out: &mut Vec<Statement>) -> Result<(), SyntaxError> {
        loop {
            self.skip_blanks();
            if self.at_line_end() {
                self.finish_line();
                return Ok(());
            }
            let start = self.pos;
            let word = self.command_word();
            if word.starts_with('#') {
                self.finish_line();
                return Ok(());
            }
            let command = match word {
                "package" | "p" => Command::Package,
                "config" | "c" => Command::Config,
                "option" | "o" => Command::Option,
                "list" | "l" => Command::List,
                _ => return Err(self.error_at(start, INVALID_COMMAND)),
            };
            let word_end = self.pos;
            let (args, ended_by_semicolon) = self.arguments(command, start)?;
            let end = match args.last() {
                _ if ended_by_semicolon => self.pos,
                Some(last) => last.span.end,
                None => word_end,
            };
            out.push(Statement {
                command,
                args,
                span: start..end,
                line: 0..0,
                shares_line: false,
                line_number: self.line_number_at(start),
            });
            if !ended_by_semicolon {
                self.finish_line();
                return Ok(());
            }
        }
    }

    /// libuci splits the command word off with `strtok(" \t")`.
    fn command_word(&mut self) -> &'a str {
        let start = self.pos;
        while !matches!(self.peek(), None | Some(b' ' | b'\t' | b'\n')) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// Read the arguments of a command and check that no more follow (libuci's strict mode).
    fn arguments(
        &mut self,
        command: Command,
        start: usize,
    ) -> Result<(Vec<Arg>, bool), SyntaxError> {
        self.command_ended = false;
        self.ended_by_semicolon = false;
        let (required, optional) = match command {
            Command::Package => (1, 0),
            Command::Config | Command::Option | Command::List => (1, 1),
        };
        let mut args = Vec::new();
        for _ in 0..required {
            match self.next_arg()? {
                Some(arg) if !arg.value.is_empty() => args.push(arg),
                _ => return Err(self.error_at(start, INSUFFICIENT_ARGUMENTS)),
            }
        }
        for _ in 0..optional {
            if let Some(arg) = self.next_arg()? {
                args.push(arg);
            }
        }
        if let Some(extra) = self.next_arg()? {
            if !extra.value.is_empty() {
                return Err(self.error_at(start, TOO_MANY_ARGUMENTS));
            }
        }
        Ok((args, self.ended_by_semicolon))
    }

    fn next_arg(&mut self) -> Result<Option<Arg>, SyntaxError> {
        if self.command_ended {
            return Ok(None);
        }
        self.skip_blanks();
        match self.peek() {
            None | Some(b'\n' | b'#') => {
                self.command_ended = true;
                return Ok(None);
            }
            Some(b';') => {
                self.end_command_at_semicolon();
                return Ok(None);
            }
            _ => {}
        }
        let start = self.pos;
        let (value, end) = self.string()?;
        Ok(Some(Arg {
            value,
            span: start..end,
        }))
    }

    fn end_command_at_semicolon(&mut self) {
        self.pos += 1;
        self.command_ended = true;
        self.ended_by_semicolon = true;
        self.skip_blanks();
    }

    /// libuci's `parse_str`: glue quoted and bare pieces until a blank, `#`, `;` or the end.
    /// Returns the value and where the argument's text ends.
    fn string(&mut self) -> Result<(String, usize), SyntaxError> {
        let mut value = Vec::new();
        loop {
            match self.peek() {
                None => break,
                Some(b'\'') => self.single_quoted(&mut value)?,
                Some(b'"') => self.double_quoted(&mut value)?,
                Some(b'#') => {
                    self.command_ended = true;
                    break;
                }
                Some(b';') => {
                    let end = self.pos;
                    self.end_command_at_semicolon();
                    return Ok((into_string(value), end));
                }
                Some(b'\\') => self.backslash(&mut value),
                Some(c) if c.is_ascii_whitespace() || c == 0x0b => break,
                Some(c) => {
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
        Ok((into_string(value), self.pos))
    }

    fn single_quoted(&mut self, value: &mut Vec<u8>) -> Result<(), SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => return Err(self.error_at(open, UNTERMINATED_SINGLE)),
                Some(b'\'') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(c) => {
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn double_quoted(&mut self, value: &mut Vec<u8>) -> Result<(), SyntaxError> {
        let open = self.pos;
        self.pos += 1;
        loop {
            match self.peek() {
                None => return Err(self.error_at(open, UNTERMINATED_DOUBLE)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => self.backslash(value),
                Some(c) => {
                    value.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// libuci's `parse_backslash`: before a line break (`\n`, `\r\n` or the end of the file)
    /// the backslash joins the next line; otherwise the next byte is taken literally.
    fn backslash(&mut self, value: &mut Vec<u8>) {
        self.pos += 1;
        match (self.peek(), self.peek_at(1)) {
            (None, _) => {}
            (Some(b'\n'), _) => self.pos += 1,
            (Some(b'\r'), Some(b'\n')) => self.pos += 2,
            (Some(c), _) => {
                value.push(c);
                self.pos += 1;
            }
        }
    }
}

/// The pieces are cut at ASCII delimiters of valid UTF-8, so they are valid UTF-8 again.
fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// A section or option name: libuci allows only `[A-Za-z0-9_]` (shell compatibility).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// A package name as the `package` command and file names accept: names plus `-`.
pub fn is_valid_package_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A section type: libuci allows any printable ASCII character except the space.
pub fn is_valid_type(section_type: &str) -> bool {
    !section_type.is_empty() && section_type.bytes().all(|b| (33..=126).contains(&b))
}

/// A value libuci accepts in `uci set` and in delta files (`uci_validate_text`): no line
/// breaks and no control characters other than the tab.
pub fn is_valid_value(value: &str) -> bool {
    value.bytes().all(|b| b == b'\t' || b >= 32)
}

/// Quote a value as libuci's export does: `'...'`, a `'` inside written as `'\''`.
pub(crate) fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// A section type as libuci writes it (bare), quoted only where a bare word would not read
/// back the same.
pub(crate) fn render_type(section_type: &str) -> String {
    let plain = section_type
        .bytes()
        .all(|b| !matches!(b, b'\'' | b'"' | b'\\' | b'#' | b';'));
    if plain {
        section_type.to_string()
    } else {
        quote(section_type)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(Command, Vec<String>)> {
        tokenize(text)
            .unwrap()
            .into_iter()
            .map(|s| (s.command, s.args.into_iter().map(|a| a.value).collect()))
            .collect()
    }

    fn one(text: &str) -> Vec<String> {
        let mut all = values(text);
        assert_eq!(all.len(), 1, "{text:?}");
        all.remove(0).1
    }

    #[test]
    fn quoting_styles_glue_together() {
        assert_eq!(one("option a 'x y'\n"), ["a", "x y"]);
        assert_eq!(one("option a \"x y\"\n"), ["a", "x y"]);
        assert_eq!(one("option a x\n"), ["a", "x"]);
        assert_eq!(one("option a 'x'\"y\"z\n"), ["a", "xyz"]);
        assert_eq!(one("option a 'it'\\''s'\n"), ["a", "it's"]);
        assert_eq!(
            one("option a \"say \\\"hi\\\" \\\\ \\n\"\n"),
            ["a", "say \"hi\" \\ n"]
        );
        assert_eq!(one("option a 'back\\slash'\n"), ["a", "back\\slash"]);
        assert_eq!(one("option a x\\ y\n"), ["a", "x y"]);
        assert_eq!(one("o a b\n"), ["a", "b"]);
    }

    #[test]
    fn comments_end_arguments() {
        assert_eq!(one("option a b # note\n"), ["a", "b"]);
        assert_eq!(one("option a b#note\n"), ["a", "b"]);
        assert_eq!(one("option a 'b#c'\n"), ["a", "b#c"]);
        assert_eq!(one("option a 'b'#c\n"), ["a", "b"]);
        assert_eq!(values("# config a b\n  # x\n\n"), []);
    }

    #[test]
    fn continuation_and_multiline_quotes() {
        assert_eq!(one("option a 'one\ntwo'\n"), ["a", "one\ntwo"]);
        assert_eq!(one("option a \"one\\\ntwo\"\n"), ["a", "onetwo"]);
        assert_eq!(one("option a one\\\ntwo\n"), ["a", "onetwo"]);
        assert_eq!(one("option a one\\\r\ntwo\r\n"), ["a", "onetwo"]);
        assert_eq!(one("option a \\\n'b'\n"), ["a", "b"]);
        // As in libuci, a continuation followed by a blank ends the (empty) argument.
        assert_eq!(
            tokenize("option \\\n a b\n").unwrap_err().reason,
            INSUFFICIENT_ARGUMENTS
        );
        let statements = tokenize("option a 'x\ny'\noption b c\n").unwrap();
        assert_eq!(statements[0].line, 0..15);
        assert_eq!(statements[1].line_number, 3);
    }

    #[test]
    fn semicolons_separate_commands() {
        let all = values("config a b; option c d ;list e 'f';option g h\n");
        assert_eq!(all.len(), 4);
        assert_eq!(all[1].1, ["c", "d"]);
        assert_eq!(all[2].1, ["e", "f"]);
        assert_eq!(all[3].1, ["g", "h"]);
        let statements = tokenize("config a b; option c d\n").unwrap();
        assert_eq!(statements[0].span, 0..12);
        assert!(statements[0].shares_line);
    }

    #[test]
    fn spans_cover_argument_text() {
        let text = "\toption name 'it'\\''s' # c\n";
        let statement = &tokenize(text).unwrap()[0];
        assert_eq!(&text[statement.args[1].span.clone()], "'it'\\''s'");
        assert_eq!(&text[statement.span.clone()], "option name 'it'\\''s'");
        assert_eq!(statement.line, 0..text.len());
    }

    #[test]
    fn errors_name_the_line() {
        let err = |text: &str| tokenize(text).unwrap_err();
        assert_eq!(
            err("\nfoo bar\n"),
            SyntaxError {
                line: 2,
                reason: INVALID_COMMAND
            }
        );
        assert_eq!(err("config\n").reason, INSUFFICIENT_ARGUMENTS);
        assert_eq!(err("config ''\n").reason, INSUFFICIENT_ARGUMENTS);
        assert_eq!(err("option a b c\n").reason, TOO_MANY_ARGUMENTS);
        assert_eq!(
            err("\n\noption a 'b\n\n"),
            SyntaxError {
                line: 3,
                reason: UNTERMINATED_SINGLE
            }
        );
        assert_eq!(err("option a \"b\\\"\n").reason, UNTERMINATED_DOUBLE);
        assert_eq!(err("; option a b\n").reason, INVALID_COMMAND);
        // An empty extra argument is not "too many" for libuci either.
        assert_eq!(one("option a b ''\n"), ["a", "b"]);
    }

    #[test]
    fn delta_lines_read_as_one_argument() {
        let (value, rest) = parse_single_argument("+network.cfg0a='it'\\''s'\n").unwrap();
        assert_eq!(value, "+network.cfg0a=it's");
        assert_eq!(rest, "\n");
    }

    #[test]
    fn names_types_and_values_validate_like_libuci() {
        assert!(is_valid_name("wan_6"));
        assert!(!is_valid_name("wan-6"));
        assert!(!is_valid_name(""));
        assert!(is_valid_type("wifi-iface"));
        assert!(!is_valid_type("a b"));
        assert!(is_valid_package_name("https-dns-proxy"));
        assert!(is_valid_value("a\tb"));
        assert!(!is_valid_value("a\nb"));
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(render_type("wifi-iface"), "wifi-iface");
        assert_eq!(render_type("we#ird"), "'we#ird'");
    }
}
