//! A small model of what a terminal shows, so tests can assert on the screen rather than on
//! the byte stream.
//!
//! It implements what postgate and the tools it runs emit: printable text by display width,
//! automatic wrapping with the deferred wrap of xterm, tmux and VTE (writing the last column
//! leaves the cursor there until the next character), CR, LF with scrolling, Backspace, and the
//! CSI sequences for cursor moves and erasing. Colours and other sequences are consumed and
//! ignored. Rows that scroll off the top are kept in `scrolled_off`, as a terminal's history.

use unicode_width::UnicodeWidthChar;

pub struct Screen {
    columns: usize,
    rows: usize,
    /// Each cell holds the text drawn in it; the second cell of a wide character holds "".
    grid: Vec<Vec<String>>,
    row: usize,
    col: usize,
    pending_wrap: bool,
    pub scrolled_off: Vec<String>,
}

impl Screen {
    pub fn new(columns: usize, rows: usize) -> Screen {
        Screen {
            columns,
            rows,
            grid: vec![vec![" ".to_string(); columns]; rows],
            row: 0,
            col: 0,
            pending_wrap: false,
            scrolled_off: Vec::new(),
        }
    }

    /// Feeds what the program wrote and returns the screen.
    pub fn of(columns: usize, rows: usize, output: &str) -> Screen {
        let mut s = Screen::new(columns, rows);
        s.feed(output);
        s
    }

    /// The visible rows, without trailing blanks.
    pub fn lines(&self) -> Vec<String> {
        self.grid.iter().map(|r| render(r)).collect()
    }

    /// The row the cursor is on.
    pub fn cursor_line(&self) -> String {
        render(&self.grid[self.row])
    }

    pub fn text(&self) -> String {
        self.lines().join("\n")
    }

    fn line_feed(&mut self) {
        if self.row + 1 == self.rows {
            let top = self.grid.remove(0);
            self.scrolled_off.push(render(&top));
            self.grid.push(vec![" ".to_string(); self.columns]);
        } else {
            self.row += 1;
        }
    }

    fn print(&mut self, c: char) {
        let width = c.width().unwrap_or(0);
        if width == 0 {
            // A combining mark joins the character before it.
            let col = if self.pending_wrap {
                self.col
            } else {
                self.col.saturating_sub(1)
            };
            self.grid[self.row][col].push(c);
            return;
        }
        if self.pending_wrap || self.col + width > self.columns {
            self.pending_wrap = false;
            self.col = 0;
            self.line_feed();
        }
        self.grid[self.row][self.col] = c.to_string();
        if width == 2 && self.col + 1 < self.columns {
            self.grid[self.row][self.col + 1] = String::new();
        }
        self.col += width;
        if self.col >= self.columns {
            self.col = self.columns - 1;
            self.pending_wrap = true;
        }
    }

    fn erase(&mut self, row: usize, from: usize, to: usize) {
        for cell in &mut self.grid[row][from..to] {
            *cell = " ".to_string();
        }
    }

    fn csi(&mut self, params: &str, last: char) {
        let n = |i: usize, default: usize| -> usize {
            params
                .trim_start_matches('?')
                .split(';')
                .nth(i)
                .and_then(|p| p.parse().ok())
                .filter(|&v| v > 0)
                .unwrap_or(default)
        };
        let mode = params.parse::<usize>().unwrap_or(0);
        self.pending_wrap = false;
        match last {
            'A' => self.row = self.row.saturating_sub(n(0, 1)),
            'B' => self.row = (self.row + n(0, 1)).min(self.rows - 1),
            'C' => self.col = (self.col + n(0, 1)).min(self.columns - 1),
            'D' => self.col = self.col.saturating_sub(n(0, 1)),
            'G' => self.col = (n(0, 1) - 1).min(self.columns - 1),
            'H' | 'f' => {
                self.row = (n(0, 1) - 1).min(self.rows - 1);
                self.col = (n(1, 1) - 1).min(self.columns - 1);
            }
            'K' => match mode {
                0 => self.erase(self.row, self.col, self.columns),
                1 => self.erase(self.row, 0, self.col + 1),
                _ => self.erase(self.row, 0, self.columns),
            },
            'J' => match mode {
                0 => {
                    self.erase(self.row, self.col, self.columns);
                    for r in self.row + 1..self.rows {
                        self.erase(r, 0, self.columns);
                    }
                }
                _ => {
                    for r in 0..self.rows {
                        self.erase(r, 0, self.columns);
                    }
                }
            },
            // Colours, modes and the rest change nothing that a test reads.
            _ => {}
        }
    }

    pub fn feed(&mut self, output: &str) {
        let mut chars = output.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\x1b' => match chars.next() {
                    Some('[') => {
                        let mut params = String::new();
                        for p in chars.by_ref() {
                            if ('\x40'..='\x7e').contains(&p) {
                                self.csi(&params, p);
                                break;
                            }
                            params.push(p);
                        }
                    }
                    Some(']') => {
                        // An OSC string ends at BEL or at ESC \.
                        while let Some(p) = chars.next() {
                            if p == '\x07' || (p == '\x1b' && chars.next_if_eq(&'\\').is_some()) {
                                break;
                            }
                        }
                    }
                    _ => {}
                },
                '\r' => {
                    self.col = 0;
                    self.pending_wrap = false;
                }
                '\n' => {
                    self.pending_wrap = false;
                    self.line_feed();
                }
                '\x08' => {
                    self.pending_wrap = false;
                    self.col = self.col.saturating_sub(1);
                }
                '\t' => self.col = ((self.col / 8 + 1) * 8).min(self.columns - 1),
                c if c.is_control() => {}
                c => self.print(c),
            }
        }
    }
}

fn render(row: &[String]) -> String {
    row.concat().trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::Screen;

    #[test]
    fn wraps_late_and_erases() {
        let s = Screen::of(4, 3, "abcd\r\nxy\x08\x1b[K");
        assert_eq!(s.lines(), ["abcd", "x", ""]);
        let s = Screen::of(4, 2, "abcdef\nz");
        assert_eq!(s.scrolled_off, ["abcd"]);
        assert_eq!(s.lines(), ["ef", "  z"]);
    }
}
