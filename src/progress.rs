//! Progress on stderr for long jobs: an indicatif bar on a terminal, plain periodic lines in
//! logs, so a run, an evaluation or a fine-tuning job shows it is alive wherever it runs.

/// A progress bar on stderr over `len` items: redrawn in place on a terminal, else logged as
/// plain lines (see [`ProgressView`]).
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    ProgressView::new(
        Some(len),
        what,
        "{msg:>10} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta})",
        "{msg}: {pos}/{len} ({percent}%), {elapsed} elapsed, eta {eta}",
    )
    .bar
}

/// A job's progress on stderr: a bar redrawn in place on a terminal; elsewhere (logs, CI,
/// pipes) the same figures as one plain line every [`crate::settings::progress_interval`] and
/// a last one from [`ProgressView::finish`], so a log shows that a long job is alive. The bar ticks
/// once a second by itself, so its clock moves during long model calls too.
pub struct ProgressView {
    /// The bar; set its position, length and message as the job goes.
    pub bar: indicatif::ProgressBar,
    log: Option<LogLines>,
}

impl ProgressView {
    /// A bar over `len` units (`None`: total unknown) showing `message` first, drawn with
    /// `terminal` on a terminal and logged with `plain` elsewhere (indicatif templates).
    pub fn new(len: Option<u64>, message: &str, terminal: &str, plain: &str) -> Self {
        use std::io::IsTerminal;
        let (target, template, log) = if std::io::stderr().is_terminal() {
            (indicatif::ProgressDrawTarget::stderr(), terminal, None)
        } else {
            let log = LogLines::new(crate::settings::progress_interval());
            let target = indicatif::ProgressDrawTarget::term_like(Box::new(log.clone()));
            (target, plain, Some(log))
        };
        let bar = indicatif::ProgressBar::with_draw_target(len, target);
        bar.set_style(
            indicatif::ProgressStyle::with_template(template).expect("static template is valid"),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_secs(1));
        ProgressView { bar, log }
    }

    /// A bar that shows nothing (`--quiet`).
    pub fn hidden() -> Self {
        ProgressView {
            bar: indicatif::ProgressBar::hidden(),
            log: None,
        }
    }

    /// Ends the bar: cleared from a terminal, its final state logged as a last line elsewhere.
    pub fn finish(&self) {
        self.bar.disable_steady_tick();
        match &self.log {
            Some(log) => {
                self.bar.tick();
                log.emit(true);
            }
            None => self.bar.finish_and_clear(),
        }
    }
}

/// indicatif's output where stderr is no terminal: each redraw replaces a one-line buffer, and
/// the buffer is written as a line when `interval` has passed since the last one.
#[derive(Debug, Clone)]
struct LogLines(std::sync::Arc<std::sync::Mutex<LogState>>);

#[derive(Debug)]
struct LogState {
    interval: std::time::Duration,
    line: String,
    last: Option<(std::time::Instant, String)>,
}

impl LogLines {
    fn new(interval: std::time::Duration) -> Self {
        LogLines(std::sync::Arc::new(std::sync::Mutex::new(LogState {
            interval,
            line: String::new(),
            last: None,
        })))
    }

    /// Writes the buffered line when it is due (or `always`), unless it repeats the last one
    /// written (its clock moves, so a live job never repeats itself).
    fn emit(&self, always: bool) {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let line = state.line.trim().to_string();
        let due = match &state.last {
            Some((_, last)) if *last == line => return,
            Some((at, _)) => at.elapsed() >= state.interval,
            None => true,
        };
        if !line.is_empty() && (due || always) {
            eprintln!("{line}");
            state.last = Some((std::time::Instant::now(), line));
        }
    }
}

impl indicatif::TermLike for LogLines {
    fn width(&self) -> u16 {
        100
    }
    fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
        Ok(())
    }
    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.write_str(s)
    }
    fn write_str(&self, s: &str) -> std::io::Result<()> {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        state.line.push_str(s.trim_start_matches('\r'));
        Ok(())
    }
    fn clear_line(&self) -> std::io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .line
            .clear();
        Ok(())
    }
    fn flush(&self) -> std::io::Result<()> {
        self.emit(false);
        Ok(())
    }
}
