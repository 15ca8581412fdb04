// Every screen: its path, its view, who may see it and which nav entry it belongs to.
// The server answers a reload or a bookmark of these paths with the app; it keeps the
// same list (src/web/screens.rs, whose test compares the two): add a screen to both.
//   public: shown signed out (and skipped when signed in); otherwise sign in first
//   open:   shown signed in or out (the screens that mailed links open)
//   roles:  only for these roles (others get "not part of your account")
//   nav:    the main navigation entry marked as current

import { signinView, registerView } from './views/auth.js';
import { forgotPasswordView, resetPasswordView, verifyEmailView, unsubscribeView } from './views/recovery.js';
import { homeView } from './views/home.js';
import { inboxView, composeView, conversationView } from './views/messages.js';
import { supportView } from './views/support.js';
import { moodView } from './views/mood.js';
import { feedbackView } from './views/feedback.js';
import { settingsView } from './views/settings.js';
import { clinicianView, patientMoodView } from './views/clinician.js';
import { measuresView } from './views/measures.js';
import { questionnaireView } from './views/questionnaire.js';
import { alertsView } from './views/alerts.js';
import { patientView } from './views/patient.js';
import { cbtView, thoughtRecordsView, activitiesView, laddersView } from './views/cbt.js';
import { thoughtRecordView, activityView, ladderView } from './views/cbt-edit.js';
import { safetyPlanView, patientPlanView } from './views/safety-plan.js';
import { adminUsersView, adminFeedbackView, adminAuditView } from './views/admin.js';

export const routes = [
  { path: '/signin', view: signinView, public: true, title: 'Sign in' },
  { path: '/register', view: registerView, public: true, title: 'Create an account' },
  { path: '/forgot-password', view: forgotPasswordView, public: true, title: 'Forgot your password?' },
  { path: '/reset-password', view: resetPasswordView, open: true, title: 'Choose a new password' },
  { path: '/verify-email', view: verifyEmailView, open: true, title: 'Confirm your email address' },
  { path: '/unsubscribe', view: unsubscribeView, open: true, title: 'New-message emails' },
  { path: '/', view: homeView, nav: 'home', title: 'Home' },
  { path: '/messages', view: inboxView, nav: 'messages', title: 'Messages' },
  { path: '/messages/new', view: composeView, nav: 'messages', title: 'New message' },
  { path: '/messages/:id', view: conversationView, nav: 'messages', title: 'Conversation' },
  { path: '/support', view: supportView, nav: 'messages', roles: ['patient', 'clinician'], title: 'Contact support' },
  { path: '/mood', view: moodView, nav: 'mood', roles: ['patient'], title: 'Mood' },
  { path: '/measures', view: measuresView, nav: 'mood', roles: ['patient'], title: 'Questionnaires' },
  { path: '/measures/:instrument', view: questionnaireView, nav: 'mood', roles: ['patient'], title: 'Questionnaire' },
  { path: '/cbt', view: cbtView, nav: 'home', roles: ['patient'], title: 'Homework and exercises' },
  { path: '/cbt/thought-records', view: thoughtRecordsView, nav: 'home', roles: ['patient'], title: 'Thought records' },
  { path: '/cbt/thought-records/new', view: thoughtRecordView, nav: 'home', roles: ['patient'], title: 'New thought record' },
  { path: '/cbt/thought-records/:id', view: thoughtRecordView, nav: 'home', roles: ['patient'], title: 'Thought record' },
  { path: '/cbt/activities', view: activitiesView, nav: 'home', roles: ['patient'], title: 'Planned activities' },
  { path: '/cbt/activities/new', view: activityView, nav: 'home', roles: ['patient'], title: 'Plan an activity' },
  { path: '/cbt/activities/:id', view: activityView, nav: 'home', roles: ['patient'], title: 'Activity' },
  { path: '/cbt/exposure-ladders', view: laddersView, nav: 'home', roles: ['patient'], title: 'Exposure ladders' },
  { path: '/cbt/exposure-ladders/new', view: ladderView, nav: 'home', roles: ['patient'], title: 'New exposure ladder' },
  { path: '/cbt/exposure-ladders/:id', view: ladderView, nav: 'home', roles: ['patient'], title: 'Exposure ladder' },
  { path: '/safety-plan', view: safetyPlanView, nav: 'home', roles: ['patient'], title: 'My safety plan' },
  { path: '/feedback', view: feedbackView, nav: 'feedback', title: 'Feedback' },
  { path: '/settings', view: settingsView, nav: 'settings', title: 'Settings' },
  { path: '/clinician', view: clinicianView, nav: 'clinician', roles: ['clinician'], title: 'My patients' },
  { path: '/clinician/alerts', view: alertsView, nav: 'clinician', roles: ['clinician'], title: 'Alerts' },
  {
    path: '/clinician/patients/:username/overview',
    view: patientView,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Patient',
  },
  {
    path: '/clinician/patients/:username/mood',
    view: patientMoodView,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Patient mood',
  },
  {
    path: '/clinician/patients/:username/safety-plan',
    view: patientPlanView,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Safety plan',
  },
  // The address this screen had first, kept so that bookmarks of it still work.
  {
    path: '/clinician/patients/:username',
    view: patientMoodView,
    nav: 'clinician',
    roles: ['clinician'],
    title: 'Patient mood',
  },
  { path: '/admin', view: adminUsersView, nav: 'admin', roles: ['admin'], title: 'Admin: people' },
  { path: '/admin/feedback', view: adminFeedbackView, nav: 'admin', roles: ['admin'], title: 'Admin: feedback' },
  { path: '/admin/audit', view: adminAuditView, nav: 'admin', roles: ['admin'], title: 'Admin: audit log' },
];
