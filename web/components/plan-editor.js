// Editing a safety plan, for the patient and for the clinicians of their care team: every
// section's entries as labelled text boxes, added and removed one by one. Saving sends the
// whole plan with the version it was based on (If-Match). When someone else saved first
// (412), or the plan was written meanwhile (428), nothing typed is lost: the form stays as
// it is, the plan as it is now is shown beside it, and saving again replaces that version.

import { h } from './dom.js';
import { button } from './button.js';
import { timeElement } from './format.js';
import { field, formAlert, setFieldError, onSubmit, showFormError } from './form.js';
import { PLAN_SECTIONS, MAX_ENTRIES, MAX_CHARS, planLists, planSections, nameOf } from './safety-plan.js';

let editors = 0;

/**
 * options: {plan, save(lists, etag) → the saved plan, current() → the plan as it is now,
 *           onSaved(plan), onCancel(), viewer (the signed-in person)}
 */
export function planEditor(options) {
  editors += 1;
  const prefix = `plan-edit-${editors}`;
  let base = options.plan;
  const alert = formAlert();
  const conflict = h('div', { class: 'plan-conflict', 'data-testid': 'plan-conflict', hidden: true });
  const sections = PLAN_SECTIONS.map((section) => sectionEditor(section, options.plan?.[section[0]] || [], prefix));
  const save = button('Save the plan', { type: 'submit', 'data-testid': 'plan-save' });
  const cancel = h('button', { type: 'button', class: 'button secondary', 'data-testid': 'plan-cancel' }, 'Cancel');
  cancel.addEventListener('click', () => options.onCancel());
  const form = h('form', { class: 'plan-editor', 'data-testid': 'plan-editor', novalidate: true },
    h('p', { class: 'hint' }, `Each entry can be up to ${MAX_CHARS} characters, and a section can hold ${MAX_ENTRIES}. `,
      'Empty boxes are left out when you save.'),
    alert,
    conflict,
    sections.map((s) => s.element),
    h('div', { class: 'actions plan-edit-actions' }, save, cancel));

  onSubmit(form, save, 'Saving…', async () => {
    alert.clear();
    sections.forEach((s) => s.clearErrors());
    const { lists, rows, problem } = collect(sections);
    if (problem) {
      setFieldError(problem, `At most ${MAX_CHARS} characters, please.`);
      problem.control.focus();
      return;
    }
    try {
      const saved = await options.save(lists, base?.version ? base.etag : null);
      options.onSaved(saved);
    } catch (error) {
      if (error.status === 412 || error.status === 428) {
        await showConflict(error.status);
      } else if (!showOnEntry(error, rows, sections)) {
        showFormError(error, alert);
      }
    }
  });

  // Someone else's version, shown beside the person's own unsaved text, which stays.
  async function showConflict(status) {
    let current;
    try {
      current = await options.current();
    } catch (error) {
      showFormError(error, alert);
      return;
    }
    base = current;
    alert.show('warning', h('p', { class: 'alert-title' }, status === 412
      ? 'Someone else changed this plan while you were editing it'
      : 'This plan changed before your changes were saved'),
    h('p', {}, `${whoChanged(current, options.viewer)} saved version ${current.version}`,
      current.updated_at ? [' ', timeElement(current.updated_at)] : null, '. ',
      'Your changes are not saved yet, and they are all still in the form. ',
      'The plan as it is now is shown just below: compare the two, change what you want, then save again. ',
      'Saving replaces that version with what is in the form (every version stays in the history).'));
    const merge = h('button', { type: 'button', class: 'button secondary small', 'data-testid': 'plan-merge' },
      'Add their entries that are not in my form');
    merge.addEventListener('click', () => {
      sections.forEach((section) => section.addMissing(current[section.key] || []));
      merge.remove();
    });
    conflict.hidden = false;
    conflict.replaceChildren(
      h('h2', {}, `The plan as it is now (version ${current.version})`),
      planSections(current, { level: 3, compact: true, fixed: false, idPrefix: `${prefix}-current` }),
      merge);
    alert.scrollIntoView?.({ block: 'start' });
  }

  form.focusFirst = () => form.querySelector('textarea, button')?.focus();
  return form;
}

function whoChanged(plan, viewer) {
  const who = plan.updated_by;
  if (!who) return 'Someone';
  if (viewer && who.username === viewer.username) return 'You (in another window)';
  return `${nameOf(who)}${who.role === 'clinician' ? ' (clinician)' : ''}`;
}

/** One section: its entries, each with Remove, and "Add". */
function sectionEditor([key, title, hint, entryLabel], entries, prefix) {
  const headingId = `${prefix}-${key}-title`;
  const list = h('ol', { class: 'plan-edit-entries' });
  const add = h('button', { type: 'button', class: 'button secondary small', 'data-testid': 'plan-add' },
    `Add ${entryLabel.toLowerCase()}`);
  const full = h('p', { class: 'hint', hidden: true }, `This section has the most entries it can hold (${MAX_ENTRIES}).`);
  const rows = [];
  let counter = 0;

  const renumber = () => {
    rows.forEach((row, i) => {
      row.querySelector('label').textContent = `${entryLabel} ${i + 1}`;
      row.querySelector('[data-testid=plan-remove]').setAttribute('aria-label', `Remove ${entryLabel.toLowerCase()} ${i + 1}`);
    });
    const atMost = rows.length >= MAX_ENTRIES;
    add.hidden = atMost;
    full.hidden = !atMost;
  };
  const addRow = (text, focus) => {
    counter += 1;
    const wrapper = field({
      id: `${prefix}-${key}-${counter}`,
      label: entryLabel,
      multiline: true,
      rows: 2,
      value: text,
      attrs: { maxlength: MAX_CHARS, 'data-testid': 'plan-input' },
    });
    const remove = h('button', { type: 'button', class: 'button secondary small', 'data-testid': 'plan-remove' }, 'Remove');
    const row = h('li', { class: 'plan-edit-entry', 'data-testid': 'plan-edit-entry' }, wrapper, remove);
    row.field = wrapper;
    remove.addEventListener('click', () => {
      const at = rows.indexOf(row);
      rows.splice(at, 1);
      row.remove();
      renumber();
      const next = rows[at] || rows[at - 1];
      if (next) next.field.control.focus();
      else add.focus();
    });
    rows.push(row);
    list.append(row);
    renumber();
    if (focus) wrapper.control.focus();
  };
  add.addEventListener('click', () => addRow('', true));
  entries.forEach((text) => addRow(text, false));

  const sectionError = h('p', { class: 'field-error', hidden: true });
  const element = h('fieldset', { class: 'plan-edit-section', 'data-testid': 'plan-edit-section', 'data-section': key },
    h('legend', {}, h('h2', { id: headingId }, title)),
    h('p', { class: 'hint' }, hint),
    key === 'professionals'
      ? h('p', { class: 'hint', 'data-testid': 'plan-fixed-note' }, 'Your care team and the crisis lines are always part of this section; they cannot be removed.')
      : null,
    sectionError,
    list,
    add,
    full);
  return {
    key,
    element,
    rows,
    // Entries of another version that this form does not have yet, added at the end.
    addMissing: (texts) => {
      const have = new Set(rows.map((row) => row.field.control.value.trim()));
      texts.filter((text) => !have.has(text)).forEach((text) => {
        if (rows.length < MAX_ENTRIES) addRow(text, false);
      });
    },
    showError: (message) => {
      sectionError.textContent = message;
      sectionError.hidden = false;
    },
    clearErrors: () => {
      sectionError.hidden = true;
      rows.forEach((row) => setFieldError(row.field, null));
    },
  };
}

/** The lists to send (blank entries left out), and which row each entry came from. */
function collect(sections) {
  const lists = planLists(null);
  const rows = {};
  let problem = null;
  for (const section of sections) {
    rows[section.key] = [];
    for (const row of section.rows) {
      const text = row.field.control.value.trim();
      if (!text) continue;
      if (text.length > MAX_CHARS && !problem) problem = row.field;
      lists[section.key].push(text);
      rows[section.key].push(row);
    }
  }
  return { lists, rows, problem };
}

/** A 422 naming `warning_signs[2]` or `people_to_ask`: shown on that entry or section. */
function showOnEntry(error, rows, sections) {
  const match = /^(\w+)(?:\[(\d+)\])?$/.exec(error.field || '');
  if (!match) return false;
  const [, key, index] = match;
  if (index !== undefined && rows[key]?.[Number(index)]) {
    const row = rows[key][Number(index)];
    setFieldError(row.field, error.message);
    row.field.control.focus();
    return true;
  }
  const section = sections.find((s) => s.key === key);
  if (!section) return false;
  section.showError(error.message);
  section.element.querySelector('textarea, button')?.focus();
  return true;
}
