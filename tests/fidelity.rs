//! The programme's own content says what its source, the programme's board
//! paper on phase two, supports, in its tense: what the paper proposes is
//! written as a proposal, not as something done; example pages the paper does
//! not support are marked illustrative, in their front matter and where readers
//! see them; the councils taxonomy holds councils; and a link that names a page
//! spells it as the page does.
//!
//! The Markdown files under content/ are read directly: nothing is built.
//! Phrases are compared in lower case, with runs of white space (line breaks
//! included) read as one space, curly quotes as straight ones, and Markdown
//! emphasis (`*`) left out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What one content file must not say, and must say, each with the reason in
/// plain words (the paragraph of the board paper it comes from, where there
/// is one).
struct Expect {
    file: &'static str,
    must_not: &'static [(&'static str, &'static str)],
    must: &'static [(&'static str, &'static str)],
}

/// For the workstreams that the paper proposes to carry into a phase-two
/// programme (paragraph 15): the programmes are proposals, and the paper does
/// not say what each workstream delivered.
const PROPOSED_FOR_A_PROGRAMME: &[(&str, &str)] = &[
    (
        "status: proposed for a phase-two programme",
        "the three phase-two programmes are proposals the board is asked to agree (paragraph 15)",
    ),
    (
        "## what the board paper proposes",
        "the page says where the work goes next as the paper's proposal",
    ),
];

const NOT_DONE_FOR_A_WORKSTREAM: &[(&str, &str)] = &[
    (
        "status: carried into a programme",
        "the phase-two programmes are proposals, so no work has been carried into them yet (paragraph 15)",
    ),
    (
        "the work is carried into",
        "the phase-two programmes are proposals, so no work has been carried into them yet (paragraph 15)",
    ),
    (
        "## what it delivered",
        "the paper does not say what each workstream delivered, only what the programme as a whole did (paragraph 3)",
    ),
    (
        "status: completed",
        "the paper says the workstreams are coming to the end of their work at different speeds (paragraph 5)",
    ),
];

const PROPOSED_FOR_MAINSTREAMING: &[(&str, &str)] = &[
    (
        "status: proposed for mainstreaming",
        "the paper proposes that this work be mainstreamed (paragraph 16)",
    ),
    (
        "(../pages/mainstreaming.md#",
        "the page links to the part of the mainstreaming offer that takes the work on (paragraph 16)",
    ),
];

const TABLE: &[Expect] = &[
    // ------------------------------------------------------------ workstreams
    Expect {
        file: "workstreams/central-government-barriers-and-burdens.md",
        must_not: &[
            ("status: completed", "the paper lists this work under mainstreaming (16.5), not as completed"),
            ("the workstream is completed", "the paper lists this work under mainstreaming (16.5), not as completed"),
            ("bilateral arrangements with whitehall take forward", "the bilateral arrangements are proposed (16.5), not in place"),
        ],
        must: &[
            ("status: proposed for mainstreaming", "the paper lists this work under mainstreaming productivity support (16.5)"),
            ("it is proposed to establish bilateral arrangements", "the paper's words: the arrangements are proposed (16.5)"),
        ],
    },
    Expect {
        file: "workstreams/democratic-leadership.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_MAINSTREAMING,
    },
    Expect {
        file: "workstreams/data-and-transparency.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_MAINSTREAMING,
    },
    Expect {
        file: "workstreams/procurement-capital-and-shared-assets.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_A_PROGRAMME,
    },
    Expect {
        file: "workstreams/shaping-markets-and-new-models-of-delivery.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_A_PROGRAMME,
    },
    Expect {
        file: "workstreams/adult-social-care.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_A_PROGRAMME,
    },
    Expect {
        file: "workstreams/childrens-services.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_A_PROGRAMME,
    },
    Expect {
        file: "workstreams/shared-services-across-areas-tiers-and-partnerships.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_A_PROGRAMME,
    },
    Expect {
        file: "workstreams/workforce-and-skills.md",
        must_not: NOT_DONE_FOR_A_WORKSTREAM,
        must: PROPOSED_FOR_A_PROGRAMME,
    },
    // ------------------------------------------------------------ programmes
    Expect {
        file: "programmes/market-management-purchasing-capital-and-assets.md",
        must_not: &[
            ("the programme establishes a procurement hub", "the procurement hub is proposed: 'this will include establishing' (15.1)"),
            ("initial work identifies", "the paper says initial work 'would identify' the priorities (15.1)"),
            ("why it may pay", "the paper gives no reasons for the procurement categories, only that very early thinking suggests them (15.1)"),
        ],
        must: &[
            ("will include establishing a procurement hub", "the paper's words for the procurement hub (15.1)"),
            ("very early thinking suggests", "the categories are very early thinking (15.1)"),
            ("the board is asked to agree or amend the proposals", "the programme is a proposal (recommendation 1)"),
        ],
    },
    Expect {
        file: "programmes/future-ways-of-working.md",
        must_not: &[
            ("it brings together a wider group", "the paper says the programme 'would bring together' (15.2)"),
            ("it involves, where appropriate", "the paper says the programme 'would involve' (15.2)"),
        ],
        must: &[
            ("would bring together a wider group of politicians and chief officers", "the paper's words (15.2)"),
            ("would be likely to include", "the paper's words for what the programme would explore (15.2)"),
        ],
    },
    Expect {
        file: "programmes/children-adults-and-families.md",
        must_not: &[
            ("this programme focuses on", "the paper describes an opportunity for the work to be focused, not a running programme (15.3)"),
            ("it shares emerging practice", "the paper says 'this would be done through sharing' (15.3)"),
        ],
        must: &[
            ("this would be done through sharing emerging practice", "the paper's words (15.3)"),
            ("the board is asked to agree or amend the proposals", "the programme is a proposal (recommendation 1)"),
        ],
    },
    // ------------------------------------------------------------ pages
    Expect {
        file: "pages/about.md",
        must_not: &[
            ("is now called the local productivity programme", "the new name is a proposal on which members' views are sought (paragraph 21)"),
            ("phase two moves from quick wins to big wins", "phase two is a proposal the board is asked to agree (paragraph 15)"),
            ("[productivity opportunities](../opportunities/compare-unit-costs.md)", "a link labelled as the whole library must not lead to one example"),
        ],
        must: &[
            ("proposes that in future it be referred to as the local productivity programme", "the new name is a proposal (paragraph 21)"),
            ("an on-line library of over 80 productivity opportunities", "the paper says the library holds over 80 (paragraph 4)"),
            ("illustrative examples", "the opportunities on the Knowledge Hub are examples, not the library"),
            ("(mainstreaming.md)", "the page leads to the mainstreaming offer (16.1 to 16.5)"),
        ],
    },
    Expect {
        file: "pages/governance.md",
        must_not: &[
            ("the challenge group has been set up", "the paper says it is proposed to set up a challenge group (paragraph 17)"),
            ("examines the ideas", "the challenge group is proposed, so it does not examine anything yet (paragraph 17)"),
            ("co-ordinating group meets regularly", "the paper says the group 'will meet regularly' (paragraph 10)"),
            ("continues to be through the improvement programme board", "the paper says governance 'will continue to be' through the board (paragraph 9)"),
            ("new staffing structure in place from april 2011", "the structure 'will be in place from April 2011' (paragraph 11)"),
        ],
        must: &[
            ("it is proposed to set up a challenge group", "the paper's words (paragraph 17)"),
            ("will meet regularly", "the paper's words for the officer co-ordinating group (paragraph 10)"),
            ("reports on progress to date", "the paper recommends that the board reports to the LG Group Executive (recommendation 4)"),
            ("to the lg group executive", "the paper recommends that the board reports to the LG Group Executive (recommendation 4)"),
            ("through first and articles in the trade press", "the publicity gained through First and the trade press (paragraph 20)"),
            ("a communications strategy is being developed", "the paper says the strategy is being developed (paragraph 20)"),
        ],
    },
    Expect {
        file: "pages/mainstreaming.md",
        must_not: &[
            ("is working with a few councils to pilot", "the pilots are planned: 'we will be working with a few councils' (16.3)"),
        ],
        must: &[
            ("## test, pilot and deliver practical support", "the first part of the mainstreaming offer (16.1)"),
            ("## develop democratic leadership", "the second part of the mainstreaming offer (16.2)"),
            ("## support individual authorities in trying out new approaches", "the third part of the mainstreaming offer (16.3)"),
            ("## mainstream support for practice exchange", "the fourth part of the mainstreaming offer (16.4)"),
            ("## engage in dialogue with whitehall", "the fifth part of the mainstreaming offer (16.5)"),
            ("hampshire is doing with wigan", "the paper gives the Hampshire and Wigan work as its example of practice exchange (16.4)"),
            ("it is proposed to establish bilateral arrangements", "the paper's words (16.5)"),
            ("will be working with a few councils to pilot", "the paper's words (16.3)"),
        ],
    },
    Expect {
        file: "pages/accessibility.md",
        must_not: &[
            ("through the feedback address on the lg group productivity website", "an accessibility statement gives the contact itself, not directions to find it"),
        ],
        must: &[
            ("mailto:accessibility@productivity.example.org", "a statement says how to contact the team, through a role mailbox"),
            ("equality and human rights commission", "a statement sets out the enforcement procedure"),
            ("equality advisory and support service", "a statement says where to go if the response is not good enough"),
            ("### compliance status", "a statement gives its compliance status"),
            ("### content that is not accessible", "a statement lists the content known not to be accessible"),
            ("this statement was prepared on", "a statement says when it was prepared"),
            ("it was last reviewed on", "a statement says when it was last reviewed"),
        ],
    },
    // ------------------------------------------------------------ updates
    Expect {
        file: "updates/knowledge-hub-goes-live.md",
        must_not: &[
            ("has gone live", "the paper says the Knowledge Hub goes live in the near future (paragraph 5)"),
            ("is now live", "the paper says the Knowledge Hub goes live in the near future (paragraph 5)"),
            ("title: the knowledge hub goes live summary", "the title must not announce as done a launch the paper expects in the near future (paragraph 5)"),
            ("it becomes the place to find", "the paper says the Hub 'will be the place to locate this work' (paragraph 5)"),
            ("reports and toolkits are hosted on", "the paper says outputs 'will be hosted' as they are completed (paragraph 5)"),
        ],
        must: &[
            ("goes live in the near future", "the paper's words (paragraph 5)"),
            ("will be the place to locate this work", "the paper's words (paragraph 5)"),
            ("in the meantime", "until then, outputs will be hosted on the LG Group productivity website (paragraph 5)"),
            ("written after the national conference of 3 december 2010", "an update that describes plans says when they were made"),
        ],
    },
    Expect {
        file: "updates/change-of-name.md",
        must_not: &[
            ("is now referred to as", "the new name is a proposal on which members' views are sought (paragraph 21)"),
            ("becomes the local productivity programme", "the new name is a proposal on which members' views are sought (paragraph 21)"),
            ("[workstreams](../workstreams/democratic-leadership.md)", "a link labelled 'workstreams' must not lead to one workstream"),
            ("[phase-two programmes](../programmes/future-ways-of-working.md)", "a link labelled 'phase-two programmes' must not lead to one programme"),
        ],
        must: &[
            ("proposes that in future it be referred to as the local productivity programme", "the paper's words (paragraph 21)"),
            ("members' views are sought", "the board is asked for its view (recommendation 3)"),
            ("written after the national conference of 3 december 2010", "an update that describes plans says when they were made"),
        ],
    },
    Expect {
        file: "updates/national-conference-december-2010.md",
        must_not: &[
            ("the programme is working with a few councils to pilot", "the pilots are planned: 'we will be working with a few councils' (16.3)"),
        ],
        must: &[
            ("over 80 productivity opportunities", "the paper says the library holds over 80 (paragraph 4)"),
            ("will be working with a few councils to pilot", "the paper's words (16.3)"),
        ],
    },
    Expect {
        file: "updates/phase-two-proposals.md",
        must_not: &[],
        must: &[
            ("member-led workshops", "the board is asked whether to hold them (recommendation 2)"),
            ("reports on progress to date, and on the proposals for phase two, to the lg group executive", "recommendation 4"),
            ("written after the national conference of 3 december 2010", "an update that describes plans says when they were made"),
        ],
    },
    Expect {
        file: "updates/community-budget-pathfinders.md",
        must_not: &[
            ("the programme will continually transfer learning", "the paper says learning 'will also need to be continually transferred' (paragraph 19)"),
        ],
        must: &[
            ("will also need to be continually transferred", "the paper's words (paragraph 19)"),
            ("written after the national conference of 3 december 2010", "an update that describes plans says when they were made"),
        ],
    },
    // ------------------------------------------------------------ case studies
    Expect {
        file: "case-studies/community-budget-pathfinders.md",
        must_not: &[
            ("community budget pathfinder areas", "the councils field holds councils, and the paper names none for the pathfinders (paragraph 19)"),
            ("total place pilot areas", "the councils field holds councils, and the paper names none for the Total Place pilots (paragraph 19)"),
            ("learning is continually transferred between", "the paper says learning 'will also need to be continually transferred' (paragraph 19)"),
            ("workstream: childrens-services", "the paper ties the pathfinders to no workstream (paragraph 19)"),
        ],
        must: &[
            ("will also need to be continually transferred", "the paper's words (paragraph 19)"),
            ("does not name the pathfinder areas", "readers learn why no council is listed"),
        ],
    },
    Expect {
        file: "case-studies/hampshire-wigan-capital-assets.md",
        must_not: &[
            ("workstream: procurement-capital-and-shared-assets", "the paper gives the Hampshire and Wigan work as an example of practice exchange (16.4), not of a workstream"),
            ("this case study belongs to the", "the paper gives the Hampshire and Wigan work as an example of practice exchange (16.4), not of a workstream"),
            ("what others can take from it", "the paper draws no lessons from the Hampshire and Wigan work (16.4)"),
        ],
        must: &[
            ("hampshire is doing with wigan", "the paper's words: the work is under way (16.4)"),
            ("(../pages/mainstreaming.md#mainstream-support-for-practice-exchange)", "the work belongs to the practice-exchange offer (16.4)"),
        ],
    },
    // ------------------------------------------------------------ guides
    Expect {
        file: "guides/testing-your-council-against-the-opportunities.md",
        must_not: &[
            ("councils are piloting", "the pilots are planned: 'we will be working with a few councils' (16.3)"),
            ("each opportunity has a short set of self-assessment questions", "the paper does not describe the library's entries (paragraph 4)"),
        ],
        must: &[
            ("over 80 productivity opportunities", "the paper says the library holds over 80 (paragraph 4)"),
            ("will be working with a few councils to pilot", "the paper's words (16.3)"),
        ],
    },
    Expect {
        file: "guides/setting-up-a-shared-service.md",
        must_not: &[
            ("a how-to guide from the", "the paper does not say that a workstream wrote this guide"),
        ],
        must: &[
            ("illustrative: true", "the paper does not describe the workstreams' guides, so this advice is an example"),
        ],
    },
    Expect {
        file: "guides/sharing-capital-assets.md",
        must_not: &[
            ("capital assets and buildings are one of the biggest opportunities", "the paper does not say so"),
            ("hampshire worked with wigan", "the paper says the work is under way: 'the work Hampshire is doing with Wigan' (16.4)"),
        ],
        must: &[
            ("illustrative: true", "the paper does not describe the workstreams' toolkits, so this advice is an example"),
        ],
    },
    // ------------------------------------------------------------ opportunities
    Expect {
        file: "opportunities/new-user-pathways-for-children-and-families.md",
        must_not: &[
            ("[childrens services]", "the link text keeps the workstream's apostrophe: Children's Services"),
            ("is the heart of the phase-two people services programme", "the programme is a proposal (15.3)"),
        ],
        must: &[("illustrative: true", "the paper lists no individual opportunity (paragraph 4)")],
    },
    Expect {
        file: "opportunities/report-barriers-to-whitehall.md",
        must_not: &[
            ("bilateral arrangements with whitehall take forward", "the bilateral arrangements are proposed (16.5), not in place"),
        ],
        must: &[("illustrative: true", "the paper lists no individual opportunity (paragraph 4)")],
    },
];

/// Councils the board paper names, as it names them.
const COUNCILS_NAMED_IN_THE_PAPER: &[&str] = &["Hampshire", "Wigan"];

fn content() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("content")
}

/// A content file: its front matter and body, and where it is, for messages.
struct Page {
    shown: String,
    text: String,
    front: serde_yaml::Mapping,
    body: String,
}

fn load(rel: &str) -> Option<Page> {
    let text = std::fs::read_to_string(content().join(rel)).ok()?;
    let rest = text
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("content/{rel} does not start with front matter"));
    let (front, body) = rest
        .split_once("\n---\n")
        .unwrap_or_else(|| panic!("content/{rel}: its front matter is not closed"));
    let front: serde_yaml::Mapping = serde_yaml::from_str(front)
        .unwrap_or_else(|e| panic!("content/{rel}: its front matter does not parse: {e}"));
    Some(Page {
        shown: format!("content/{rel}"),
        body: body.to_string(),
        front,
        text,
    })
}

/// Every Markdown file under content/, by path relative to it, sorted.
fn all_pages() -> Vec<(String, Page)> {
    let mut pages: Vec<(String, Page)> = walkdir::WalkDir::new(content())
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(content())
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let page = load(&rel).unwrap();
            (rel, page)
        })
        .collect();
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    pages
}

/// Text as the phrases are compared: lower case, curly quotes straight, no
/// `*`, and every run of white space one space.
fn plain(text: &str) -> String {
    let text: String = text
        .to_lowercase()
        .chars()
        .filter(|c| *c != '*')
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' => '\'',
            '\u{201c}' | '\u{201d}' => '"',
            c => c,
        })
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn field<'a>(page: &'a Page, name: &str) -> Option<&'a serde_yaml::Value> {
    page.front.get(serde_yaml::Value::from(name))
}

fn report(what: &str, failures: &[String]) {
    assert!(
        failures.is_empty(),
        "{} {what}:\n  - {}\n",
        failures.len(),
        failures.join("\n  - ")
    );
}

#[test]
fn each_file_says_what_the_board_paper_says_in_its_tense() {
    let mut failures = Vec::new();
    for expect in TABLE {
        let Some(page) = load(expect.file) else {
            failures.push(format!(
                "content/{} is in the table of tests/fidelity.rs but does not exist",
                expect.file
            ));
            continue;
        };
        let text = plain(&page.text);
        for (phrase, why) in expect.must_not {
            if text.contains(&plain(phrase)) {
                failures.push(format!(
                    "{} says \"{phrase}\", but it should not: {why}",
                    page.shown
                ));
            }
        }
        for (phrase, why) in expect.must {
            if !text.contains(&plain(phrase)) {
                failures.push(format!(
                    "{} does not say \"{phrase}\", but it should: {why}",
                    page.shown
                ));
            }
        }
    }
    report(
        "places where the content departs from the board paper",
        &failures,
    );
}

/// Whether `term` names a council: "… Council", "… Borough", "London Borough
/// of …", "Royal Borough of …", or a council the paper names.
fn names_a_council(term: &str) -> bool {
    let lower = term.to_lowercase();
    let not_a_council = ["area", "pilot", "pathfinder", "partnership", "region"];
    if not_a_council.iter().any(|w| lower.contains(w)) {
        return false;
    }
    term.ends_with(" Council")
        || term.ends_with(" Borough")
        || term.starts_with("London Borough of ")
        || term.starts_with("Royal Borough of ")
        || COUNCILS_NAMED_IN_THE_PAPER.contains(&term)
}

#[test]
fn every_term_of_the_councils_taxonomy_names_a_council() {
    assert!(names_a_council("Wigan Council"));
    assert!(names_a_council("Hampshire"));
    assert!(!names_a_council("Community budget pathfinder areas"));
    assert!(!names_a_council("Total Place pilot areas"));
    // The taxonomy's terms come from the field site.toml names for it.
    let toml: toml::Table =
        toml::from_str(&std::fs::read_to_string(content().join("../site.toml")).unwrap()).unwrap();
    let taxonomy = toml["taxonomies"]["councils"].as_table().unwrap();
    let name = taxonomy
        .get("field")
        .and_then(|f| f.as_str())
        .unwrap_or("councils");
    let mut failures = Vec::new();
    let mut terms = 0;
    for (_, page) in all_pages() {
        let Some(value) = field(&page, name) else {
            continue;
        };
        let list = value
            .as_sequence()
            .unwrap_or_else(|| panic!("{}: `{name}` is not a list", page.shown));
        for term in list {
            let term = term.as_str().unwrap_or_default();
            terms += 1;
            if !names_a_council(term) {
                failures.push(format!(
                    "{} lists \"{term}\" under `{name}`, which is not the name of a council: \
                     the councils taxonomy holds councils (\"… Council\", \"… Borough\", or one \
                     the board paper names: {})",
                    page.shown,
                    COUNCILS_NAMED_IN_THE_PAPER.join(", ")
                ));
            }
        }
    }
    assert!(
        terms > 0,
        "no page lists any council: is the field `{name}`?"
    );
    report(
        "terms of the councils taxonomy that are not councils",
        &failures,
    );
}

/// The first paragraph of a page's body, as compared.
fn first_paragraph(body: &str) -> String {
    let para: Vec<&str> = body
        .lines()
        .skip_while(|l| l.trim().is_empty())
        .take_while(|l| !l.trim().is_empty())
        .collect();
    plain(&para.join(" "))
}

#[test]
fn every_illustrative_page_says_so_where_readers_see_it() {
    let mut failures = Vec::new();
    let mut marked = 0;
    for (rel, page) in all_pages() {
        let flagged =
            field(&page, "illustrative").and_then(serde_yaml::Value::as_bool) == Some(true);
        let says_so = first_paragraph(&page.body).starts_with("illustrative example:");
        if rel.starts_with("opportunities/") && !flagged {
            failures.push(format!(
                "{} is not marked `illustrative: true`, but the board paper lists no individual \
                 Productivity Opportunity, so every page of the library is an example",
                page.shown
            ));
        }
        if !flagged {
            if says_so {
                failures.push(format!(
                    "{} starts \"Illustrative example:\" but its front matter lacks `illustrative: true`",
                    page.shown
                ));
            }
            continue;
        }
        marked += 1;
        if !says_so {
            failures.push(format!(
                "{} is marked `illustrative: true`, but its body does not start with \
                 \"Illustrative example:\", so readers are not told",
                page.shown
            ));
        }
        let summary = field(&page, "summary").and_then(serde_yaml::Value::as_str);
        if !summary.is_some_and(|s| plain(s).starts_with("illustrative example:")) {
            failures.push(format!(
                "{} is marked `illustrative: true`, but its summary (shown in lists and search) \
                 does not start with \"Illustrative example:\"",
                page.shown
            ));
        }
        if rel.starts_with("opportunities/") && !plain(&page.body).contains("over 80") {
            failures.push(format!(
                "{} is an example opportunity but does not say that the library holds over 80 \
                 (paragraph 4 of the board paper)",
                page.shown
            ));
        }
    }
    if marked == 0 {
        failures.push("no page is marked `illustrative: true`".to_string());
    }
    report("illustrative pages that do not say so", &failures);
}

/// Letters and digits of `s` in lower case, words separated by one space.
fn letters(s: &str) -> String {
    let kept: String = s
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Markdown links to content files in `body`: (text, target path as written).
fn content_links(body: &str) -> Vec<(String, String)> {
    let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut links = Vec::new();
    let mut from = 0;
    while let Some(i) = flat[from..].find("](") {
        let close = from + i;
        from = close + 2;
        let Some(end) = flat[from..].find(')') else {
            break;
        };
        let target = &flat[from..from + end];
        let Some(open) = flat[..close].rfind('[') else {
            continue;
        };
        let path = target.split(['#', ' ']).next().unwrap_or_default();
        // Links to pages end in `.md`, in lower case: `.MD` files are refused.
        if std::path::Path::new(path)
            .extension()
            .is_some_and(|e| e == "md")
            && !path.contains(':')
        {
            links.push((flat[open + 1..close].to_string(), path.to_string()));
        }
    }
    links
}

#[test]
fn a_link_that_names_a_page_spells_it_as_the_page_does() {
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let pages = all_pages();
    for (rel, page) in &pages {
        let title = field(page, "title").and_then(serde_yaml::Value::as_str);
        titles.insert(rel.clone(), title.unwrap_or_default().to_string());
    }
    let mut failures = Vec::new();
    for (rel, page) in &pages {
        for (text, path) in content_links(&page.body) {
            let dir = Path::new(rel).parent().unwrap_or(Path::new(""));
            let mut target = PathBuf::new();
            for part in dir.join(&path).components() {
                match part {
                    std::path::Component::ParentDir => {
                        target.pop();
                    }
                    std::path::Component::Normal(p) => target.push(p),
                    _ => {}
                }
            }
            let target = target.to_string_lossy().replace('\\', "/");
            let Some(title) = titles.get(&target) else {
                continue;
            };
            let text = text.replace('*', "");
            if letters(&text) == letters(title) && text.to_lowercase() != title.to_lowercase() {
                failures.push(format!(
                    "{} links to {target} as \"{text}\", which drops the punctuation of its \
                     title: write \"{title}\"",
                    page.shown
                ));
            }
        }
    }
    report("link texts that lose a page title's punctuation", &failures);
}
