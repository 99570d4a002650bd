//! Diagnostics on standard error: `error:` / `Caused by:` / `hint:` / `warning:` lines,
//! colours (`--color`, `NO_COLOR`), and progress bars and spinners that stay hidden unless
//! standard error is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use anstyle::{AnsiColor, Color, Style};
use indicatif::{
    ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressState, ProgressStyle, TermLike,
};

use crate::cli::{ColorChoice, GlobalArgs};
use crate::env_vars;
use crate::error::CliError;

/// How to talk to the user.
#[derive(Debug, Clone)]
pub struct Ui {
    /// `-q`: only errors on standard error.
    pub quiet: bool,
    /// Whether progress bars and spinners are drawn.
    pub progress: bool,
    /// Whether standard error gets colours.
    pub color_err: bool,
    /// Whether standard output (table headers) gets colours.
    pub color_out: bool,
    /// Whether standard output is a terminal.
    pub stdout_tty: bool,
}

const BOLD: Style = Style::new().bold();
const RED: Style = BOLD.fg_color(Some(Color::Ansi(AnsiColor::Red)));
const YELLOW: Style = BOLD.fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
const CYAN: Style = BOLD.fg_color(Some(Color::Ansi(AnsiColor::Cyan)));

impl Ui {
    /// The settings the global options and the environment ask for.
    pub fn new(g: &GlobalArgs) -> Self {
        let stderr_tty = std::io::stderr().is_terminal();
        let stdout_tty = std::io::stdout().is_terminal();
        let no_color = env_vars::get(env_vars::NO_COLOR).is_some();
        let color = |tty: bool| match g.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => tty && !no_color,
        };
        Ui {
            quiet: g.quiet,
            progress: !g.quiet && !g.no_progress && stderr_tty,
            color_err: color(stderr_tty),
            color_out: color(stdout_tty),
            stdout_tty,
        }
    }

    fn paint(&self, style: Style, text: &str) -> String {
        if self.color_err {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }

    /// Bold text for standard output (table headers).
    pub fn bold_out(&self, text: &str) -> String {
        if self.color_out {
            format!("{BOLD}{text}{BOLD:#}")
        } else {
            text.to_string()
        }
    }

    /// Prints an error with its details, causes and hints (nothing for a silent one).
    pub fn error(&self, e: &CliError) {
        if e.silent {
            return;
        }
        let mut text = format!("{} {}\n", self.paint(RED, "error:"), e.message);
        for d in &e.details {
            text.push_str(&format!("  {d}\n"));
        }
        for c in &e.causes {
            text.push_str(&format!("  {} {c}\n", self.paint(BOLD, "Caused by:")));
        }
        for h in &e.hints {
            text.push_str(&format!("{} {h}\n", self.paint(CYAN, "hint:")));
        }
        let _ = std::io::stderr().write_all(text.as_bytes());
    }

    /// Prints `warning: …` unless `-q`.
    pub fn warn(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(
                std::io::stderr(),
                "{} {message}",
                self.paint(YELLOW, "warning:")
            );
        }
    }

    /// Prints a plain status line unless `-q` (what happened, for people; never data).
    pub fn note(&self, message: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr(), "{message}");
        }
    }

    /// A spinner with `message`, or a hidden one. The message is cut to the terminal's
    /// width (a wrapped line could not be cleared), and the line is cleared however the
    /// spinner ends: finished, or dropped by an error or a Ctrl-C that cancels its command
    /// (indicatif's default would draw it once more and leave it above the error).
    pub fn spinner(&self, message: impl Into<String>) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let pb = ProgressBar::with_draw_target(None, stderr_target())
            .with_finish(ProgressFinish::AndClear);
        pb.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>3} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.set_message(message.into());
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    }

    /// A progress bar over `len` items of which `already` were finished before (by an
    /// earlier run), or a hidden one. Its ETA comes from this run's rate alone and stays
    /// blank until there is one; the bar takes the width the rest leaves, so it never wraps,
    /// and like [`spinner`](Self::spinner) it is cleared however it ends.
    pub fn bar(&self, len: u64, already: u64) -> ProgressBar {
        if !self.progress {
            return ProgressBar::hidden();
        }
        let eta = move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
            let finished = state.pos().saturating_sub(already);
            let left = state.len().unwrap_or(0).saturating_sub(state.pos());
            let elapsed = state.elapsed().as_secs_f64();
            if finished > 0 && left > 0 {
                let _ = write!(
                    w,
                    " ETA {}",
                    short_duration(left as f64 * elapsed / finished as f64)
                );
            }
        };
        let pb = ProgressBar::with_draw_target(Some(len), stderr_target())
            .with_finish(ProgressFinish::AndClear);
        pb.set_style(
            ProgressStyle::with_template("[{elapsed_precise}] {wide_bar} {pos}/{len}{msg}{eta}")
                .map(|s| s.with_key("eta", eta))
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb.enable_steady_tick(Duration::from_millis(200));
        pb
    }
}

/// Where progress is drawn: standard error, at most 20 times a second.
fn stderr_target() -> ProgressDrawTarget {
    ProgressDrawTarget::term_like_with_hz(Box::new(Stderr::default()), 20)
}

/// Standard error as indicatif sees it: a terminal two columns narrower than it is.
/// indicatif pads a progress line to the terminal's width, which leaves the cursor in the
/// last column; the `^C` the terminal echoes for Ctrl-C then wraps onto a new row, and
/// clearing the line erased that row instead, leaving the line above `error: interrupted`.
/// With two columns to spare the `^C` lands on the line and is erased with it.
#[derive(Debug, Default)]
struct Stderr {
    /// What was written since the last flush: a frame goes out in one write.
    buf: Mutex<Vec<u8>>,
}

/// The columns kept free for the terminal's `^C`.
const ECHO_COLUMNS: u16 = 2;

impl Stderr {
    fn size() -> (u16, u16) {
        terminal_size::terminal_size_of(std::io::stderr()).map_or((80, 24), |(w, h)| (w.0, h.0))
    }

    fn push(&self, s: &str) -> std::io::Result<()> {
        self.buf
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn cursor(&self, n: usize, code: char) -> std::io::Result<()> {
        if n == 0 {
            return Ok(());
        }
        self.push(&format!("\x1b[{n}{code}"))
    }
}

impl TermLike for Stderr {
    fn width(&self) -> u16 {
        Self::size().0.saturating_sub(ECHO_COLUMNS).max(1)
    }

    fn height(&self) -> u16 {
        Self::size().1
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'A')
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'B')
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'C')
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.cursor(n, 'D')
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.push(s)?;
        self.push("\n")
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.push(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.push("\r\x1b[2K")
    }

    fn flush(&self) -> std::io::Result<()> {
        let frame = std::mem::take(
            &mut *self
                .buf
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))?,
        );
        let mut err = std::io::stderr().lock();
        err.write_all(&frame)?;
        err.flush()
    }
}

/// A job id as a progress line shows it: its first 8 characters and `…` when it is longer
/// than 12 (the whole id is printed with the result, and in every error that names it).
pub fn short_id(id: &str) -> String {
    if id.chars().count() <= 12 {
        return id.to_owned();
    }
    let head: String = id.chars().take(8).collect();
    format!("{head}…")
}

/// `42s`, `3m05s`, `2h07m`: an ETA that fits anywhere.
fn short_duration(secs: f64) -> String {
    let secs = secs.round().clamp(0.0, 359_999.0) as u64;
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, secs % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::short_id;

    #[test]
    fn progress_lines_show_a_short_id() {
        assert_eq!(short_id("ac8b3f65661fc289073bdf41ec0ff6b4"), "ac8b3f65…");
        assert_eq!(short_id("job-12345678"), "job-12345678");
        // The spinner's longest poll line fits 60 columns with its spinner and time.
        let line = format!(
            "⠁ 59m job {}: PROCESSING (poll 999)",
            short_id("ac8b3f65661fc289073bdf41ec0ff6b4")
        );
        assert!(line.chars().count() <= 60, "{line}");
    }
}
