//! The session across reloads: the lab opens with the session an earlier visit kept ([`take`]),
//! keeps the current one in the browser shortly after each change and when the page is left
//! ([`keep`]), and forgets it on "Start over" ([`StartOver`]). [`SessionNotes`] says what was
//! restored, or why the browser keeps nothing.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::intake::Intake;
use crate::ui::colouring::ColourBy;
use crate::ui::dom::location_hash;
use crate::ui::state::LabState;
use crate::ui::state::saved::{SavedSession, View};
use crate::ui::store::{self, Kept};

/// How long after a change the session is written (a brush stroke's edits make one write).
const SAVE_DELAY: Duration = Duration::from_millis(400);

/// The session's lines on the page.
#[derive(Clone, Copy)]
pub struct Notes {
    /// What was restored from an earlier visit.
    restored: RwSignal<Option<String>>,
    /// Why a session could not be restored or kept.
    problem: RwSignal<Option<String>>,
}

impl Default for Notes {
    fn default() -> Self {
        Self {
            restored: RwSignal::new(None),
            problem: RwSignal::new(None),
        }
    }
}

/// The session to open with: the one `kept` holds (taken), checked against the catalogue,
/// unless the address carries a share link (which opens instead). A session that cannot be
/// used, or storage that cannot be read, gets its sentence in `notes`.
pub fn take(
    kept: StoredValue<Option<Kept>>,
    lab: RwSignal<LabState>,
    notes: Notes,
) -> Option<SavedSession> {
    let mut taken = None;
    kept.update_value(|kept| taken = kept.take());
    let saved = match taken? {
        Ok(saved) => saved?,
        Err(problem) => {
            notes.problem.set(Some(problem));
            return None;
        }
    };
    if location_hash().is_some() {
        return None;
    }
    match lab.with_untracked(|lab| saved.checked(&lab.model.catalogue)) {
        Ok(saved) => {
            notes.restored.set(Some(saved.restored_line()));
            Some(saved)
        }
        Err(problem) => {
            notes.problem.set(Some(problem));
            None
        }
    }
}

/// Keeps the session in the browser: [`SAVE_DELAY`] after what it holds changed, and at once
/// when the page is hidden or left.
pub fn keep(lab: RwSignal<LabState>, intake: Intake, colour_by: RwSignal<ColourBy>, notes: Notes) {
    let snapshot = move || {
        let view = View {
            colour_by: colour_by.get_untracked().name(),
            invert: intake.invert.get_untracked(),
            long_side: intake.long_side.get_untracked(),
        };
        lab.with_untracked(|lab| lab.to_saved(view))
    };
    let write = move || {
        let Some(session) = snapshot() else {
            return;
        };
        // A first visit's session (after "Start over", say) is forgotten, not kept: a reload
        // then opens the lab afresh and says nothing was restored.
        let first_visit = lab.with_untracked(|lab| session.is_first_visit(&lab.model.catalogue));
        spawn_local(async move {
            let kept = if first_visit {
                store::clear().await
            } else {
                store::save(&session).await
            };
            match kept {
                Ok(()) => notes.problem.set(None),
                Err(problem) => notes.problem.set(Some(problem)),
            }
        });
    };
    let pending = StoredValue::new(false);
    let revision = Memo::new(move |_| {
        (
            lab.with(LabState::saved_revision),
            colour_by.get(),
            intake.invert.get(),
            intake.long_side.get(),
        )
    });
    Effect::new(move |previous: Option<()>| {
        // Read (not only tracked): a memo computes, and finds its sources, when it is read.
        revision.with(|_| ());
        // The first run is the session as opened: nothing changed yet.
        if previous.is_none() || pending.get_value() {
            return;
        }
        pending.set_value(true);
        set_timeout(
            move || {
                pending.set_value(false);
                write();
            },
            SAVE_DELAY,
        );
    });
    let hidden = window_event_listener(leptos::ev::pagehide, move |_| {
        if pending.get_value() {
            write();
        }
    });
    on_cleanup(move || hidden.remove());
}

/// "Start over": after a confirmation, forgets the kept session and opens the lab as on a first
/// visit.
#[component]
pub fn StartOver(
    lab: RwSignal<LabState>,
    intake: Intake,
    colour_by: RwSignal<ColourBy>,
    notes: Notes,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let start_over = move |_| {
        asking.set(false);
        notes.restored.set(None);
        spawn_local(async move {
            if let Err(problem) = store::clear().await {
                notes.problem.set(Some(problem));
            }
        });
        intake.start_over(colour_by);
        lab.update(|lab| lab.clipboard = None);
    };
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! {
                <button
                    data-testid="start-over"
                    title="Forget the image, its history and the view kept in this browser"
                    on:click=move |_| asking.set(true)
                >
                    "Start over"
                </button>
            }
        >
            <span class="start-over-confirm" role="group" aria-label="Start over">
                "Forget this image and its history? "
                <button data-testid="start-over-confirm" on:click=start_over>"Start over"</button>
                <button data-testid="start-over-cancel" on:click=move |_| asking.set(false)>"Keep them"</button>
            </span>
        </Show>
    }
}

/// What was restored from an earlier visit, and why the browser keeps nothing if it does not.
#[component]
pub fn SessionNotes(notes: Notes) -> impl IntoView {
    view! {
        {move || notes.restored.get().map(|line| view! {
            <p class="notice" role="status" data-testid="session-restored">{line}</p>
        })}
        {move || notes.problem.get().map(|line| view! {
            <p class="notice" role="status" data-testid="session-problem">{line}</p>
        })}
    }
}
