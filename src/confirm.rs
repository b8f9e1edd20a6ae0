//! Confirmation: a person types the handle, or a script states it with `--confirm-handle`.
//!
//! The answer is read from the controlling terminal, never from stdin, so a post piped in on
//! stdin cannot also answer the question. Without a terminal the only way through is the flag;
//! there is deliberately no `--yes`.

use crate::account::{Confirm, HandleMatch, NonInteractive, compare_handle};
use crate::error::Failure;
use crate::exit_codes::ExitCode;
use crate::policy::Account;
use crate::sanitize;
use console::{Key, Term};
use std::io::IsTerminal;

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

fn not_confirmed(message: impl Into<String>) -> Failure {
    Failure::new(ExitCode::NotConfirmed, message)
}

/// Explains why a typed (or flagged) handle was not accepted.
pub fn explain_mismatch(typed: &str, account: &Account, how: HandleMatch) -> String {
    let shown = sanitize::one_line(typed.trim());
    match how {
        HandleMatch::Exact => String::new(),
        HandleMatch::Empty => "nothing was typed".into(),
        HandleMatch::LookAlike => {
            let odd: Vec<String> = typed
                .chars()
                .filter(|c| !c.is_ascii())
                .map(|c| format!("U+{:04X}", c as u32))
                .collect();
            let detail = if odd.is_empty() {
                String::new()
            } else {
                format!(" (it contains {})", odd.join(", "))
            };
            format!("`{shown}` looks like {} but is not{detail}", account.handle)
        }
        HandleMatch::Different => format!(
            "`{shown}` is not the handle of account `{}` ({})",
            account.name, account.handle
        ),
    }
}

/// Runs the confirmation step. `flag` is `--confirm-handle`.
pub fn confirm(account: &Account, flag: Option<&str>, interactive: bool) -> Result<Method, Failure> {
    if let Some(given) = flag {
        if !interactive && account.non_interactive == NonInteractive::Deny {
            return Err(non_interactive_denied(account));
        }
        return match compare_handle(given, &account.handle) {
            HandleMatch::Exact => Ok(Method::Flag),
            how => Err(not_confirmed(format!(
                "--confirm-handle does not match: {}",
                explain_mismatch(given, account, how)
            ))
            .hint(format!(
                "pass --confirm-handle '{}' to publish to `{}`",
                account.handle, account.name
            ))),
        };
    }
    if !interactive {
        if account.non_interactive == NonInteractive::Deny {
            return Err(non_interactive_denied(account));
        }
        return Err(not_confirmed(format!(
            "no terminal to confirm the target account `{}`, and no --confirm-handle",
            account.name
        ))
        .hint(format!(
            "scripts must state the handle they mean: --confirm-handle '{}'",
            account.handle
        )));
    }
    let term = Term::stderr();
    match account.confirm {
        Confirm::Handle => typed_handle(&term, account),
        Confirm::Yes => yes_no(&term, account),
    }
}

fn non_interactive_denied(account: &Account) -> Failure {
    not_confirmed(format!(
        "account `{}` only accepts posts confirmed by a person at a terminal (non_interactive = \"deny\")",
        account.name
    ))
    .hint("run postgate from a terminal, or change the account's policy")
}

/// What reading one line from the terminal produced.
enum Line {
    Text(String),
    /// Ctrl-C, Ctrl-D on an empty line, or Escape.
    Cancelled(&'static str),
}

/// Reads one line with echo, key by key, so Ctrl-C and Ctrl-D are seen as answers (refusals)
/// instead of killing the process before the refusal is recorded.
fn read_line(term: &Term) -> std::io::Result<Line> {
    let mut buf = String::new();
    loop {
        match term.read_key_raw()? {
            Key::Enter => {
                term.write_line("")?;
                return Ok(Line::Text(buf));
            }
            Key::CtrlC => {
                term.write_line("^C")?;
                return Ok(Line::Cancelled("cancelled with Ctrl-C"));
            }
            Key::Char('\u{4}') if buf.is_empty() => {
                term.write_line("^D")?;
                return Ok(Line::Cancelled("cancelled with Ctrl-D"));
            }
            Key::Escape => {
                term.write_line("")?;
                return Ok(Line::Cancelled("cancelled with Escape"));
            }
            Key::Backspace if buf.pop().is_some() => term.clear_chars(1)?,
            // Pasted control characters are kept (so a spoof is caught) but echoed visibly.
            Key::Char(c) => {
                buf.push(c);
                term.write_str(&sanitize::one_line(&c.to_string()))?;
            }
            // The terminal went away.
            Key::Unknown => return Ok(Line::Cancelled("the terminal closed")),
            _ => {}
        }
    }
}

fn typed_handle(term: &Term, account: &Account) -> Result<Method, Failure> {
    let io_err = |e: std::io::Error| not_confirmed(format!("cannot read the answer from the terminal: {e}"));
    let mut last = String::new();
    for attempt in 1..=MAX_ATTEMPTS {
        term.write_str(&format!(
            "Type the handle of the account to publish to ({attempt}/{MAX_ATTEMPTS}): "
        ))
        .map_err(io_err)?;
        let typed = match read_line(term).map_err(io_err)? {
            Line::Text(t) => t,
            Line::Cancelled(why) => return Err(not_confirmed(format!("not confirmed: {why}"))),
        };
        match compare_handle(&typed, &account.handle) {
            HandleMatch::Exact => return Ok(Method::Typed),
            HandleMatch::Empty => return Err(not_confirmed("not confirmed: nothing was typed")),
            how => {
                last = explain_mismatch(&typed, account, how);
                let _ = term.write_line(&format!("  {last}"));
            }
        }
    }
    Err(not_confirmed(format!(
        "not confirmed after {MAX_ATTEMPTS} attempts; last answer: {last}"
    )))
}

fn yes_no(term: &Term, account: &Account) -> Result<Method, Failure> {
    let io_err = |e: std::io::Error| not_confirmed(format!("cannot read the answer from the terminal: {e}"));
    term.write_str(&format!(
        "Publish to {} ({})? [y/N] ",
        account.handle,
        account.kind.as_str()
    ))
    .map_err(io_err)?;
    match read_line(term).map_err(io_err)? {
        Line::Text(t) if matches!(t.trim().to_ascii_lowercase().as_str(), "y" | "yes") => Ok(Method::Yes),
        Line::Text(_) => Err(not_confirmed("not confirmed: the answer was not yes")),
        Line::Cancelled(why) => Err(not_confirmed(format!("not confirmed: {why}"))),
    }
}

/// Asks a y/N question on the terminal; anything but yes (Ctrl-C, Ctrl-D, Enter) is no.
pub fn ask_yes(question: &str) -> Result<bool, Failure> {
    let term = Term::stderr();
    let io_err = |e: std::io::Error| not_confirmed(format!("cannot read the answer from the terminal: {e}"));
    term.write_str(&format!("{question} [y/N] ")).map_err(io_err)?;
    Ok(matches!(
        read_line(&term).map_err(io_err)?,
        Line::Text(t) if matches!(t.trim().to_ascii_lowercase().as_str(), "y" | "yes")
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
