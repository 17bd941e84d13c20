//! The Markdown sidecar's logic, kept apart from the protocol wiring in `main.rs` so it can be
//! unit-tested directly: `outline` lists a document's headings with their line numbers and
//! GitHub-style anchor ids (for an outline view), and `render` turns Markdown into HTML that is
//! safe to show in a renderer by default (raw HTML in the source is escaped, not passed through).
//! Both stop early when the request is cancelled. `for_each_heading` hands headings over one by
//! one as the parser finds them, so a streamed outline can send the first ones before the end.

use std::collections::HashMap;

use pulldown_cmark::{html, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

/// How many parser events pass between two cancellation checks.
const CANCEL_CHECK_EVERY: usize = 4096;

/// Params of `markdown/outline`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutlineParams {
    /// The Markdown source.
    pub text: String,
}

/// One heading of the outline.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The heading's plain text (inline markup stripped).
    pub text: String,
    /// 1-based line of the heading in the source.
    pub line: usize,
    /// GitHub-style anchor: lowercase, punctuation dropped, spaces to `-`, duplicates numbered.
    pub id: String,
}

/// Result of `markdown/outline`.
#[derive(Debug, Serialize)]
pub struct Outline {
    pub headings: Vec<Heading>,
}

/// Params of `markdown/render`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RenderParams {
    /// The Markdown source.
    pub text: String,
    /// Pass raw HTML in the source through instead of escaping it (default false: the output is
    /// meant for an Electron renderer, where passed-through HTML could run script).
    #[serde(default)]
    pub allow_html: bool,
}

/// Result of `markdown/render`.
#[derive(Debug, Serialize)]
pub struct Rendered {
    pub html: String,
}

/// The request was cancelled before the work finished.
#[derive(Debug, PartialEq, Eq)]
pub struct Cancelled;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_FOOTNOTES
}

/// Lists the headings of `text`. `cancelled` is polled now and then.
pub fn outline(text: &str, cancelled: &dyn Fn() -> bool) -> Result<Outline, Cancelled> {
    let mut headings = Vec::new();
    for_each_heading(text, cancelled, |h| {
        headings.push(h);
        true
    })?;
    Ok(Outline { headings })
}

/// Passes each heading of `text` to `each`, in document order, until `each` returns `false`
/// (then it returns `Ok` early). `cancelled` is polled now and then.
pub fn for_each_heading(
    text: &str,
    cancelled: &dyn Fn() -> bool,
    mut each: impl FnMut(Heading) -> bool,
) -> Result<(), Cancelled> {
    let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);
    let mut slugs = Slugger::default();
    let mut current: Option<(u8, usize, String)> = None;
    for (n, (event, range)) in Parser::new_ext(text, options()).into_offset_iter().enumerate() {
        if n % CANCEL_CHECK_EVERY == 0 && cancelled() {
            return Err(Cancelled);
        }
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                current = Some((level_number(level), line_of(range.start), String::new()))
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, _, buf)) = current.as_mut() {
                    buf.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, line, text)) = current.take() {
                    let id = slugs.slug(&text);
                    if !each(Heading { level, text, line, id }) {
                        return Ok(());
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Renders `text` to HTML; raw HTML is escaped unless `allow_html`.
pub fn render(text: &str, allow_html: bool, cancelled: &dyn Fn() -> bool) -> Result<Rendered, Cancelled> {
    let mut was_cancelled = false;
    let events = Parser::new_ext(text, options()).enumerate().map_while(|(n, event)| {
        if n % CANCEL_CHECK_EVERY == 0 && cancelled() {
            was_cancelled = true;
            return None;
        }
        Some(match event {
            Event::Html(raw) | Event::InlineHtml(raw) if !allow_html => Event::Text(raw),
            other => other,
        })
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events);
    if was_cancelled {
        return Err(Cancelled);
    }
    Ok(Rendered { html: out })
}

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Makes anchor ids the way GitHub does, numbering repeats (`intro`, `intro-1`, ...).
#[derive(Default)]
struct Slugger {
    seen: HashMap<String, usize>,
}

impl Slugger {
    fn slug(&mut self, text: &str) -> String {
        let base: String = text
            .trim()
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                ' ' => Some('-'),
                c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                _ => None,
            })
            .collect();
        let n = self.seen.entry(base.clone()).or_insert(0);
        let id = if *n == 0 { base } else { format!("{base}-{n}") };
        *n += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# Title\n\nSome *text*.\n\n## Install `npm`\n\n```\n# not a heading\n```\n\nSetext\n------\n\n## Install `npm`\n";

    #[test]
    fn outline_lists_headings_with_lines_and_unique_ids() {
        let o = outline(DOC, &|| false).unwrap();
        let got: Vec<(u8, &str, usize, &str)> =
            o.headings.iter().map(|h| (h.level, h.text.as_str(), h.line, h.id.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (1, "Title", 1, "title"),
                (2, "Install npm", 5, "install-npm"),
                (2, "Setext", 11, "setext"),
                (2, "Install npm", 14, "install-npm-1"),
            ]
        );
    }

    #[test]
    fn render_escapes_raw_html_unless_allowed() {
        let src = "Hi <script>alert(1)</script> **bold**\n";
        let safe = render(src, false, &|| false).unwrap().html;
        assert!(safe.contains("&lt;script&gt;"), "{safe}");
        assert!(safe.contains("<strong>bold</strong>"));
        let raw = render(src, true, &|| false).unwrap().html;
        assert!(raw.contains("<script>alert(1)</script>"));
    }

    #[test]
    fn render_supports_tables_and_task_lists() {
        let html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n", false, &|| false).unwrap().html;
        assert!(html.contains("<table>"));
        assert!(html.contains("checkbox"));
    }

    #[test]
    fn cancellation_stops_the_work() {
        assert_eq!(outline(DOC, &|| true).unwrap_err(), Cancelled);
        assert_eq!(render(DOC, false, &|| true).unwrap_err(), Cancelled);
    }
}
