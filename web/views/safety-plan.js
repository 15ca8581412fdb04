// The safety plan: the patient's own (/safety-plan) and, for the clinicians of their care
// team, the patient's (/clinician/patients/:username/safety-plan). One screen for both
// (components/plan-screen.js), at different API addresses.

import { planScreen } from '../components/plan-screen.js';

export function safetyPlanView(ctx) {
  return planScreen(ctx, {
    url: '/api/safety-plan',
    title: 'My safety plan',
    back: ['/', '← Home'],
    // The device's copy for offline use is the latest GET's: fetch it again after a save.
    afterSave: () => ctx.api('/api/safety-plan').catch(() => {}),
  });
}

export function patientPlanView(ctx) {
  const enc = encodeURIComponent(ctx.params.username);
  return planScreen(ctx, {
    url: `/api/clinician/patients/${enc}/safety-plan`,
    clinician: true,
    title: 'Safety plan',
    back: [`/clinician/patients/${enc}/overview`, '← Patient overview'],
  });
}
