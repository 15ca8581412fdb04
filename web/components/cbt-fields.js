// Form pieces the CBT forms share: numbers that are left out when empty (a missing number
// is never a 0), a "private" checkbox, text fields, and deleting a record.

import { h } from './dom.js';
import { field } from './form.js';

/** A whole-number field from `min` to `max`. */
export function numberField(id, label, min, max, value, hint) {
  return field({
    id,
    label,
    type: 'number',
    value: value === null || value === undefined ? '' : String(value),
    hint: hint || `From ${min} to ${max}.`,
    attrs: { min, max, step: 1, inputmode: 'numeric' },
  });
}

/** The field's number, or undefined when empty (so the server is told nothing). */
export function numberOf(wrapper) {
  const raw = wrapper.control.value.trim();
  if (raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : raw;
}

/** The checkbox that hides a record from the care team. */
export function privateField(id, checked) {
  const box = h('input', { type: 'checkbox', id, checked: Boolean(checked), 'data-testid': 'private' });
  const wrapper = h('div', { class: 'checks' },
    h('label', { for: id }, box,
      h('span', {}, h('strong', {}, 'Keep this private'),
        h('span', { class: 'hint', id: `${id}-hint` }, ' Only you will see it. Your care team will not see it or know it exists: homework you do with it stays “not done” for them.'))));
  box.setAttribute('aria-describedby', `${id}-hint`);
  wrapper.control = box;
  return wrapper;
}

/** A text field of `max` characters. */
export function textField(id, label, value, options = {}) {
  return field({
    id,
    label,
    value: value || '',
    multiline: options.multiline,
    rows: options.rows || 3,
    required: options.required,
    hint: options.hint,
    attrs: { maxlength: options.max },
  });
}

/** Where a saved record goes next: the homework list when it did homework. */
export function afterSave(ctx, homeworkId, list) {
  ctx.navigate(homeworkId ? '/cbt' : list);
}

/** A Delete button that asks first and then leaves for `list`. */
export function deleteButton(ctx, path, list, what, button) {
  const remove = button(`Delete this ${what}`, { class: 'button secondary danger', 'data-testid': 'delete-record' });
  remove.addEventListener('click', async () => {
    if (!window.confirm(`Delete this ${what}? This cannot be undone.`)) return;
    remove.setBusy(true, 'Deleting…');
    try {
      await ctx.api(path, { method: 'DELETE' });
    } catch (error) {
      remove.setBusy(false);
      if (!error.handled) ctx.notify(error.message || 'Could not delete.');
      return;
    }
    ctx.notify(`The ${what} is deleted.`);
    ctx.navigate(list);
  });
  return remove;
}
