//! The `status` report's HTML page in headless Chromium: rendered from the report of a fleet with
//! nodes in every verdict (and hostile text in a command comment, a node id, a message), the DOM
//! after the page's script ran has the controls, every node row with its verdict and the summary
//! counts; filtering and sorting work (driven by the URL fragment, which the page keeps its view
//! in); a screenshot and a PDF are saved as test artifacts (`$SSMPATCH_TEST_ARTIFACTS`, else
//! `test-artifacts` in the target directory).
//!
//! Without Chromium the tests print why and return, except with `CI=true`, where they fail.

#![cfg(feature = "aws")]

use std::path::PathBuf;

use ssmpatch::compliance::status::{StatusReport, Verdict, status_html};
use ssmpatch_test_support::chromium::WINDOW;
use ssmpatch_test_support::{artifacts_dir, chromium, standin::root};

fn fixture() -> StatusReport {
    let path = root().join("core/tests/data/status-report.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The page, written as an artifact (`name`.html) beside the screenshot.
fn page(name: &str) -> (StatusReport, PathBuf) {
    let report = fixture();
    let path = artifacts_dir().join(format!("{name}.html"));
    std::fs::write(&path, status_html(&report)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (report, path)
}

/// The attributes of every `<tag …>` start tag in serialised HTML, in document order (quoted
/// values read up to their closing quote, entities decoded).
pub(crate) fn start_tags(html: &str, tag: &str) -> Vec<Vec<(String, String)>> {
    let open = format!("<{tag}");
    let mut tags = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&open) {
        rest = &rest[i + open.len()..];
        if !rest.starts_with([' ', '>', '/']) {
            continue;
        }
        let mut attrs = Vec::new();
        let mut s = rest.trim_start();
        while !s.starts_with('>') && !s.is_empty() {
            let name_end = s.find(['=', ' ', '>']).unwrap_or(s.len());
            let name = s[..name_end].trim_end_matches('/').to_owned();
            s = &s[name_end..];
            let value = if let Some(v) = s.strip_prefix("=\"") {
                let end = v.find('"').expect("a closing quote");
                s = &v[end + 1..];
                unescape(&v[..end])
            } else {
                String::new()
            };
            if !name.is_empty() {
                attrs.push((name, value));
            }
            s = s.trim_start_matches([' ', '/']);
        }
        tags.push(attrs);
        rest = s;
    }
    tags
}

pub(crate) fn attr<'a>(tag: &'a [(String, String)], name: &str) -> Option<&'a str> {
    tag.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// The node rows of a dumped DOM: (node, operation, verdict, hidden), in document order.
pub(crate) fn rows(dom: &str) -> Vec<(String, String, String, bool)> {
    start_tags(dom, "tr")
        .into_iter()
        .filter_map(|t| {
            Some((
                attr(&t, "data-node")?.to_owned(),
                attr(&t, "data-operation")?.to_owned(),
                attr(&t, "data-verdict")?.to_owned(),
                attr(&t, "hidden").is_some(),
            ))
        })
        .collect()
}

/// The text of the element with `id` (up to its first `<`).
fn text_of<'a>(dom: &'a str, id: &str) -> &'a str {
    let at = dom.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no #{id} in the DOM"));
    let s = &dom[at..];
    let s = &s[s.find('>').expect("end of the start tag") + 1..];
    &s[..s.find('<').unwrap_or(s.len())]
}

#[test]
fn chromium_renders_every_node_with_its_verdict_the_controls_and_the_counts() {
    let Some(chromium) =
        chromium("status_html::chromium_renders_every_node_with_its_verdict_the_controls_and_the_counts")
    else {
        return;
    };
    let (report, path) = page("status-report");
    let dom = chromium.dump_dom(&path, "");

    // The script ran (the policy let exactly it run) and built the controls.
    let html_tag = &start_tags(&dom, "html")[0];
    assert_eq!(attr(html_tag, "data-js"), Some("on"), "the page's script did not run");
    assert!(dom.contains("data-controls"), "no controls bar");
    assert!(dom.contains("id=\"node-filter\""), "no text filter");
    let boxes: Vec<String> = start_tags(&dom, "input")
        .iter()
        .filter(|t| attr(t, "type") == Some("checkbox"))
        .filter_map(|t| attr(t, "data-verdict").map(str::to_owned))
        .collect();
    assert_eq!(boxes, Verdict::ALL.map(|v| v.to_string()), "one checkbox per verdict");
    assert_eq!(text_of(&dom, "node-shown"), format!("{} of {} shown", report.nodes.len(), report.nodes.len()));

    // Every node row with its verdict, in the report's order, none hidden.
    let expected: Vec<_> = report
        .nodes
        .iter()
        .map(|n| (n.instance_id.clone(), n.operation.clone(), n.verdict.to_string(), false))
        .collect();
    assert_eq!(rows(&dom), expected);

    // The summary counts.
    for td in
        start_tags(&dom, "td").iter().filter(|t| attr(t, "data-count").is_some() && attr(t, "data-verdict").is_some())
    {
        let v =
            report.summary.verdicts.keys().find(|v| Some(v.as_str()) == attr(td, "data-verdict")).expect("a verdict");
        let expected = match attr(td, "data-operation") {
            Some(op) => report.summary.by_operation[op][v],
            None => report.summary.verdicts[v],
        };
        assert_eq!(attr(td, "data-count"), Some(expected.to_string().as_str()), "{td:?}");
    }
    assert_eq!(
        start_tags(&dom, "td")
            .iter()
            .filter(|t| attr(t, "data-count").is_some() && attr(t, "data-verdict").is_some())
            .count(),
        7 * (1 + report.summary.by_operation.len())
    );
    assert!(text_of(&dom, "headline").starts_with("8 node(s): 1 current, 7 not current"));

    // The hostile text stayed text: the one script and no image element exist in the DOM.
    assert_eq!(dom.matches("<script").count(), 1, "a script from the data");
    assert!(!dom.contains("<img"), "an image element from the data");
    assert!(
        dom.contains("nightly &lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;")
    );

    // Evidence folded on screen by the script (open in the page without it).
    assert!(!dom.contains("<details open"), "evidence left unfolded");
    assert_eq!(dom.matches("<details>").count(), report.nodes.len());
}

#[test]
fn chromium_filters_and_sorts_the_node_table() {
    let Some(chromium) = chromium("status_html::chromium_filters_and_sorts_the_node_table") else {
        return;
    };
    let (report, path) = page("status-report-filters");
    let total = report.nodes.len();

    // Verdicts.
    let dom = chromium.dump_dom(&path, "verdict=failed,missed");
    let shown: Vec<_> = rows(&dom).into_iter().filter(|r| !r.3).map(|r| r.2).collect();
    assert_eq!(shown, ["failed", "missed"]);
    assert_eq!(rows(&dom).len(), total, "hidden rows stay in the table");
    assert_eq!(text_of(&dom, "node-shown"), format!("2 of {total} shown"));

    // Text (a foreign command id, in the evidence and the Later scan column).
    let dom = chromium.dump_dom(&path, "q=c-foreign");
    let shown: Vec<_> = rows(&dom).into_iter().filter(|r| !r.3).map(|r| (r.0, r.2)).collect();
    assert_eq!(shown, [("i-0c".to_owned(), "overwritten".to_owned())]);
    assert_eq!(text_of(&dom, "node-shown"), format!("1 of {total} shown"));

    // Sorting by node id, descending; ties keep the report's order (stable).
    let dom = chromium.dump_dom(&path, "sort=-node");
    let order: Vec<_> = rows(&dom).into_iter().map(|r| (r.0, r.1)).collect();
    let mut expected: Vec<_> = report.nodes.iter().map(|n| (n.instance_id.clone(), n.operation.clone())).collect();
    expected.sort_by(|a, b| b.0.cmp(&a.0));
    assert_eq!(order, expected);
    let th = start_tags(&dom, "th").into_iter().find(|t| attr(t, "data-key") == Some("node")).expect("the Node header");
    assert_eq!(attr(&th, "aria-sort"), Some("descending"));

    // By verdict, most urgent last.
    let dom = chromium.dump_dom(&path, "sort=-verdict&verdict=current,failed,stale");
    let shown: Vec<_> = rows(&dom).into_iter().filter(|r| !r.3).map(|r| r.2).collect();
    let mut expected: Vec<_> = report
        .nodes
        .iter()
        .filter(|n| matches!(n.verdict, Verdict::Current | Verdict::Failed | Verdict::Stale))
        .map(|n| n.verdict)
        .collect();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(shown, expected.iter().map(|v| v.to_string()).collect::<Vec<_>>());
}

#[test]
fn chromium_screenshot_and_pdf_are_saved_as_artifacts() {
    let Some(chromium) = chromium("status_html::chromium_screenshot_and_pdf_are_saved_as_artifacts") else {
        return;
    };
    let (_, path) = page("status-report");
    let png = artifacts_dir().join("status-report.png");
    let shot = chromium.screenshot(&path, &png, WINDOW);
    let bytes = std::fs::read(&png).expect("the screenshot");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let width = u32::from_be_bytes(bytes[16..20].try_into().expect("4 bytes"));
    let height = u32::from_be_bytes(bytes[20..24].try_into().expect("4 bytes"));
    assert_eq!((width, height), WINDOW, "the screenshot's size");
    assert!(bytes.len() > 30_000, "a {}-byte screenshot of a full page is implausibly small", bytes.len());
    eprintln!("screenshot: {} ({} bytes, {:?})", png.display(), bytes.len(), shot.took);

    let pdf_path = artifacts_dir().join("status-report.pdf");
    let pdf = chromium.print_to_pdf(&path, &pdf_path);
    let bytes = std::fs::read(&pdf_path).expect("the PDF");
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    assert!(bytes.trim_ascii_end().ends_with(b"%%EOF"), "a truncated PDF");
    // A4 landscape (842 x 595 points) from the print style sheet's @page rule.
    let text = String::from_utf8_lossy(&bytes);
    let boxes: Vec<Vec<f64>> = text
        .split("/MediaBox [")
        .skip(1)
        .map(|s| {
            s[..s.find(']').expect("a MediaBox")].split_whitespace().map(|n| n.parse().expect("a number")).collect()
        })
        .collect();
    assert!(!boxes.is_empty(), "no page in the PDF");
    for b in &boxes {
        assert!(
            b.len() == 4 && (b[2] - 842.0).abs() < 1.0 && (b[3] - 595.0).abs() < 1.0,
            "a page that is not A4 landscape: {b:?}"
        );
    }
    eprintln!("pdf: {} ({} bytes, {} page(s), {:?})", pdf_path.display(), bytes.len(), boxes.len(), pdf.took);
}
