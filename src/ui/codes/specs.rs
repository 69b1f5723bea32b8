//! 码管理 → 码规格管理: the enterprise's code specs, searched and paginated on the server;
//! create and edit in a dialog (file fields in order, file format, PIN, landing page, review
//! flow people, warnings); delete, refused by the server once a package used the spec.

use crate::api::code_specs::{delete_code_spec, list_code_specs, save_code_spec, spec_people_choices};
use crate::domain::access::{Function, Level};
use crate::domain::code_specs::*;
use crate::domain::validate::FieldError;
use crate::i18n::{verb_noun, Locale, T};
use crate::ui::widgets::*;
use crate::ui::{can, tr, use_locale};
use leptos::prelude::*;

pub fn field_label(f: FileField) -> T {
    match f {
        FileField::Serial => T::SpecFieldSerial,
        FileField::Code => T::SpecFieldCode,
        FileField::Url => T::SpecFieldUrl,
        FileField::Pin => T::SpecFieldPin,
        FileField::Package => T::SpecFieldPackage,
        FileField::Batch => T::SpecFieldBatch,
    }
}

fn separator_label(s: Separator) -> T {
    match s {
        Separator::Comma => T::SpecSepComma,
        Separator::Tab => T::SpecSepTab,
        Separator::Semicolon => T::SpecSepSemicolon,
        Separator::Pipe => T::SpecSepPipe,
    }
}

fn role_label(r: SpecRole) -> T {
    match r {
        SpecRole::Applicant => T::SpecApplicants,
        SpecRole::Reviewer => T::SpecReviewers,
        SpecRole::FileReceiver => T::SpecFileReceivers,
        SpecRole::PasswordReceiver => T::SpecPasswordReceivers,
    }
}

/// "CSV · 逗号 , · 表头" for the list.
fn format_summary(l: Locale, s: &CodeSpec) -> String {
    let sep = Separator::from_value(&s.separator).map(|x| separator_label(x).in_(l)).unwrap_or("?");
    let mut parts = vec![s.file_format.key().to_uppercase(), sep.to_string()];
    if s.with_header {
        parts.push(T::SpecWithHeader.in_(l).to_string());
    }
    parts.join(" · ")
}

fn landing_summary(l: Locale, s: &CodeSpec) -> String {
    match s.landing {
        Landing::Tessera => T::SpecLandingTessera.in_(l).to_string(),
        Landing::External => s.landing_url.clone(),
    }
}

#[component]
pub fn CodeSpecsPage() -> impl IntoView {
    let l = use_locale();
    let manage = can(Function::CodeSpecs, Level::Manage);
    let list = ServerList::<SpecFilter>::new();
    let search = RwSignal::new(String::new());
    let reloads = RwSignal::new(0u32);
    let specs = Resource::new(move || (list.query(), reloads.get()), |((f, p), _)| list_code_specs(f, p));
    // After a delete emptied the last page, go to the (new) last page.
    Effect::new(move |_| {
        if let Some(Ok(p)) = specs.get() {
            if p.items.is_empty() && p.page > 1 {
                list.page.set(p.pages());
            }
        }
    });
    let reload = move || reloads.update(|n| *n += 1);

    // The create/edit dialog: the input and the spec's current people (shown even if disabled).
    let editing: RwSignal<Option<(CodeSpecInput, Vec<SpecPerson>)>> = RwSignal::new(None);
    let open = RwSignal::new(false);
    let edit = move |input: CodeSpecInput, known: Vec<SpecPerson>| {
        editing.set(Some((input, known)));
        open.set(true);
    };
    // The accounts a review flow may name: loaded in the browser, for managers only.
    let people = RwSignal::new(Vec::<SpecPerson>::new());
    if manage {
        let res = LocalResource::new(spec_people_choices);
        Effect::new(move |_| match res.get() {
            Some(Ok(list)) => people.set(list),
            Some(Err(e)) => toast_error(&e),
            None => {}
        });
    }

    let deleting: RwSignal<Option<(i64, String)>> = RwSignal::new(None);
    let confirm = RwSignal::new(false);
    let delete = Action::new(|id: &i64| delete_code_spec(*id));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(())) => {
            toast(ToastKind::Ok, T::Deleted.in_(l));
            reload();
        }
        // Still used by packages (named), or gone.
        Some(Err(e)) => toast_error(&e),
        None => {}
    });

    let cols = move || {
        let mut cols = vec![
            Col::new(T::SpecId, text(|s: &CodeSpec| s.id.to_string())).sorted(|s| SortKey::Num(s.id)),
            Col::new(T::Name, text(|s: &CodeSpec| s.name.clone())).sorted(|s| SortKey::Text(s.name.clone())),
            Col::new(T::SpecFileFormat, text(move |s: &CodeSpec| format_summary(l, s))),
            Col::new(
                T::SpecFileFields,
                text(move |s: &CodeSpec| s.file_fields.iter().map(|f| field_label(*f).in_(l)).collect::<Vec<_>>().join(" / ")),
            ),
            Col::new(T::SpecLanding, move |s: &CodeSpec| {
                let (text, title) = (landing_summary(l, s), landing_summary(l, s));
                view! { <span class="ellipsis" title=title>{text}</span> }.into_any()
            }),
            Col::new(T::SpecReviewFlow, text(|s: &CodeSpec| s.flow_name.clone())),
            Col::new(T::SpecPackages, text(move |s: &CodeSpec| l.int(s.package_count))).sorted(|s| SortKey::Num(s.package_count)),
            Col::new(T::SpecLastModified, text(move |s: &CodeSpec| l.datetime(&s.updated_at)))
                .sorted(|s| SortKey::Num(s.updated_at.timestamp())),
        ];
        if manage {
            cols.push(Col::new(T::Actions, move |s: &CodeSpec| {
                let (s1, target) = (s.clone(), (s.id, s.name.clone()));
                view! {
                    <button class="link" on:click=move |_| edit(s1.input(), people_of(&s1))>{tr(T::Edit)}</button>
                    <button
                        class="link danger"
                        on:click=move |_| {
                            deleting.set(Some(target.clone()));
                            confirm.set(true);
                        }
                    >
                        {tr(T::Delete)}
                    </button>
                }
                .into_any()
            }));
        }
        cols
    };

    view! {
        <PageHeader title=tr(T::SpecTitle).to_string()>
            {manage
                .then(|| {
                    view! {
                        <button class="btn primary" on:click=move |_| edit(CodeSpecInput::default(), vec![])>
                            {tr(T::Create)}
                        </button>
                    }
                })}
        </PageHeader>
        <FilterBar
            on_search=Callback::new(move |_| {
                list.apply(SpecFilter { search: search.get_untracked().trim().to_string() });
                reload();
            })
            on_reset=Callback::new(move |_| {
                search.set(String::new());
                list.apply(SpecFilter::default());
                reload();
            })
        >
            <input
                type="search"
                name="search"
                bind:value=search
                placeholder=tr(T::SpecSearch)
                aria-label=tr(T::SpecSearch)
                maxlength=SPEC_NAME_MAX.to_string()
            />
        </FilterBar>
        {loaded(specs, move |p| list.table(p, cols()))}
        <Modal
            title=Signal::derive(move || {
                let existing = editing.with(|e| e.as_ref().is_some_and(|(i, _)| i.id.is_some()));
                verb_noun(l, if existing { T::Edit } else { T::Create }, T::SpecNoun)
            })
            open
        >
            {move || {
                editing
                    .get()
                    .map(|(input, known)| {
                        view! { <SpecForm input known people=people.into() open on_saved=Callback::new(move |_| reload())/> }
                    })
            }}
        </Modal>
        <ConfirmDialog
            open=confirm
            text=Signal::derive(move || {
                format!("{} 「{}」", T::ConfirmDeleteText.in_(l), deleting.get().map(|(_, name)| name).unwrap_or_default())
            })
            on_confirm=Callback::new(move |_| {
                if let Some((id, _)) = deleting.get_untracked() {
                    delete.dispatch(id);
                }
            })
        />
    }
}

/// Everyone a spec's review flow names.
fn people_of(s: &CodeSpec) -> Vec<SpecPerson> {
    SpecRole::ALL.iter().flat_map(|r| s.people(*r).iter().cloned()).collect()
}

/// A group of controls with a legend and the group's error (not a `<label>`: it holds several).
#[component]
fn Group(label: T, name: &'static str, errors: FormErrors, #[prop(optional)] required: bool, children: Children) -> impl IntoView {
    let msg = errors.message(name);
    view! {
        <fieldset class="field" class:invalid=move || msg.get().is_some() data-group=name>
            <legend class="label">{tr(label)}{required.then_some(" *")}</legend>
            {children()}
            <Show when=move || msg.get().is_some()>
                <p class="field-error" data-field=name role="alert">{move || msg.get()}</p>
            </Show>
        </fieldset>
    }
}

fn hours_text(h: Option<i64>) -> String {
    h.map(|h| h.to_string()).unwrap_or_default()
}

#[component]
fn SpecForm(
    input: CodeSpecInput,
    /// The spec's current people, so a since-disabled person still shows by name.
    known: Vec<SpecPerson>,
    people: Signal<Vec<SpecPerson>>,
    open: RwSignal<bool>,
    on_saved: Callback<()>,
) -> impl IntoView {
    let l = use_locale();
    let name = RwSignal::new(input.name.clone());
    let fields = RwSignal::new(input.file_fields.clone());
    let format = RwSignal::new(input.file_format);
    let separator = RwSignal::new(input.separator.clone());
    let with_header = RwSignal::new(input.with_header);
    let pin_digits = RwSignal::new(input.pin_digits);
    let landing = RwSignal::new(input.landing);
    let landing_url = RwSignal::new(input.landing_url.clone());
    let flow_name = RwSignal::new(input.flow_name.clone());
    let chosen = SpecRole::ALL.map(|r| RwSignal::new(input.people(r).to_vec()));
    let warn_generated = RwSignal::new(hours_text(input.warn_generated_hours));
    let warn_entered = RwSignal::new(hours_text(input.warn_entered_hours));
    let warn_sent = RwSignal::new(hours_text(input.warn_sent_hours));
    // Offered: the enabled accounts, plus whoever the spec names already (maybe disabled).
    let options = Signal::derive(move || {
        let mut all = people.get();
        for p in &known {
            if !all.iter().any(|x| x.user_id == p.user_id) {
                all.push(SpecPerson { enabled: false, ..p.clone() });
            }
        }
        all
    });

    let save = SaveForm::in_dialog(save_code_spec, open, T::Saved, on_saved);
    let errors = save.errors;
    let (id, version) = (input.id, input.version);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Typed hours that are not whole numbers are reported with the domain's own checks.
        let mut typed = vec![];
        let mut hours = |field: &str, s: RwSignal<String>| match parse_hours(&s.get_untracked()) {
            Ok(h) => h,
            Err(msg) => {
                typed.push(FieldError { field: field.into(), msg });
                None
            }
        };
        let input = CodeSpecInput {
            id,
            version,
            name: name.get_untracked(),
            file_fields: fields.get_untracked(),
            file_format: format.get_untracked(),
            separator: separator.get_untracked(),
            with_header: with_header.get_untracked(),
            pin_digits: pin_digits.get_untracked(),
            landing: landing.get_untracked(),
            landing_url: landing_url.get_untracked().trim().to_string(),
            flow_name: flow_name.get_untracked(),
            applicants: chosen[0].get_untracked(),
            reviewers: chosen[1].get_untracked(),
            file_receivers: chosen[2].get_untracked(),
            password_receivers: chosen[3].get_untracked(),
            warn_generated_hours: hours("warn_generated_hours", warn_generated),
            warn_entered_hours: hours("warn_entered_hours", warn_entered),
            warn_sent_hours: hours("warn_sent_hours", warn_sent),
        };
        save.submit(input, move |i| {
            let mut errs = i.validate().err().unwrap_or_default();
            errs.extend(typed.into_iter().filter(|t| !errs.iter().any(|e| e.field == t.field)).collect::<Vec<_>>());
            if errs.is_empty() {
                Ok(())
            } else {
                Err(errs)
            }
        });
    };

    let pickers = SpecRole::ALL
        .into_iter()
        .zip(chosen)
        .map(|(role, value)| view! { <PeoplePicker label=role_label(role) name=role.field() value options errors/> })
        .collect_view();
    let warn = |label: T, field: &'static str, value: RwSignal<String>| {
        view! { <TextField label=label name=field value errors input_type="number" placeholder=T::SpecWarnHint.in_(l).to_string()/> }
    };
    view! {
        <form class="spec-form" on:submit=on_submit novalidate>
            <TextField label=T::Name name="name" value=name errors required=true maxlength=SPEC_NAME_MAX/>
            <FileFieldsPicker value=fields errors/>
            <Group label=T::SpecFileFormat name="file_format" errors required=true>
                {[FileFormat::Csv, FileFormat::Txt]
                    .into_iter()
                    .map(|f| {
                        view! {
                            <label class="radio">
                                <input
                                    type="radio"
                                    name="file_format"
                                    value=f.key()
                                    prop:checked=move || format.get() == f
                                    on:change=move |_| format.set(f)
                                />
                                {f.key().to_uppercase()}
                            </label>
                        }
                    })
                    .collect_view()}
            </Group>
            <Field label=T::SpecSeparator name="separator" errors required=true>
                <select
                    name="separator"
                    on:change=move |ev| separator.set(event_target_value(&ev))
                    prop:value=move || separator.get()
                >
                    {Separator::ALL
                        .into_iter()
                        .map(|s| {
                            view! {
                                <option value=s.value() selected=move || separator.get() == s.value()>
                                    {tr(separator_label(s))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </Field>
            <label class="check field">
                <input type="checkbox" name="with_header" bind:checked=with_header/>
                {tr(T::SpecWithHeader)}
            </label>
            <Field label=T::SpecPinDigits name="pin_digits" errors>
                <select
                    name="pin_digits"
                    on:change=move |ev| pin_digits.set(event_target_value(&ev).parse().unwrap_or(0))
                    prop:value=move || pin_digits.get().to_string()
                >
                    <option value="0" selected=move || pin_digits.get() == 0>{tr(T::SpecNoPin)}</option>
                    {PIN_DIGITS
                        .map(|d| {
                            view! {
                                <option value=d.to_string() selected=move || pin_digits.get() == d>
                                    {format!("{d} {}", tr(T::SpecDigits))}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </Field>
            <Group label=T::SpecLanding name="landing" errors required=true>
                {[(Landing::Tessera, T::SpecLandingTessera, "tessera"), (Landing::External, T::SpecLandingExternal, "external")]
                    .into_iter()
                    .map(|(v, label, key)| {
                        view! {
                            <label class="radio">
                                <input
                                    type="radio"
                                    name="landing"
                                    value=key
                                    prop:checked=move || landing.get() == v
                                    on:change=move |_| landing.set(v)
                                />
                                {tr(label)}
                            </label>
                        }
                    })
                    .collect_view()}
            </Group>
            <Show when=move || landing.get() == Landing::External>
                <TextField
                    label=T::SpecLandingUrl
                    name="landing_url"
                    value=landing_url
                    errors
                    required=true
                    input_type="url"
                    maxlength=LANDING_URL_MAX
                    placeholder="https://brand.example.com/verify?c={code}"
                />
                <p class="hint">{tr(T::SpecLandingUrlHint)}</p>
            </Show>
            <h3>{tr(T::SpecReviewFlow)}</h3>
            <TextField label=T::SpecFlowName name="flow_name" value=flow_name errors required=true maxlength=FLOW_NAME_MAX/>
            {pickers}
            <h3>{tr(T::SpecWarnings)}</h3>
            <p class="hint">{tr(T::SpecWarnHint)}</p>
            {warn(T::SpecWarnGenerated, "warn_generated_hours", warn_generated)}
            {warn(T::SpecWarnEntered, "warn_entered_hours", warn_entered)}
            {warn(T::SpecWarnSent, "warn_sent_hours", warn_sent)}
            <FormFooter errors pending=save.pending() on_cancel=Callback::new(move |_| open.set(false))/>
        </form>
    }
}

/// The ordered choice of file fields: a checkbox per field adds or removes it; the chosen
/// fields list in file order with "move up" / "move down".
#[component]
fn FileFieldsPicker(value: RwSignal<Vec<FileField>>, errors: FormErrors) -> impl IntoView {
    let toggle = move |f: FileField, on: bool| {
        value.update(|v| {
            v.retain(|x| *x != f);
            if on {
                v.push(f);
            }
        })
    };
    let shift = move |i: usize, up: bool| {
        value.update(|v| {
            let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < v.len()) };
            if let Some(j) = j {
                v.swap(i, j);
            }
        })
    };
    view! {
        <Group label=T::SpecFileFields name="file_fields" errors required=true>
            <p class="hint">{tr(T::SpecFileFieldsHint)}</p>
            <div class="checkbox-grid">
                {FileField::ALL
                    .into_iter()
                    .map(|f| {
                        view! {
                            <label class="check">
                                <input
                                    type="checkbox"
                                    name="file_field"
                                    value=f.key()
                                    prop:checked=move || value.with(|v| v.contains(&f))
                                    on:change=move |ev| toggle(f, event_target_checked(&ev))
                                />
                                {tr(field_label(f))}
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
            <ol class="field-order">
                {move || {
                    let v = value.get();
                    let last = v.len().saturating_sub(1);
                    v.into_iter()
                        .enumerate()
                        .map(|(i, f)| {
                            view! {
                                <li data-field=f.key()>
                                    {tr(field_label(f))} " "
                                    <button type="button" class="link" disabled={i == 0} on:click=move |_| shift(i, true)>
                                        {tr(T::SpecMoveUp)}
                                    </button>
                                    <button type="button" class="link" disabled={i == last} on:click=move |_| shift(i, false)>
                                        {tr(T::SpecMoveDown)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ol>
        </Group>
    }
}

/// Chooses people for a review-flow role: the chosen ones with "remove", and a select that
/// adds one of the enterprise's enabled accounts.
#[component]
fn PeoplePicker(
    label: T,
    name: &'static str,
    value: RwSignal<Vec<i64>>,
    options: Signal<Vec<SpecPerson>>,
    errors: FormErrors,
) -> impl IntoView {
    let l = use_locale();
    let person = move |id: i64| options.with(|o| o.iter().find(|p| p.user_id == id).cloned());
    let describe = move |p: &SpecPerson| {
        let mut s = if p.login.is_empty() { p.name.clone() } else { format!("{}（{}）", p.name, p.login) };
        if !p.enabled {
            s.push_str(&format!(" · {}", T::SpecPersonDisabled.in_(l)));
        }
        s
    };
    view! {
        <Group label name errors required=true>
            <ul class="people">
                {move || {
                    value
                        .get()
                        .into_iter()
                        .map(|id| {
                            let text = person(id).map(|p| describe(&p)).unwrap_or_else(|| format!("#{id}"));
                            view! {
                                <li data-user=id.to_string()>
                                    {text} " "
                                    <button
                                        type="button"
                                        class="link danger"
                                        on:click=move |_| value.update(|v| v.retain(|x| *x != id))
                                    >
                                        {tr(T::SpecRemove)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <select
                name=name
                aria-label=move || format!("{} · {}", tr(label), tr(T::SpecAddPerson))
                on:change=move |ev| {
                    if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                        value.update(|v| {
                            if !v.contains(&id) {
                                v.push(id);
                            }
                        });
                    }
                }
                // Back to "Add a person…" after each choice.
                prop:value=move || {
                    value.track();
                    ""
                }
            >
                <option value="">{tr(T::SpecAddPerson)}</option>
                {move || {
                    let chosen = value.get();
                    options
                        .get()
                        .into_iter()
                        .filter(|p| p.enabled && !chosen.contains(&p.user_id))
                        .map(|p| view! { <option value=p.user_id.to_string()>{describe(&p)}</option> })
                        .collect_view()
                }}
            </select>
        </Group>
    }
}
