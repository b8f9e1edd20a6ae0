//! A process in a real pseudo-terminal, driven like a person at the keyboard.

use super::screen;
use std::process::Command;

/// A process in a pseudo-terminal.
pub struct Tty {
    session: expectrl::session::OsSession,
    seen: String,
}

impl Tty {
    pub(super) fn spawn(cmd: Command) -> Tty {
        let mut session = expectrl::session::Session::spawn(cmd).expect("spawn in a pty");
        // A generous bound so a hang fails the test instead of blocking the suite; it is a
        // deadline, not a synchronisation sleep.
        session.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
        Tty {
            session,
            seen: String::new(),
        }
    }

    /// Sets the terminal's size.
    pub(super) fn resize(&mut self, columns: u16, rows: u16) {
        self.session
            .get_process_mut()
            .set_window_size(columns, rows)
            .expect("set the pty's window size");
    }

    /// Waits for `text` to appear on the terminal.
    pub fn expect(&mut self, text: &str) -> &mut Self {
        use expectrl::Expect;
        match self.session.expect(text) {
            // as_bytes() is what came before the match and the match itself.
            Ok(found) => self.seen.push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => panic!("terminal never showed {text:?}: {e}\n--- seen so far:\n{}", self.seen),
        }
        self
    }

    /// Types a line and presses Enter.
    pub fn line(&mut self, text: &str) -> &mut Self {
        use expectrl::Expect;
        self.session.send(format!("{text}\r")).expect("type into the pty");
        self
    }

    /// Sends raw bytes (for example "\x04" for Ctrl-D, "\x03" for Ctrl-C).
    pub fn keys(&mut self, bytes: &str) -> &mut Self {
        use expectrl::Expect;
        self.session.send(bytes).expect("type into the pty");
        self
    }

    /// Reads until the process closes the terminal and returns its exit code.
    pub fn finish(&mut self) -> i32 {
        use expectrl::Expect;
        match self.session.expect(expectrl::Eof) {
            // as_bytes() is what came before the match and the match itself.
            Ok(found) => self.seen.push_str(&String::from_utf8_lossy(found.as_bytes())),
            Err(e) => {
                // Waiting on a process that never closes the terminal would block the whole
                // suite until CI's deadline; kill it and fail here, with what it showed.
                let process = self.session.get_process_mut();
                let _ = process.kill(expectrl::process::unix::Signal::SIGKILL);
                let _ = process.wait();
                panic!("postgate never closed the terminal: {e}\n--- seen:\n{}", self.seen);
            }
        }
        match self.session.get_process().wait() {
            Ok(expectrl::process::unix::WaitStatus::Exited(_, code)) => code,
            other => panic!("postgate did not exit normally: {other:?}\n--- seen:\n{}", self.seen),
        }
    }

    /// Everything the terminal showed so far.
    pub fn screen(&self) -> &str {
        &self.seen
    }

    /// What a terminal of `columns`×`rows` shows after everything seen so far.
    pub fn screen_at(&self, columns: usize, rows: usize) -> screen::Screen {
        screen::Screen::of(columns, rows, &self.seen)
    }
}
