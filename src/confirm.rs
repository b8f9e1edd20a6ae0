//! Confirmation: a person types the handle, or a script states it with `--confirm-handle`.
//!
//! The answer is read from the controlling terminal, never from stdin, so a post piped in on
//! stdin cannot also answer the question. Without a terminal the only way through is the flag;
//! there is deliberately no `--yes`.
//!
//! The prompt names the account and its kind, and the answer is read in raw mode by a small
//! line editor that keeps the screen equal to the answer (`Editor`). Whatever was typed before
//! the prompt appeared is discarded: it answers a question nobody had seen.
//!
//! The prompts and refusals are in the language shown (`i18n`). A y/N question in French is
//! asked `[o/N]` and takes `o`/`oui` as yes, and `y`/`yes` too, since English-speaking fingers
//! type them and they cannot mean no; anything else (`n`, `non`, Enter) is no. The typed-handle
//! rule is the same in every language: the handle is the handle.

use crate::account::Account;
use crate::account::{Confirm, HandleMatch, Kind, NonInteractive, compare_handle};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::i18n::{Both, Language, both, t};
use crate::sanitize;
use colored::Colorize;
#[cfg(not(unix))]
use console::{Key, Term};
use std::io::IsTerminal;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub const MAX_ATTEMPTS: usize = 3;

/// How the target was confirmed; recorded in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A person typed the handle.
    Typed,
    /// A person answered y to a personal account's y/N question.
    Yes,
    /// `--confirm-handle` matched.
    Flag,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Typed => "typed",
            Method::Yes => "yes",
            Method::Flag => "flag",
        }
    }
}

/// True when a person can be asked: stderr shows the banner and the prompt, and a controlling
/// terminal exists to read the answer from. If stderr goes to a file, nobody would see the
/// banner, so that counts as no terminal.
pub fn has_terminal() -> bool {
    if !std::io::stderr().is_terminal() {
        return false;
    }
    #[cfg(unix)]
    {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .is_ok()
    }
    #[cfg(not(unix))]
    {
        std::io::stdin().is_terminal()
    }
}

fn not_confirmed(message: Both) -> Failure {
    Failure::said(ExitCode::NotConfirmed, message)
}

/// Why the answer could not be read from the terminal.
fn unreadable(e: std::io::Error) -> Failure {
    not_confirmed(both!("refusal-terminal-unreadable", error = e.to_string()))
}

/// Explains why a typed (or flagged) handle was not accepted, in the language shown.
pub fn explain_mismatch(typed: &str, account: &Account, how: HandleMatch) -> String {
    mismatch(typed, account, how).shown().to_string()
}

/// `explain_mismatch` in both forms: English is recorded, the other is shown.
fn mismatch(typed: &str, account: &Account, how: HandleMatch) -> Both {
    let shown = sanitize::one_line(typed.trim());
    let handle = sanitize::one_line(&account.handle);
    match how {
        HandleMatch::Exact => Both {
            english: String::new(),
            shown: None,
        },
        HandleMatch::Empty => both!("mismatch-empty"),
        HandleMatch::LookAlike => {
            let odd: Vec<String> = typed
                .chars()
                .filter(|c| !c.is_ascii())
                .map(|c| format!("U+{:04X}", c as u32))
                .collect();
            if odd.is_empty() {
                both!("mismatch-look-alike", typed = shown, handle = handle)
            } else {
                both!(
                    "mismatch-look-alike-with",
                    typed = shown,
                    handle = handle,
                    odd = odd.join(", ")
                )
            }
        }
        HandleMatch::Different => both!(
            "mismatch-different",
            typed = shown,
            name = sanitize::one_line(&account.name),
            handle = handle
        ),
    }
}

/// Joins a refusal's English and shown forms around another message's.
fn wrapped(id: &'static str, inner: &Both) -> Both {
    let english = crate::i18n::english(id, &[("why", inner.english.as_str().into())]);
    let shown = match crate::i18n::language() {
        Language::English => None,
        other => Some(crate::i18n::text_in(other, id, &[("why", inner.shown().into())])),
    };
    Both { english, shown }
}

/// Runs the confirmation step. `flag` is `--confirm-handle`.
pub fn confirm(account: &Account, flag: Option<&str>, interactive: bool) -> Result<Method, Failure> {
    if let Some(given) = flag {
        if !interactive && account.non_interactive == NonInteractive::Deny {
            return Err(non_interactive_denied(account));
        }
        return match compare_handle(given, &account.handle) {
            HandleMatch::Exact => Ok(Method::Flag),
            how => Err(
                not_confirmed(wrapped("refusal-flag-mismatch", &mismatch(given, account, how))).hint_said(both!(
                    "hint-flag-mismatch",
                    handle = account.handle.as_str(),
                    name = account.name.as_str()
                )),
            ),
        };
    }
    if !interactive {
        if account.non_interactive == NonInteractive::Deny {
            return Err(non_interactive_denied(account));
        }
        return Err(
            not_confirmed(both!("refusal-no-terminal", name = account.name.as_str()))
                .hint_said(both!("hint-no-terminal", handle = account.handle.as_str())),
        );
    }
    let mut keys = open_keys().map_err(unreadable)?;
    match account.confirm {
        Confirm::Handle => typed_handle(&mut keys, account),
        Confirm::Yes => yes_no(&mut keys, account),
    }
}

fn non_interactive_denied(account: &Account) -> Failure {
    not_confirmed(both!("refusal-non-interactive-denied", name = account.name.as_str()))
        .hint_said(both!("hint-non-interactive-denied"))
}

/// What reading one line from the terminal produced.
enum Line {
    Text(String),
    /// Ctrl-C, Ctrl-D on an empty line, or Escape: the catalogue's id of the reason.
    Cancelled(Cancel),
}

/// Why a person's answer ended without Enter.
#[derive(Debug, Clone, Copy)]
enum Cancel {
    CtrlC,
    CtrlD,
    Escape,
    Closed,
}

impl Cancel {
    /// The refusal it makes: "not confirmed: cancelled with Ctrl-C".
    fn refusal(self) -> Failure {
        not_confirmed(match self {
            Cancel::CtrlC => both!("refusal-cancelled-ctrl-c"),
            Cancel::CtrlD => both!("refusal-cancelled-ctrl-d"),
            Cancel::Escape => both!("refusal-cancelled-escape"),
            Cancel::Closed => both!("refusal-terminal-closed"),
        })
    }
}

/// One key, as the line editor sees it.
#[derive(Debug, PartialEq)]
enum Input {
    Char(char),
    Enter,
    Backspace,
    /// Ctrl-U: erase the whole answer.
    Erase,
    CtrlC,
    CtrlD,
    Escape,
    /// A control character or an editing key: never part of an answer. Named for the note.
    Refused(String),
    Closed,
}

/// Where keys come from and where the prompt and the echo go.
trait Keys {
    fn next(&mut self) -> std::io::Result<Input>;
    fn write(&mut self, text: &str) -> std::io::Result<()>;
    /// The terminal's width in columns.
    fn columns(&self) -> usize;
    /// Throws away whatever was typed and not read yet.
    fn discard_typed_ahead(&mut self);
}

/// The longest answer, in screen columns. Handles are far shorter; the bound keeps the answer
/// within a few rows, which the cursor moves of the editor rely on.
const MAX_ANSWER_COLUMNS: usize = 256;

/// One grapheme of the answer as it is drawn: its visible form and the columns it takes.
struct Shown {
    text: String,
    width: usize,
}

fn shown(answer: &str) -> Vec<Shown> {
    answer
        .graphemes(true)
        .map(|g| {
            let text = sanitize::one_line(g);
            let width = text.width();
            Shown { text, width }
        })
        .collect()
}

/// A minimal line editor whose screen is always the answer: every grapheme of the answer is
/// drawn in its visible form (`sanitize::one_line`), Backspace removes a whole grapheme and
/// erases every column it took, and a control character is never taken in; a note says it was
/// ignored. What is compared is therefore exactly what the person sees.
///
/// The editor tracks the cursor itself: rows counted from the row the prompt ends on, and it
/// wraps the answer by itself before the last column, so erasing can move back over rows.
struct Editor<'a, K: Keys> {
    keys: &'a mut K,
    prompt: &'a str,
    /// The prompt as written, colours included.
    painted: &'a str,
    answer: String,
    shown: Vec<Shown>,
    /// Where erasing each shown grapheme puts the cursor back: (row, column).
    starts: Vec<(usize, usize)>,
    row: usize,
    col: usize,
}

impl<'a, K: Keys> Editor<'a, K> {
    fn new(keys: &'a mut K, prompt: &'a str, painted: &'a str) -> Self {
        Editor {
            keys,
            prompt,
            painted,
            answer: String::new(),
            shown: Vec::new(),
            starts: Vec::new(),
            row: 0,
            col: 0,
        }
    }

    /// Writes the prompt from the start of a row and works out where it leaves the cursor.
    /// The terminal wraps the prompt (it is postgate's own text); a prompt that ends exactly
    /// at the last column leaves the cursor waiting to wrap, which a space and a backspace
    /// settle at the start of the next row on every terminal.
    fn begin(&mut self) -> std::io::Result<()> {
        let columns = self.keys.columns();
        let mut col = 0;
        for g in self.prompt.graphemes(true) {
            let w = g.width();
            if col + w > columns {
                col = 0;
            }
            col += w;
        }
        let mut out = format!("\r{}", self.painted);
        if col >= columns {
            out.push_str(" \x08");
            col = 0;
        }
        self.keys.write(&out)?;
        self.row = 0;
        self.col = col;
        let answer = std::mem::take(&mut self.answer);
        self.shown.clear();
        self.starts.clear();
        self.set(answer)
    }

    /// Shows `answer`: erases from the first grapheme that differs and draws the rest.
    fn set(&mut self, answer: String) -> std::io::Result<()> {
        let next = shown(&answer);
        let same = self
            .shown
            .iter()
            .zip(&next)
            .take_while(|(a, b)| a.text == b.text)
            .count();
        let mut out = String::new();
        if same < self.shown.len() {
            let (row, col) = self.starts[same];
            if self.row > row {
                out.push_str(&format!("\x1b[{}A", self.row - row));
            }
            out.push('\r');
            if col > 0 {
                out.push_str(&format!("\x1b[{col}C"));
            }
            out.push_str("\x1b[J");
            (self.row, self.col) = (row, col);
            self.shown.truncate(same);
            self.starts.truncate(same);
        }
        // The last column stays empty, as in the banner.
        let last = self.keys.columns().saturating_sub(1).max(1);
        for g in next.into_iter().skip(same) {
            self.starts.push((self.row, self.col));
            // A long visible form (a letter carrying many invisible marks) may take rows.
            for piece in g.text.graphemes(true) {
                let w = piece.width();
                if self.col > 0 && self.col + w > last {
                    out.push_str("\r\n");
                    self.row += 1;
                    self.col = 0;
                }
                out.push_str(piece);
                self.col += w;
            }
            self.shown.push(g);
        }
        self.answer = answer;
        self.keys.write(&out)
    }

    /// Says why a key was not taken, on a row of its own, then draws the prompt and the
    /// answer again below it.
    fn note(&mut self, why: &str) -> std::io::Result<()> {
        self.keys.write(&format!("\r\n  {why}\r\n"))?;
        self.begin()
    }

    fn read(mut self) -> std::io::Result<Line> {
        self.keys.discard_typed_ahead();
        self.begin()?;
        loop {
            match self.keys.next()? {
                Input::Enter => {
                    self.keys.write("\r\n")?;
                    return Ok(Line::Text(self.answer));
                }
                Input::CtrlC => {
                    self.keys.write("^C\r\n")?;
                    return Ok(Line::Cancelled(Cancel::CtrlC));
                }
                Input::CtrlD if self.answer.is_empty() => {
                    self.keys.write("^D\r\n")?;
                    return Ok(Line::Cancelled(Cancel::CtrlD));
                }
                Input::Escape => {
                    self.keys.write("\r\n")?;
                    return Ok(Line::Cancelled(Cancel::Escape));
                }
                Input::Closed => return Ok(Line::Cancelled(Cancel::Closed)),
                Input::Backspace => {
                    let mut answer = self.answer.clone();
                    if let Some((at, _)) = answer.grapheme_indices(true).next_back() {
                        answer.truncate(at);
                        self.set(answer)?;
                    }
                }
                Input::Erase => self.set(String::new())?,
                Input::CtrlD => self.note(&t!("note-ctrl-d"))?,
                Input::Refused(name) => self.note(&t!("note-ignored", key = name))?,
                Input::Char(c) => {
                    let mut answer = self.answer.clone();
                    answer.push(c);
                    if shown(&answer).iter().map(|s| s.width).sum::<usize>() > MAX_ANSWER_COLUMNS {
                        self.note(&t!(
                            "note-too-long",
                            key = sanitize::one_line(&c.to_string()),
                            columns = MAX_ANSWER_COLUMNS
                        ))?;
                    } else {
                        self.set(answer)?;
                    }
                }
            }
        }
    }
}

/// Names a control character for the note that refuses it.
fn control_name(c: char) -> String {
    match c {
        '\t' => "Tab".into(),
        '\u{1}'..='\u{1a}' => format!("Ctrl-{}", char::from(b'A' + (c as u8) - 1)),
        _ => format!("U+{:04X}", c as u32),
    }
}

/// The controlling terminal in raw mode: keys are read one by one, nothing is echoed by the
/// terminal (the editor echoes), and Ctrl-C arrives as a key, so a refusal is recorded
/// instead of the process being killed. Put back as it was when dropped.
#[cfg(unix)]
struct RawTerminal {
    tty: std::fs::File,
    original: libc::termios,
}

#[cfg(unix)]
impl RawTerminal {
    fn open() -> std::io::Result<RawTerminal> {
        use std::os::fd::AsRawFd;
        let tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")?;
        let fd = tty.as_raw_fd();
        let mut original = std::mem::MaybeUninit::<libc::termios>::uninit();
        // SAFETY: tcgetattr fills the struct when it returns 0.
        if unsafe { libc::tcgetattr(fd, original.as_mut_ptr()) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: checked above.
        let original = unsafe { original.assume_init() };
        let mut raw = original;
        raw.c_lflag &= !(libc::ECHO | libc::ICANON | libc::ISIG | libc::IEXTEN);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // TCSAFLUSH also throws away what was typed before: see discard_typed_ahead.
        // SAFETY: fd is a terminal opened above; raw is a valid termios.
        if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &raw) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(RawTerminal { tty, original })
    }

    fn byte(&mut self) -> std::io::Result<Option<u8>> {
        use std::io::Read;
        let mut byte = [0u8; 1];
        loop {
            match self.tty.read(&mut byte) {
                Ok(0) => return Ok(None),
                Ok(_) => return Ok(Some(byte[0])),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// True when another byte arrives within a moment: it tells an escape sequence (an arrow
    /// key sends ESC [ A at once) from the Escape key alone.
    fn more_soon(&self) -> bool {
        use std::os::fd::AsRawFd;
        let mut poll = libc::pollfd {
            fd: self.tty.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut poll, 1, 30) > 0 }
    }
}

#[cfg(unix)]
impl Drop for RawTerminal {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: the fd is open for the guard's lifetime and original came from tcgetattr.
        unsafe { libc::tcsetattr(self.tty.as_raw_fd(), libc::TCSADRAIN, &self.original) };
    }
}

#[cfg(unix)]
impl Keys for RawTerminal {
    fn next(&mut self) -> std::io::Result<Input> {
        let Some(b) = self.byte()? else {
            return Ok(Input::Closed);
        };
        Ok(match b {
            b'\r' | b'\n' => Input::Enter,
            0x03 => Input::CtrlC,
            0x04 => Input::CtrlD,
            0x7f | 0x08 => Input::Backspace,
            0x15 => Input::Erase,
            0x1b if !self.more_soon() => Input::Escape,
            0x1b => {
                // ESC [ … final, ESC O x, or ESC x (Alt+x): read it whole, take none of it.
                match self.byte()? {
                    Some(b'[') => {
                        for _ in 0..16 {
                            match self.byte()? {
                                Some(0x40..=0x7e) | None => break,
                                Some(_) => {}
                            }
                        }
                    }
                    Some(b'O') => {
                        self.byte()?;
                    }
                    _ => {}
                }
                Input::Refused(t!("key-editing"))
            }
            b if b < 0x80 && (b as char).is_control() => Input::Refused(control_name(b as char)),
            b if b < 0x80 => Input::Char(b as char),
            lead => {
                let len = match lead {
                    0xc2..=0xdf => 2,
                    0xe0..=0xef => 3,
                    0xf0..=0xf4 => 4,
                    _ => return Ok(Input::Refused(t!("key-not-utf8"))),
                };
                let mut bytes = vec![lead];
                for _ in 1..len {
                    match self.byte()? {
                        Some(b) => bytes.push(b),
                        None => return Ok(Input::Closed),
                    }
                }
                match std::str::from_utf8(&bytes).ok().and_then(|s| s.chars().next()) {
                    Some(c) if c.is_control() => Input::Refused(control_name(c)),
                    Some(c) => Input::Char(c),
                    None => Input::Refused(t!("key-not-utf8-sequence")),
                }
            }
        })
    }

    fn write(&mut self, text: &str) -> std::io::Result<()> {
        use std::io::Write;
        self.tty.write_all(text.as_bytes())?;
        self.tty.flush()
    }

    fn columns(&self) -> usize {
        use std::os::fd::AsRawFd;
        let mut size = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ fills a winsize; the fd is open.
        let ok = unsafe { libc::ioctl(self.tty.as_raw_fd(), libc::TIOCGWINSZ, &mut size) } == 0;
        if ok && size.ws_col > 0 {
            usize::from(size.ws_col)
        } else {
            80
        }
    }

    /// Keys typed before the prompt was shown (while the banner was drawn, or by a program
    /// writing ahead into the terminal) answer a question nobody saw: they are dropped.
    fn discard_typed_ahead(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: the fd is an open terminal.
        unsafe { libc::tcflush(self.tty.as_raw_fd(), libc::TCIFLUSH) };
    }
}

/// Without termios, keys come through `console`; typed-ahead text cannot be discarded there.
#[cfg(not(unix))]
struct ConsoleKeys(Term);

#[cfg(not(unix))]
impl Keys for ConsoleKeys {
    fn next(&mut self) -> std::io::Result<Input> {
        Ok(match self.0.read_key_raw()? {
            Key::Enter => Input::Enter,
            Key::CtrlC => Input::CtrlC,
            Key::Char('\u{4}') => Input::CtrlD,
            Key::Char('\u{15}') => Input::Erase,
            Key::Char(c) if c.is_control() => Input::Refused(control_name(c)),
            Key::Char(c) => Input::Char(c),
            Key::Backspace => Input::Backspace,
            Key::Escape => Input::Escape,
            Key::Unknown => Input::Closed,
            _ => Input::Refused(t!("key-editing")),
        })
    }

    fn write(&mut self, text: &str) -> std::io::Result<()> {
        self.0.write_str(text)
    }

    fn columns(&self) -> usize {
        usize::from(self.0.size().1).max(1)
    }

    fn discard_typed_ahead(&mut self) {}
}

#[cfg(unix)]
fn open_keys() -> std::io::Result<RawTerminal> {
    RawTerminal::open()
}

#[cfg(not(unix))]
fn open_keys() -> std::io::Result<ConsoleKeys> {
    Ok(ConsoleKeys(Term::stderr()))
}

/// The prompt names the account and its kind on the prompt line itself: the banner may have
/// scrolled away, and the line being typed on is what the person reads last. Returns the
/// prompt as text and as written, with the kind's colours.
fn account_prompt(account: &Account, question: &str) -> (String, String) {
    let (word, _) = kind_words(account.kind);
    let target = format!("{word} {}", sanitize::one_line(&account.handle));
    let rest = format!(
        " {} ",
        t!(
            "prompt-account",
            display_name = sanitize::one_line(&account.display_name),
            question = question
        )
    );
    let painted = format!("{}{rest}", paint_kind(account.kind, &target));
    (format!("{target}{rest}"), painted)
}

fn handle_question(attempt: usize) -> String {
    t!("prompt-type-handle", attempt = attempt, attempts = MAX_ATTEMPTS)
}

fn yes_question() -> String {
    t!("prompt-publish-yes-no", choices = t!("prompt-choices"))
}

/// True when `answer` says yes in the language shown: `y`/`yes` always, `o`/`oui` in French.
pub fn says_yes(answer: &str) -> bool {
    let answer = answer.trim().to_lowercase();
    match answer.as_str() {
        "y" | "yes" => true,
        "o" | "oui" => crate::i18n::language() == Language::French,
        _ => false,
    }
}

/// The first prompt `account` gets, as text: the banner leaves room for it below the preview.
pub fn first_prompt(account: &Account) -> String {
    match account.confirm {
        Confirm::Handle => account_prompt(account, &handle_question(1)).0,
        Confirm::Yes => account_prompt(account, &yes_question()).0,
    }
}

fn typed_handle<K: Keys>(keys: &mut K, account: &Account) -> Result<Method, Failure> {
    let mut last = both!("mismatch-empty");
    for attempt in 1..=MAX_ATTEMPTS {
        let (prompt, painted) = account_prompt(account, &handle_question(attempt));
        let typed = match Editor::new(keys, &prompt, &painted).read().map_err(unreadable)? {
            Line::Text(t) => t,
            Line::Cancelled(why) => return Err(why.refusal()),
        };
        match compare_handle(&typed, &account.handle) {
            HandleMatch::Exact => return Ok(Method::Typed),
            HandleMatch::Empty => return Err(not_confirmed(both!("refusal-nothing-typed"))),
            how => {
                last = mismatch(&typed, account, how);
                let _ = keys.write(&format!("  {}\r\n", last.shown()));
            }
        }
    }
    let english = crate::i18n::english(
        "refusal-attempts",
        &[
            ("attempts", MAX_ATTEMPTS.into()),
            ("last", last.english.as_str().into()),
        ],
    );
    let shown = match crate::i18n::language() {
        Language::English => None,
        other => Some(crate::i18n::text_in(
            other,
            "refusal-attempts",
            &[("attempts", MAX_ATTEMPTS.into()), ("last", last.shown().into())],
        )),
    };
    Err(not_confirmed(Both { english, shown }))
}

fn yes_no<K: Keys>(keys: &mut K, account: &Account) -> Result<Method, Failure> {
    let (prompt, painted) = account_prompt(account, &yes_question());
    match Editor::new(keys, &prompt, &painted).read().map_err(unreadable)? {
        Line::Text(t) if says_yes(&t) => Ok(Method::Yes),
        Line::Text(_) => Err(not_confirmed(both!("refusal-not-yes"))),
        Line::Cancelled(why) => Err(why.refusal()),
    }
}

/// Asks a y/N question on the terminal; anything but yes (Ctrl-C, Ctrl-D, Enter) is no.
pub fn ask_yes(question: &str) -> Result<bool, Failure> {
    let mut keys = open_keys().map_err(unreadable)?;
    let prompt = format!("{} {} ", sanitize::one_line(question), t!("prompt-choices"));
    Ok(matches!(
        Editor::new(&mut keys, &prompt, &prompt).read().map_err(unreadable)?,
        Line::Text(t) if says_yes(&t)
    ))
}

/// What the hidden prompt produced.
pub enum Hidden {
    Line(crate::redacted::Secret),
    Cancelled(&'static str),
}

/// The longest secret the hidden prompt accepts. The buffer is allocated once at this size so
/// that growing it never leaves an unwiped copy of a half-typed secret behind.
#[cfg(unix)]
const MAX_SECRET: usize = 8192;

/// Reads one line from the controlling terminal without echo.
///
/// Echo is switched off, and anything typed earlier discarded, *before* the prompt is printed:
/// whatever the user types after seeing the prompt is kept and never shown, and text typed
/// ahead (which the terminal may already have echoed) is never taken as the secret. The
/// terminal is put back as it was on every path out, Ctrl-C included, because signals are
/// read as keys here instead of killing the process with echo off.
#[cfg(unix)]
pub fn hidden_line(prompt: &str) -> std::io::Result<Hidden> {
    use std::io::{Read, Write};
    use std::os::fd::AsRawFd;
    use zeroize::Zeroizing;

    struct Restore {
        fd: i32,
        original: libc::termios,
    }
    impl Drop for Restore {
        fn drop(&mut self) {
            // SAFETY: fd is open for the guard's lifetime and original came from tcgetattr.
            unsafe { libc::tcsetattr(self.fd, libc::TCSAFLUSH, &self.original) };
        }
    }

    let mut tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty")?;
    let fd = tty.as_raw_fd();
    let mut original = std::mem::MaybeUninit::<libc::termios>::uninit();
    // SAFETY: tcgetattr fills the struct when it returns 0.
    if unsafe { libc::tcgetattr(fd, original.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: checked above.
    let original = unsafe { original.assume_init() };
    let mut quiet = original;
    quiet.c_lflag &= !(libc::ECHO | libc::ICANON | libc::ISIG | libc::IEXTEN);
    quiet.c_cc[libc::VMIN] = 1;
    quiet.c_cc[libc::VTIME] = 0;
    // SAFETY: fd is a terminal opened above; quiet is a valid termios.
    if unsafe { libc::tcsetattr(fd, libc::TCSAFLUSH, &quiet) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let _restore = Restore { fd, original };

    write!(tty, "{prompt}: ")?;
    tty.flush()?;
    let mut buf = Zeroizing::new(Vec::with_capacity(MAX_SECRET));
    let mut byte = [0u8; 1];
    let outcome = loop {
        if tty.read(&mut byte)? == 0 {
            break Hidden::Cancelled("the terminal closed");
        }
        match byte[0] {
            b'\r' | b'\n' => {
                let text = std::str::from_utf8(&buf)
                    .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidData, "the secret is not UTF-8"))?;
                break Hidden::Line(crate::redacted::Secret::new(text.to_string()));
            }
            0x03 => break Hidden::Cancelled("cancelled with Ctrl-C"),
            0x04 if buf.is_empty() => break Hidden::Cancelled("cancelled with Ctrl-D"),
            // Backspace removes one character, not one byte.
            0x7f | 0x08 => {
                while let Some(b) = buf.pop() {
                    if b & 0xC0 != 0x80 {
                        break;
                    }
                }
            }
            // Ctrl-U clears the line, as in a cooked terminal.
            0x15 => buf.clear(),
            b => {
                if buf.len() == MAX_SECRET {
                    break Hidden::Cancelled("the secret is longer than 8192 bytes");
                }
                buf.push(b);
            }
        }
    };
    writeln!(tty)?;
    Ok(outcome)
}
/// The word for the account's kind and what it means, as the banner's frame and the prompt
/// name it, in the language shown.
pub fn kind_words(kind: Kind) -> (String, String) {
    match kind {
        Kind::Official => (t!("banner-official"), t!("banner-official-meaning")),
        Kind::Personal => (t!("banner-personal"), t!("banner-personal-meaning")),
    }
}

/// Paints `text` in the kind's colours (white on red, black on cyan), when colour is on.
pub fn paint_kind(kind: Kind, text: &str) -> String {
    match kind {
        Kind::Official => text.white().on_red().bold().to_string(),
        Kind::Personal => text.black().on_cyan().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::with_language;

    #[test]
    fn yes_is_y_or_yes_and_in_french_also_o_or_oui() {
        for (answer, english, french) in [
            ("y", true, true),
            (" YES ", true, true),
            ("o", false, true),
            ("Oui", false, true),
            ("n", false, false),
            ("non", false, false),
            ("no", false, false),
            ("", false, false),
            ("ouais", false, false),
        ] {
            assert_eq!(
                with_language(Language::English, || says_yes(answer)),
                english,
                "{answer:?}"
            );
            assert_eq!(
                with_language(Language::French, || says_yes(answer)),
                french,
                "{answer:?}"
            );
        }
        assert_eq!(
            with_language(Language::French, yes_question),
            "publier sur ce compte ? [o/N]"
        );
        assert_eq!(with_language(Language::English, yes_question), "publish to it? [y/N]");
    }
}
