//! Form fields bound to one place of a JSON document by the API's field path
//! (`tiers[2].threshold_minor`), so the API's 422 errors land next to the field they name.

use leptos::prelude::*;
use serde_json::Value;

/// `tiers[2].threshold_minor` → `["tiers", "2", "threshold_minor"]`.
fn segments(path: &str) -> Vec<String> {
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The value at `path`, if any.
pub fn get_at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let pointer: String = segments(path).iter().map(|s| format!("/{s}")).collect();
    doc.pointer(&pointer)
}

/// Sets the value at `path`, creating objects on the way.
pub fn set_at(doc: &mut Value, path: &str, value: Value) {
    set_parts(doc, &segments(path), value);
}

fn set_parts(node: &mut Value, parts: &[String], value: Value) {
    let Some((first, rest)) = parts.split_first() else {
        *node = value;
        return;
    };
    if let Value::Array(items) = node {
        if let Some(item) = first.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
            set_parts(item, rest, value);
        }
        return;
    }
    if !node.is_object() {
        *node = Value::Object(Default::default());
    }
    if let Value::Object(map) = node {
        set_parts(map.entry(first.clone()).or_insert(Value::Null), rest, value);
    }
}

/// Removes the value at `path` (an object key or an array item).
pub fn remove_at(doc: &mut Value, path: &str) {
    let mut parts = segments(path);
    let Some(last) = parts.pop() else { return };
    let pointer: String = parts.iter().map(|s| format!("/{s}")).collect();
    match doc.pointer_mut(&pointer) {
        Some(Value::Object(map)) => {
            map.remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                if i < items.len() {
                    items.remove(i);
                }
            }
        }
        _ => {}
    }
}

/// The length of the array at `path` (0 if none).
pub fn len_at(doc: &Value, path: &str) -> usize {
    get_at(doc, path)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// The program being edited and the field errors of the last save.
#[derive(Clone, Copy)]
pub struct Editor {
    pub doc: RwSignal<Value>,
    pub errors: RwSignal<Vec<(String, String)>>,
    /// Counts the times the whole document was replaced (loaded, saved): money fields then
    /// show the stored amounts again, and otherwise keep what the owner is typing.
    pub loads: RwSignal<u32>,
}

impl Editor {
    /// A new, empty editor.
    pub fn new() -> Editor {
        Editor {
            doc: RwSignal::new(Value::Null),
            errors: RwSignal::new(Vec::new()),
            loads: RwSignal::new(0),
        }
    }

    /// Replaces the document (after a load or a save).
    pub fn replace(&self, doc: Value) {
        self.doc.set(doc);
        self.loads.update(|n| *n += 1);
    }

    /// The text at `path` ("" if none).
    pub fn text_at(&self, path: &str) -> String {
        self.text(path)
    }

    fn text(&self, path: &str) -> String {
        self.doc.with(|d| match get_at(d, path) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        })
    }

    fn error(&self, path: &str) -> Option<String> {
        self.errors
            .with(|e| e.iter().find(|(f, _)| f == path).map(|(_, m)| m.clone()))
    }

    /// The program's currency (EUR until one is chosen).
    pub fn currency(&self) -> String {
        self.doc.with(|d| {
            d.get("currency")
                .and_then(Value::as_str)
                .filter(|c| shared::money::Currency::parse(c).is_some())
                .unwrap_or("EUR")
                .to_owned()
        })
    }
}

impl Default for Editor {
    fn default() -> Editor {
        Editor::new()
    }
}

/// How a field's text becomes JSON.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string; empty removes an optional field.
    Text,
    /// An integer; empty removes an optional field.
    Integer,
    /// Money typed in major units of the program's currency ("4,50"), stored in minor units.
    Money,
    /// A percentage with up to two decimals ("1,5"), stored in basis points (150).
    Percent,
    /// A time of day in UTC (`datetime-local`), stored as RFC 3339 (`2026-12-05T09:00:00Z`).
    DateTime,
    /// Words separated by commas, stored as a list of strings.
    Words,
}

fn id_of(path: &str) -> String {
    format!("f-{}", path.replace(['.', '[', ']'], "-"))
}

/// What a money or percent field shows for the stored `value` (the locale's decimal mark).
fn shown_amount(value: Option<&Value>, decimals: u32) -> String {
    match value {
        Some(Value::Number(n)) => n.as_i64().map_or_else(String::new, |minor| {
            let mark = crate::i18n::i18n().decimal_mark();
            shared::money::format_major(minor, decimals).replace('.', &mark.to_string())
        }),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// A labelled input bound to `path`, with the API's error for that path beside it. `label` and
/// `hint` are catalog keys.
#[component]
pub fn Field(
    editor: Editor,
    label: &'static str,
    path: String,
    #[prop(default = Kind::Integer)] kind: Kind,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let id = id_of(&path);
    let (p1, p2, p3) = (path.clone(), path.clone(), path.clone());
    let decimals = move || match kind {
        Kind::Percent => 2,
        _ => crate::i18n::i18n().currency_digits(&editor.currency()),
    };
    let amount = matches!(kind, Kind::Money | Kind::Percent);
    // An amount field keeps the owner's text while they type; it shows the stored amount again
    // when the document is replaced or the currency changes.
    let typed = RwSignal::new(None::<String>);
    if amount {
        Effect::new(move || {
            editor.loads.track();
            let _ = editor.currency();
            typed.set(None);
        });
    }
    let invalid_amount = RwSignal::new(false);
    let input_type = match kind {
        Kind::Integer => "number",
        Kind::DateTime => "datetime-local",
        _ => "text",
    };
    let on_input = move |ev: leptos::ev::Event| {
        let raw = event_target_value(&ev);
        if amount {
            typed.set(Some(raw.clone()));
        }
        // Read before the update: the currency lives in the document being updated.
        let decimals = decimals();
        editor.doc.update(|d| match (kind, raw.trim()) {
            (_, "") => remove_at(d, &p1),
            (Kind::Integer, v) => match v.parse::<i64>() {
                Ok(n) => set_at(d, &p1, Value::from(n)),
                Err(_) => set_at(d, &p1, Value::from(v)),
            },
            (Kind::Money | Kind::Percent, v) => {
                let parsed = shared::money::parse_major(v, decimals);
                invalid_amount.set(parsed.is_none());
                // Unreadable text goes to the API as it is, whose refusal lands beside the field.
                set_at(d, &p1, parsed.map_or_else(|| Value::from(v), Value::from));
            }
            (Kind::DateTime, v) => {
                let minutes = v.get(..16).unwrap_or(v);
                set_at(d, &p1, Value::from(format!("{minutes}:00Z")))
            }
            (Kind::Words, v) => {
                let words = v.split(',').map(str::trim).filter(|w| !w.is_empty());
                set_at(d, &p1, Value::Array(words.map(Value::from).collect()))
            }
            (Kind::Text, v) => set_at(d, &p1, Value::from(v)),
        });
    };
    let value = move || match typed.get() {
        Some(text) if amount => text,
        _ if amount => editor
            .doc
            .with(|d| shown_amount(get_at(d, &p2), decimals())),
        _ if kind == Kind::DateTime => editor.text(&p2).chars().take(16).collect(),
        _ if kind == Kind::Words => editor.doc.with(|d| {
            let words = get_at(d, &p2).and_then(Value::as_array);
            let words = words.into_iter().flatten().filter_map(Value::as_str);
            words.collect::<Vec<_>>().join(", ")
        }),
        _ => editor.text(&p2),
    };
    let error = Memo::new(move |_| {
        editor.error(&p3).or_else(|| {
            (amount && invalid_amount.get()).then(|| crate::i18n::t("field_amount_unreadable"))
        })
    });
    let err_id = format!("{id}-error");
    let described = err_id.clone();
    let for_id = id.clone();
    let unit = move || match kind {
        Kind::Money => Some(editor.currency()),
        Kind::Percent => Some("%".to_owned()),
        _ => None,
    };
    view! {
        <label class="field" for=for_id>
            <span class="field__label">{crate::i18n::t(label)}</span>
            <span class="field__input">
                <input id=id type=input_type prop:value=value on:input=on_input
                    inputmode=amount.then_some("decimal")
                    aria-invalid=move || error.get().map(|_| "true")
                    aria-describedby=described />
                {move || unit().map(|u| view! { <span class="field__unit">{u}</span> })}
            </span>
            {(!hint.is_empty()).then(|| view! { <span class="field__hint">{crate::i18n::t(hint)}</span> })}
            <span class="field__error" id=err_id data-testid="field-error" data-field=path.clone()>{move || error.get()}</span>
        </label>
    }
}

/// A select bound to `path`: `options` are (value, shown text) pairs. `label` is a catalog key.
#[component]
pub fn Choice(
    editor: Editor,
    label: &'static str,
    path: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional)] hint: &'static str,
) -> impl IntoView {
    let id = id_of(&path);
    let (p1, p2, p3, p4) = (path.clone(), path.clone(), path.clone(), path.clone());
    let field = path.clone();
    let for_id = id.clone();
    view! {
        <label class="field" for=for_id>
            <span class="field__label">{crate::i18n::t(label)}</span>
            <select id=id data-field=path.clone() prop:value=move || editor.text(&p2)
                on:change=move |ev| {
                    let v = event_target_value(&ev);
                    editor.doc.update(|d| if v.is_empty() { remove_at(d, &p1) } else { set_at(d, &p1, Value::from(v)) });
                }>
                {move || {
                    let current = editor.text(&p3);
                    let mut all = options.get();
                    // A stored value outside the list stays visible (and selected).
                    if !current.is_empty() && !all.iter().any(|(v, _)| *v == current) {
                        all.insert(0, (current.clone(), current.clone()));
                    }
                    all.into_iter().map(|(v, text)| {
                        let selected = v == current;
                        view! { <option value=v selected=selected>{text}</option> }
                    }).collect_view()
                }}
            </select>
            {(!hint.is_empty()).then(|| view! { <span class="field__hint">{crate::i18n::t(hint)}</span> })}
            <span class="field__error" data-testid="field-error" data-field=field>{move || editor.error(&p4)}</span>
        </label>
    }
}

/// A select of the `kind` of the tagged object at `path` (a campaign's audience or effect):
/// choosing another kind replaces the object with `default(kind)`, so no field of the old kind
/// stays behind. `label` is a catalog key.
#[component]
pub fn KindChoice(
    editor: Editor,
    label: &'static str,
    path: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    default: fn(&str) -> Value,
) -> impl IntoView {
    let kind_path = format!("{path}.kind");
    let id = id_of(&kind_path);
    let for_id = id.clone();
    let field = kind_path.clone();
    view! {
        <label class="field" for=for_id>
            <span class="field__label">{crate::i18n::t(label)}</span>
            <select id=id data-field=field
                on:change=move |ev| {
                    let kind = event_target_value(&ev);
                    editor.doc.update(|d| set_at(d, &path, default(&kind)));
                }>
                {move || {
                    let current = editor.text(&kind_path);
                    options.get().into_iter().map(|(v, text)| {
                        let selected = v == current;
                        view! { <option value=v selected=selected>{text}</option> }
                    }).collect_view()
                }}
            </select>
        </label>
    }
}

/// A checkbox that turns an optional part of the program on (with `default`) or off. `label` is
/// a catalog key.
#[component]
pub fn Toggle(
    editor: Editor,
    label: &'static str,
    path: &'static str,
    default: fn() -> Value,
) -> impl IntoView {
    let on = move || {
        editor
            .doc
            .with(|d| get_at(d, path).is_some_and(|v| !v.is_null()))
    };
    view! {
        <label class="toggle">
            <input type="checkbox" prop:checked=on data-testid=format!("toggle-{path}")
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    editor.doc.update(|d| if checked { set_at(d, path, default()) } else { remove_at(d, path) });
                } />
            " " {crate::i18n::t(label)}
        </label>
    }
}

/// A checkbox bound to the boolean at `path` (absent is false). `label` is a catalog key.
#[component]
pub fn Flag(editor: Editor, label: &'static str, path: String) -> impl IntoView {
    let read = path.clone();
    let on = move || {
        editor
            .doc
            .with(|d| get_at(d, &read).and_then(Value::as_bool).unwrap_or(false))
    };
    view! {
        <label class="toggle">
            <input type="checkbox" prop:checked=on data-testid=format!("flag-{path}")
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    editor.doc.update(|d| set_at(d, &path, Value::Bool(checked)));
                } />
            " " {crate::i18n::t(label)}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[wasm_bindgen_test::wasm_bindgen_test]
    fn paths_read_write_and_remove() {
        let mut doc = json!({"tiers": [{"id": "a"}, {"id": "b"}], "earn": {"unit_minor": 100}});
        assert_eq!(get_at(&doc, "tiers[1].id"), Some(&json!("b")));
        set_at(&mut doc, "tiers[1].threshold_minor", json!(5));
        set_at(&mut doc, "stamps.goal", json!(8));
        assert_eq!(doc["tiers"][1]["threshold_minor"], 5);
        assert_eq!(doc["stamps"]["goal"], 8);
        remove_at(&mut doc, "tiers[0]");
        assert_eq!(len_at(&doc, "tiers"), 1);
        remove_at(&mut doc, "earn.unit_minor");
        assert_eq!(doc["earn"], json!({}));
    }
}
