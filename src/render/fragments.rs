//! What many pages show alike, rendered once: the `list_item` and
//! `shared_partial` functions of the templates.
//!
//! A document is listed on many pages (its section's list, its terms' lists,
//! the related boxes and referrer lists of other documents), and each time as
//! the theme's `item` macro (`macros.html`) renders it. `list_item(id=p.id,
//! show_type=…, level=…)` gives the same HTML, rendered by that macro the first
//! time a page of the target asks for it and kept for every later page: a
//! shared fragment, so that a list costs a lookup per item, not a template run.
//!
//! `shared_partial(template="partials/menu.html", current=menu_current)` does
//! the same for a part of every page that depends on the site and on the
//! arguments only (the header's menu, the footer): the template is rendered
//! with `site` and those arguments, once for each set of them.
//!
//! The fragments belong to the [`TargetView`](super::TargetView) that renders
//! the page (the live preview makes a view, with its own fragments, for each
//! version of the site): while a view renders a page, [`rendering`] makes its
//! fragments the current thread's, where the function finds them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use serde_json::Value as Json;
use tera::{Context, Tera};

use super::ListItem;
use crate::site::DocId;

/// The templates a fragment is rendered with: the theme's own macro, given the
/// arguments the page gave (the macro's defaults stand for the others), by
/// [`Variant`] (`show_type` given, `level` given).
const TEMPLATES: [(&str, &str); 4] = [
    (
        "__hubgen/list_item.html",
        r#"{% import "macros.html" as m %}{{ m::item(p=p) }}"#,
    ),
    (
        "__hubgen/list_item_t.html",
        r#"{% import "macros.html" as m %}{{ m::item(p=p, show_type=show_type) }}"#,
    ),
    (
        "__hubgen/list_item_l.html",
        r#"{% import "macros.html" as m %}{{ m::item(p=p, level=level) }}"#,
    ),
    (
        "__hubgen/list_item_tl.html",
        r#"{% import "macros.html" as m %}{{ m::item(p=p, show_type=show_type, level=level) }}"#,
    ),
];
/// The names templates call.
pub(super) const FUNCTION: &str = "list_item";
pub(super) const PARTIAL: &str = "shared_partial";
/// Independent locks for the cache, so that the cores seldom wait on each other.
const SHARDS: usize = 16;

/// A fragment's arguments besides the document, as the page gave them:
/// `show_type`, and `level` (1 to 6).
type Variant = (Option<bool>, Option<u8>);

/// Part of the fragments made so far, by document and variant.
type Shard = HashMap<(DocId, Variant), Arc<str>>;

/// The list items a view can show, and their fragments rendered so far.
pub(super) struct Fragments {
    /// This target's documents' items, by document id.
    own: Vec<Option<Arc<ListItem>>>,
    /// Items of documents another target publishes, made when a page first lists them.
    foreign: Vec<OnceLock<Arc<ListItem>>>,
    cache: [Mutex<Shard>; SHARDS],
    /// The `site` variable, as every page of the view gets it.
    site: Json,
    /// Shared partials made so far, by template and arguments.
    partials: Mutex<HashMap<String, Arc<str>>>,
}

impl Fragments {
    pub(super) fn new(own: Vec<Option<Arc<ListItem>>>, site: Json) -> Fragments {
        let foreign = std::iter::repeat_with(OnceLock::new)
            .take(own.len())
            .collect();
        Fragments {
            own,
            foreign,
            cache: std::array::from_fn(|_| Mutex::default()),
            site,
            partials: Mutex::default(),
        }
    }

    /// Document `id`'s item: this target's, or the other target's made by `make` once.
    pub(super) fn item(&self, id: DocId, make: impl FnOnce() -> ListItem) -> &ListItem {
        match &self.own[id] {
            Some(item) => item,
            None => self.foreign[id].get_or_init(|| Arc::new(make())),
        }
    }

    /// Document `id`'s item if this target has it or a page has listed it.
    fn made(&self, id: DocId) -> Option<&ListItem> {
        self.own
            .get(id)?
            .as_deref()
            .or_else(|| self.foreign[id].get().map(AsRef::as_ref))
    }

    fn fragment(&self, tera: &Tera, id: DocId, variant: Variant) -> tera::Result<Arc<str>> {
        once(&self.cache[id % SHARDS], (id, variant), || {
            let item = self.made(id).ok_or_else(|| {
                tera::Error::msg(format!(
                    "{FUNCTION}: no document with id {id} is listed on this page (give it `p.id` of an item the page lists)"
                ))
            })?;
            let mut ctx = Context::new();
            // What every page of the view has alike; nothing of the page itself.
            ctx.insert("site", &self.site);
            ctx.insert("p", item);
            ctx.insert("show_type", &variant.0);
            ctx.insert("level", &variant.1);
            let template = TEMPLATES
                [usize::from(variant.0.is_some()) + 2 * usize::from(variant.1.is_some())]
            .0;
            tera.render(template, &ctx)
        })
    }
}

impl Fragments {
    fn partial(
        &self,
        tera: &Tera,
        template: &str,
        args: &BTreeMap<&String, &Json>,
    ) -> tera::Result<Arc<str>> {
        let key = format!(
            "{template}\n{}",
            serde_json::to_string(args).unwrap_or_default()
        );
        once(&self.partials, key, || {
            let mut ctx = Context::new();
            ctx.insert("site", &self.site);
            for (name, value) in args {
                ctx.insert(name.as_str(), value);
            }
            tera.render(template, &ctx)
        })
    }
}

/// What `cache` holds for `key`, or what `render` makes, kept there. Rendered
/// outside the lock: two cores may both render what two pages ask for at
/// once, and both get the same bytes.
fn once<K: std::hash::Hash + Eq>(
    cache: &Mutex<HashMap<K, Arc<str>>>,
    key: K,
    render: impl FnOnce() -> tera::Result<String>,
) -> tera::Result<Arc<str>> {
    let lock = || cache.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(html) = lock().get(&key) {
        return Ok(Arc::clone(html));
    }
    let html: Arc<str> = render()?.into();
    lock().insert(key, Arc::clone(&html));
    Ok(html)
}

thread_local! {
    /// The fragments of the view rendering a page on this thread.
    static CURRENT: RefCell<Option<Arc<Fragments>>> = const { RefCell::new(None) };
}

/// Runs `render` with `fragments` as the current thread's (see the module's documentation).
pub(super) fn rendering<R>(fragments: &Arc<Fragments>, render: impl FnOnce() -> R) -> R {
    /// Puts back what was current before, however `render` ends.
    struct Restore(Option<Arc<Fragments>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let before = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = before);
        }
    }
    let before = CURRENT.with(|c| c.borrow_mut().replace(Arc::clone(fragments)));
    let _restore = Restore(before);
    render()
}

/// Adds `shared_partial`, and `list_item` when `tera` has the theme's `macros.html`.
pub(super) fn register(tera: &mut Tera) -> tera::Result<()> {
    let mut own = tera.clone();
    let has_macros = tera.get_template("macros.html").is_ok();
    if has_macros {
        own.add_raw_templates(TEMPLATES)?;
    }
    let own = Arc::new(own);
    if has_macros {
        tera.register_function(FUNCTION, ListItemFn(Arc::clone(&own)));
    }
    tera.register_function(PARTIAL, SharedPartialFn(own));
    Ok(())
}

/// The fragments of the view rendering a page on this thread.
fn current(function: &str) -> tera::Result<Arc<Fragments>> {
    CURRENT.with(|c| c.borrow().clone()).ok_or_else(|| {
        tera::Error::msg(format!(
            "{function} can only be called while hubgen renders a page"
        ))
    })
}

/// The `shared_partial` function, with the theme's templates.
struct SharedPartialFn(Arc<Tera>);

impl tera::Function for SharedPartialFn {
    fn call(&self, args: &HashMap<String, Json>) -> tera::Result<Json> {
        let template = args.get("template").and_then(Json::as_str).ok_or_else(|| {
            tera::Error::msg(format!(
                "{PARTIAL}: needs `template`, the name of the template to render (`template=\"partials/menu.html\"`)"
            ))
        })?;
        if template.starts_with("__hubgen/") || self.0.get_template(template).is_err() {
            return Err(tera::Error::msg(format!(
                "{PARTIAL}: the theme has no template {template:?}"
            )));
        }
        let rest: BTreeMap<&String, &Json> =
            args.iter().filter(|(k, _)| *k != "template").collect();
        if rest.contains_key(&"site".to_string()) {
            return Err(tera::Error::msg(format!(
                "{PARTIAL}: `site` is given to every shared partial; name the argument otherwise"
            )));
        }
        let html = current(PARTIAL)?.partial(&self.0, template, &rest)?;
        Ok(Json::String(html.as_ref().to_owned()))
    }

    /// The template escaped what it shows.
    fn is_safe(&self) -> bool {
        true
    }
}

/// The `list_item` function, with the theme's templates to render a fragment by.
struct ListItemFn(Arc<Tera>);

impl tera::Function for ListItemFn {
    fn call(&self, args: &HashMap<String, Json>) -> tera::Result<Json> {
        let (id, variant) = arguments(args)?;
        let fragments = CURRENT.with(|c| c.borrow().clone()).ok_or_else(|| {
            tera::Error::msg(format!(
                "{FUNCTION} can only be called while hubgen renders a page"
            ))
        })?;
        let html = fragments.fragment(&self.0, id, variant)?;
        Ok(Json::String(html.as_ref().to_owned()))
    }

    /// The macro escaped what it shows.
    fn is_safe(&self) -> bool {
        true
    }
}

/// `id`, and the variant: `show_type` and `level` if given.
fn arguments(args: &HashMap<String, Json>) -> tera::Result<(DocId, Variant)> {
    let wrong = |what: &str| tera::Error::msg(format!("{FUNCTION}: {what}"));
    if let Some(other) = args
        .keys()
        .find(|k| !matches!(k.as_str(), "id" | "show_type" | "level"))
    {
        return Err(wrong(&format!(
            "unknown argument `{other}` (it takes id, show_type and level)"
        )));
    }
    let id = args
        .get("id")
        .and_then(Json::as_u64)
        .and_then(|id| DocId::try_from(id).ok())
        .ok_or_else(|| wrong("needs `id`, the id of a list item (`p.id`)"))?;
    let show_type = args
        .get("show_type")
        .map(|v| {
            // null is false to the macro's `{% if show_type %}`, as it was.
            if v.is_null() {
                return Ok(false);
            }
            v.as_bool()
                .ok_or_else(|| wrong("`show_type` is true or false"))
        })
        .transpose()?;
    let level = args
        .get("level")
        .map(|v| {
            v.as_u64()
                .filter(|l| (1..=6).contains(l))
                .and_then(|l| u8::try_from(l).ok())
                .ok_or_else(|| wrong("`level` is a heading level, 1 to 6"))
        })
        .transpose()?;
    Ok((id, (show_type, level)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::tests::fixture_site;
    use crate::render::{TargetView, Theme};

    const MACROS: &str = r"{% macro item(p, show_type=false, level=4) %}<h{{ level }}>{{ p.title }}</h{{ level }}>{% if show_type %}<p>{{ p.collection_title }}</p>{% endif %}{% endmacro item %}";

    /// A theme of two templates, `list_item` registered, and the fixture's items for target beta.
    fn setup(list: &str) -> (Tera, Arc<Fragments>, Vec<Json>) {
        setup_with(&[("t.html", list)])
    }

    /// As [`setup`], with `templates` besides `macros.html`.
    fn setup_with(templates: &[(&str, &str)]) -> (Tera, Arc<Fragments>, Vec<Json>) {
        let site = fixture_site();
        let target = site.config.target("beta").expect("the fixture has it");
        let theme = Theme::load(&site, target).expect("its theme loads");
        let view = TargetView::new(&site, target, &theme);
        let items: Vec<Json> = view
            .items
            .iter()
            .flatten()
            .map(|i| serde_json::to_value(i.as_ref()).expect("an item serialises"))
            .collect();
        let mut tera = Tera::default();
        tera.add_raw_template("macros.html", MACROS)
            .expect("the macros parse");
        tera.add_raw_templates(templates.iter().copied())
            .expect("the templates parse");
        register(&mut tera).expect("it registers");
        let site_json = serde_json::to_value(&view.site_context).expect("the site serialises");
        (
            tera,
            Arc::new(Fragments::new(view.items.to_vec(), site_json)),
            items,
        )
    }

    fn render(tera: &Tera, fragments: &Arc<Fragments>, items: &[Json]) -> tera::Result<String> {
        let mut ctx = Context::new();
        ctx.insert("items", items);
        rendering(fragments, || tera.render("t.html", &ctx))
    }

    #[test]
    fn a_fragment_is_the_macros_html_with_the_macros_defaults_for_what_is_not_given() {
        let by_macro = r#"{% import "macros.html" as m %}{% for p in items %}{{ m::item(p=p) }}|{{ m::item(p=p, show_type=true) }}|{{ m::item(p=p, level=2) }}|{{ m::item(p=p, show_type=true, level=2) }}{% endfor %}"#;
        let by_function = "{% for p in items %}{{ list_item(id=p.id) }}|{{ list_item(id=p.id, show_type=true) }}|{{ list_item(id=p.id, level=2) }}|{{ list_item(id=p.id, show_type=true, level=2) }}{% endfor %}";
        let (tera, fragments, items) = setup(by_function);
        assert!(items.len() > 1, "the fixture lists documents");
        let mut plain = Tera::default();
        plain
            .add_raw_templates([("macros.html", MACROS), ("t.html", by_macro)])
            .expect("the templates parse");
        let expected = render(&plain, &fragments, &items).expect("the macro renders");
        assert!(expected.contains("<h4>") && expected.contains("<h2>"));
        // Twice: rendered the first time, taken from the fragments the second.
        for _ in 0..2 {
            assert_eq!(
                render(&tera, &fragments, &items).expect("it renders"),
                expected
            );
        }
        let made: usize = fragments
            .cache
            .iter()
            .map(|s| s.lock().unwrap().len())
            .sum();
        assert_eq!(made, items.len() * 4, "one fragment per item and variant");
    }

    #[test]
    fn wrong_arguments_say_what_list_item_takes() {
        for (call, says) in [
            ("list_item(id=p.id, levle=2)", "unknown argument `levle`"),
            (
                "list_item(id=p.id, level=7)",
                "`level` is a heading level, 1 to 6",
            ),
            (
                "list_item(id=p.id, show_type=\"yes\")",
                "`show_type` is true or false",
            ),
            ("list_item(id=p.title)", "needs `id`"),
            (
                "list_item(id=100000)",
                "no document with id 100000 is listed on this page",
            ),
        ] {
            let (tera, fragments, items) = setup(&format!(
                "{{% for p in items %}}{{{{ {call} }}}}{{% endfor %}}"
            ));
            let e = render(&tera, &fragments, &items).expect_err(call);
            let all = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(": ");
            assert!(all.contains(says), "{call}: {all}");
        }
    }

    #[test]
    fn a_shared_partial_sees_site_and_its_arguments_and_is_rendered_once_for_each_set() {
        let (mut tera, fragments, items) = setup_with(&[
            (
                "p.html",
                "{{ site.title }}:{{ current | join(sep=\",\") }}:{{ 1 in current }}",
            ),
            (
                "t.html",
                r#"{{ shared_partial(template="p.html", current=here) }}"#,
            ),
        ]);
        let render = |tera: &Tera, here: &[usize]| {
            let mut ctx = Context::new();
            ctx.insert("here", here);
            ctx.insert("items", &items);
            rendering(&fragments, || tera.render("t.html", &ctx))
        };
        assert_eq!(render(&tera, &[0, 1]).expect("it renders"), "Beta:0,1:true");
        assert_eq!(render(&tera, &[2]).expect("it renders"), "Beta:2:false");
        assert_eq!(render(&tera, &[0, 1]).expect("it renders"), "Beta:0,1:true");
        assert_eq!(
            fragments.partials.lock().unwrap().len(),
            2,
            "once for each set of arguments"
        );
        for (call, says) in [
            (
                r#"shared_partial(template="nope.html")"#,
                "the theme has no template \\\"nope.html",
            ),
            (r#"shared_partial(tmpl="p.html")"#, "needs `template`"),
            (
                r#"shared_partial(template="p.html", site=1)"#,
                "`site` is given to every shared partial",
            ),
        ] {
            tera.add_raw_template("t.html", &format!("{{{{ {call} }}}}"))
                .expect("it parses");
            let e = render(&tera, &[]).expect_err(call);
            let all = format!("{e:?}");
            assert!(all.contains(says), "{call}: {all}");
        }
    }

    #[test]
    fn list_item_outside_a_pages_rendering_is_an_error_not_a_panic() {
        let (tera, _, items) = setup("{% for p in items %}{{ list_item(id=p.id) }}{% endfor %}");
        let mut ctx = Context::new();
        ctx.insert("items", &items);
        let e = tera
            .render("t.html", &ctx)
            .expect_err("no view is rendering");
        let all = format!("{e:?}");
        assert!(
            all.contains("only be called while hubgen renders a page"),
            "{all}"
        );
    }
}
